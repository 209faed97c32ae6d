// TLS certificates: parsing with OpenSSL, ingress-nginx's choice by SNI, curl's verification.
// The rules and their upstream sources are in docs/tls.md.
#include "podhop/dataplane/tls.hpp"
#include "podhop/core/calendar.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace podhop::dataplane {

/// Owns one reference to an OpenSSL certificate.
struct CertificateHandle {
  X509* x509 = nullptr;
  explicit CertificateHandle(X509* x) : x509(x) {}
  CertificateHandle(const CertificateHandle&) = delete;
  CertificateHandle& operator=(const CertificateHandle&) = delete;
  ~CertificateHandle() { X509_free(x509); }
};

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio memory_bio(std::string_view data) {
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

using core::iequals;
using core::lower;

std::string_view strip_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

bool is_ip_literal(std::string_view host) {
  return core::Ipv4::parse(host).has_value() || core::looks_like_ipv6(host);
}

// "CN=app.test; O=Example": X509_NAME_print_ex with XN_FLAG_SEP_SPLUS_SPC alone, the call
// curl's x509_name_oneline makes for its "subject:" and "issuer:" lines.
std::string name_line(const X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_SEP_SPLUS_SPC);
  return bio_text(bio.get());
}

// "Jan  1 00:00:00 2025 GMT": ASN1_TIME_print, as curl prints start and expire dates.
std::string time_text(const ASN1_TIME* t) {
  Bio bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), t);
  return bio_text(bio.get());
}

std::int64_t unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return core::days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                               static_cast<unsigned>(tm.tm_mday)) *
             86400 +
         tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

std::string unix_time_text(std::int64_t t) {
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> a(ASN1_TIME_set(nullptr, t),
                                                          ASN1_TIME_free);
  return a ? time_text(a.get()) : std::string();
}

// The last CN of a name: the "most significant" one curl compares.
std::string last_common_name(const X509_NAME* name) {
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i))
    last = i;
  if (last < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return cn;
}

// Reads every CERTIFICATE block of `pem`, skipping other blocks, in order.
std::vector<std::unique_ptr<X509, X509Free>> read_certificates(std::string_view pem) {
  std::vector<std::unique_ptr<X509, X509Free>> out;
  Bio bio = memory_bio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the read that ends the loop leaves "no start line" queued
  return out;
}

// The fields podhop uses, read once; the Certificate keeps the X509 for verification.
Certificate describe(std::unique_ptr<X509, X509Free> owned) {
  X509* x = owned.get();
  Certificate c;
  c.subject = name_line(X509_get_subject_name(x));
  c.issuer = name_line(X509_get_issuer_name(x));
  c.common_name = last_common_name(X509_get_subject_name(x));
  if (std::unique_ptr<GENERAL_NAMES, NamesFree> names(
          static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
      names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
      if (g->type == GEN_DNS) {
        const ASN1_IA5STRING* s = g->d.dNSName;
        c.dns_names.push_back(
            lower(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                   static_cast<std::size_t>(ASN1_STRING_length(s)))));
      } else if (g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 4) {
        const unsigned char* b = ASN1_STRING_get0_data(g->d.iPAddress);
        c.ip_addresses.push_back(core::Ipv4{(std::uint32_t{b[0]} << 24) |
                                            (std::uint32_t{b[1]} << 16) |
                                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]}});
      }
    }
  }
  c.not_before_unix = unix_time(X509_get0_notBefore(x));
  c.not_after_unix = unix_time(X509_get0_notAfter(x));
  c.start_date_text = time_text(X509_get0_notBefore(x));
  c.expire_date_text = time_text(X509_get0_notAfter(x));
  c.self_signed = X509_self_signed(x, 1) == 1;
  ERR_clear_error();
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (X509_digest(x, EVP_sha256(), md.data(), &md_len) == 1) {
    for (unsigned int i = 0; i < md_len; ++i) c.sha256_fingerprint += fmt::format("{:02x}", md[i]);
  }
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), x);
  c.pem = bio_text(out.get());
  c.handle = std::make_shared<const CertificateHandle>(owned.release());
  return c;
}

// The types of the PEM blocks in `pem`, in order ("CERTIFICATE", "RSA PRIVATE KEY").
std::vector<std::string> pem_block_types(std::string_view pem) {
  std::vector<std::string> types;
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    pos += kBegin.size();
    auto end = pem.find("-----", pos);
    if (end == std::string_view::npos) break;
    types.emplace_back(pem.substr(pos, end - pos));
    pos = end;
  }
  return types;
}

std::string go_list(const std::vector<std::string>& items) {
  return fmt::format("[{}]", fmt::join(items, " "));
}

bool is_key_type(std::string_view t) {
  return t == "PRIVATE KEY" || (t.size() > 12 && t.substr(t.size() - 12) == " PRIVATE KEY");
}

// --- Go's crypto/x509 host matching (what ingress-nginx runs) ------------------------------

// Go's validHostname: labels of letters, digits, '-' (not first) and '_'; a pattern may
// start with a "*" label.
bool go_valid_hostname(std::string_view host, bool is_pattern) {
  if (!is_pattern) host = strip_trailing_dot(host);
  if (host.empty() || host == "*") return false;
  std::size_t start = 0;
  for (int label = 0;; ++label) {
    auto dot = host.find('.', start);
    std::string_view part =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return false;
    if (!(is_pattern && label == 0 && part == "*")) {
      for (std::size_t j = 0; j < part.size(); ++j) {
        const char c = part[j];
        const bool ok =
            std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c == '-' && j != 0);
        if (!ok) return false;
      }
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Go's matchHostnames: same number of labels, a "*" first label matches any one label.
bool go_match_hostnames(std::string_view pattern, std::string_view host) {
  std::string p = lower(strip_trailing_dot(pattern));
  std::string h = lower(strip_trailing_dot(host));
  if (p.empty() || h.empty()) return false;
  std::size_t ps = 0, hs = 0;
  for (int label = 0;; ++label) {
    auto pd = p.find('.', ps);
    auto hd = h.find('.', hs);
    std::string_view pp = std::string_view(p).substr(ps, pd == std::string::npos ? pd : pd - ps);
    std::string_view hp = std::string_view(h).substr(hs, hd == std::string::npos ? hd : hd - hs);
    if (!(label == 0 && pp == "*") && pp != hp) return false;
    if ((pd == std::string::npos) != (hd == std::string::npos)) return false;
    if (pd == std::string::npos) return true;
    ps = pd + 1;
    hs = hd + 1;
  }
}

// Go's matchExactly: case-insensitive equality, trailing dots ignored.
bool go_match_exactly(std::string_view a, std::string_view b) {
  if (a.empty() || a == "." || b.empty() || b == ".") return false;
  return iequals(strip_trailing_dot(a), strip_trailing_dot(b));
}

bool has_ip_san(const Certificate& c, std::string_view host) {
  auto ip = core::Ipv4::parse(host);
  return ip && std::find(c.ip_addresses.begin(), c.ip_addresses.end(), *ip) != c.ip_addresses.end();
}

// Go's (*x509.Certificate).VerifyHostname (Go >= 1.15: no CN fallback).
bool go_verify_hostname(const Certificate& c, std::string_view host) {
  if (core::Ipv4::parse(host)) return has_ip_san(c, host);
  const std::string candidate = lower(host);
  const bool valid_candidate = go_valid_hostname(candidate, false);
  for (const auto& match : c.dns_names) {
    if (valid_candidate && go_valid_hostname(match, true)) {
      if (go_match_hostnames(match, candidate)) return true;
    } else if (go_match_exactly(match, candidate)) {
      return true;
    }
  }
  return false;
}

// ingress-nginx's verifyHostname: Go's old rule, with the CN when there is no DNS SAN.
bool nginx_verify_hostname(const Certificate& c, std::string_view host) {
  if (core::Ipv4::parse(host)) return has_ip_san(c, host);
  if (!c.dns_names.empty()) {
    return std::any_of(c.dns_names.begin(), c.dns_names.end(),
                       [&](const std::string& m) { return go_match_hostnames(m, host); });
  }
  return go_match_hostnames(c.common_name, host);
}

// --- curl's host matching (lib/vtls/hostcheck.c) ------------------------------------------

bool curl_hostmatch(std::string_view host, std::string_view pattern) {
  if (host.empty() || pattern.empty()) return false;
  host = strip_trailing_dot(host);
  pattern = strip_trailing_dot(pattern);
  if (pattern.substr(0, 2) != "*.") return iequals(host, pattern);
  if (is_ip_literal(host)) return false;
  // At least two dots in the pattern, or the '*' is a literal character.
  const auto first = pattern.find('.');
  if (pattern.rfind('.') == first) return iequals(host, pattern);
  const auto host_dot = host.find('.');
  if (host_dot == std::string_view::npos) return false;
  return iequals(host.substr(host_dot), pattern.substr(first));
}

// curl's Curl_ossl_verifyhost: the verbose lines it prints and its error, if any.
std::string curl_verify_host(const Certificate& c, std::string_view host,
                             std::vector<std::string>* verbose) {
  const bool ip_host = core::Ipv4::parse(host).has_value();
  if (!c.dns_names.empty() || !c.ip_addresses.empty()) {
    if (ip_host) {
      if (has_ip_san(c, host)) {
        verbose->push_back(
            fmt::format(" subjectAltName: host \"{}\" matched cert's IP address!", host));
        return {};
      }
    } else {
      for (const auto& name : c.dns_names) {
        if (curl_hostmatch(host, name)) {
          verbose->push_back(
              fmt::format(" subjectAltName: host \"{}\" matched cert's \"{}\"", host, name));
          return {};
        }
      }
    }
    verbose->push_back(fmt::format(" subjectAltName does not match {}", host));
    return fmt::format("SSL: no alternative certificate subject name matches target host name '{}'",
                       host);
  }
  if (c.common_name.empty()) return "SSL: unable to obtain common name from peer certificate";
  if (!curl_hostmatch(host, c.common_name)) {
    return fmt::format("SSL: certificate subject name '{}' does not match target host name '{}'",
                       c.common_name, host);
  }
  verbose->push_back(fmt::format(" common name: {} (matched)", c.common_name));
  return {};
}

TlsVerdict verdict_of(long err) {
  switch (err) {
    case X509_V_OK:
      return TlsVerdict::ok;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return TlsVerdict::self_signed;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return TlsVerdict::self_signed_in_chain;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return TlsVerdict::unknown_issuer;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return TlsVerdict::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return TlsVerdict::not_yet_valid;
    default:
      return TlsVerdict::untrusted;
  }
}

// OpenSSL's verification of the chain as libssl runs it for curl (ssl_verify_cert_chain):
// the store holds --cacert with X509_V_FLAG_PARTIAL_CHAIN (curl sets it unless
// CURLSSLOPT_NO_PARTIALCHAIN), the rest of the chain is untrusted, purpose and trust are
// "ssl_server", the security level is 2 (Debian's and Ubuntu's OpenSSL default).
long openssl_verify(const std::vector<Certificate>& chain, std::int64_t now_unix,
                    const std::vector<Certificate>& ca_bundle) {
  const Certificate& leaf = chain.front();
  if (!leaf.handle) {
    // The metadata-only fake certificate: it is self-signed, and nobody can trust it.
    return leaf.self_signed ? X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
                            : X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  }
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (const auto& ca : ca_bundle) {
    if (ca.handle) X509_STORE_add_cert(store.get(), ca.handle->x509);
  }
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (chain[i].handle) sk_X509_push(untrusted.get(), chain[i].handle->x509);
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.handle->x509, untrusted.get());
  X509_STORE_CTX_set_default(ctx.get(), "ssl_server");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now_unix));
  X509_VERIFY_PARAM_set_auth_level(param, 2);
  X509_verify_cert(ctx.get());
  const long err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return err;
}

}  // namespace

std::optional<TlsCertificate> load_tls_pair(std::string_view cert_pem, std::string_view key_pem,
                                            std::string* error) {
  auto fail = [&](std::string message) -> std::optional<TlsCertificate> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  // Go's tls.X509KeyPair, in its order and words.
  auto cert_types = pem_block_types(cert_pem);
  if (std::find(cert_types.begin(), cert_types.end(), "CERTIFICATE") == cert_types.end()) {
    if (cert_types.empty()) return fail("tls: failed to find any PEM data in certificate input");
    return fail(fmt::format(
        "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM "
        "blocks of the following types: {}",
        go_list(cert_types)));
  }
  auto key_types = pem_block_types(key_pem);
  if (std::none_of(key_types.begin(), key_types.end(),
                   [](const std::string& t) { return is_key_type(t); })) {
    if (key_types.empty()) return fail("tls: failed to find any PEM data in key input");
    if (std::find(key_types.begin(), key_types.end(), "CERTIFICATE") != key_types.end())
      return fail("tls: found a certificate rather than a key in the PEM for the private key");
    return fail(fmt::format(
        "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after "
        "skipping PEM blocks of the following types: {}",
        go_list(key_types)));
  }

  auto certs = read_certificates(cert_pem);
  if (certs.empty()) return fail("x509: malformed certificate");
  Bio key_bio = memory_bio(key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return fail("tls: failed to parse private key");
  EVP_PKEY* pub = X509_get0_pubkey(certs.front().get());
  if (!pub) return fail("x509: malformed certificate");
  if (EVP_PKEY_base_id(pub) != EVP_PKEY_base_id(key.get()))
    return fail("tls: private key type does not match public key type");
  if (EVP_PKEY_eq(pub, key.get()) != 1) return fail("tls: private key does not match public key");
  ERR_clear_error();

  TlsCertificate pair;
  for (auto& c : certs) pair.chain.push_back(describe(std::move(c)));
  pair.leaf = pair.chain.front();
  pair.key_pem = std::string(key_pem);
  return pair;
}

std::vector<Certificate> parse_pem_bundle(std::string_view pem, std::string* error,
                                          std::string_view file_name) {
  std::vector<Certificate> out;
  for (auto& c : read_certificates(pem)) out.push_back(describe(std::move(c)));
  if (out.empty() && error) *error = fmt::format("error setting certificate file: {}", file_name);
  return out;
}

bool certificate_matches_host(const Certificate& cert, std::string_view host) {
  std::vector<std::string> ignored;
  return curl_verify_host(cert, host, &ignored).empty();
}

bool ingress_accepts_certificate(const Certificate& cert, std::string_view server_name) {
  return go_verify_hostname(cert, server_name) || nginx_verify_hostname(cert, server_name);
}

TlsVerification verify_server_certificate(const std::vector<Certificate>& chain,
                                          std::string_view host, std::int64_t now_unix,
                                          const TrustOptions& trust) {
  TlsVerification v;
  if (chain.empty()) {
    v.verdict = TlsVerdict::untrusted;
    v.curl_exit_code = kCurlPeerFailedVerification;
    v.message = "SSL: couldn't get peer certificate";
    return v;
  }
  v.verify_result = openssl_verify(chain, now_unix, trust.ca_bundle);
  v.verify_result_text = X509_verify_cert_error_string(v.verify_result);
  if (v.verify_result != X509_V_OK && !trust.insecure) {
    // The handshake fails (SSL_R_CERTIFICATE_VERIFY_FAILED): curl reports the verify result
    // and never gets to print the certificate or check the name.
    v.verdict = verdict_of(v.verify_result);
    v.curl_exit_code = kCurlPeerFailedVerification;
    v.message = "SSL certificate problem: " + v.verify_result_text;
    return v;
  }
  const Certificate& leaf = chain.front();
  v.verbose_lines = {"Server certificate:", " subject: " + leaf.subject,
                     " start date: " + leaf.start_date_text,
                     " expire date: " + leaf.expire_date_text};
  if (!trust.insecure) {
    std::string problem = curl_verify_host(leaf, host, &v.verbose_lines);
    if (!problem.empty()) {
      v.verdict = TlsVerdict::name_mismatch;
      v.curl_exit_code = kCurlPeerFailedVerification;
      v.message = std::move(problem);
      return v;
    }
  }
  v.verbose_lines.push_back(" issuer: " + leaf.issuer);
  if (v.verify_result == X509_V_OK) {
    v.verbose_lines.emplace_back(" SSL certificate verify ok.");
  } else {
    v.verbose_lines.push_back(
        fmt::format(" SSL certificate verify result: {} ({}), continuing anyway.",
                    v.verify_result_text, v.verify_result));
  }
  return v;
}

std::string_view curl_peer_verification_advice() {
  return "More details here: https://curl.se/docs/sslcerts.html\n"
         "\n"
         "curl failed to verify the legitimacy of the server and therefore could not\n"
         "establish a secure connection to it. To learn more about this situation and\n"
         "how to fix it, please visit the web page mentioned above.\n";
}

Certificate fake_ingress_certificate(std::int64_t controller_start_unix) {
  // internal/net/ssl/ssl.go getFakeHostSSLCert: O then CN, SAN ingress.local, 365 days.
  Certificate c;
  c.subject = "O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate";
  c.issuer = c.subject;
  c.common_name = "Kubernetes Ingress Controller Fake Certificate";
  c.dns_names = {"ingress.local"};
  c.not_before_unix = controller_start_unix;
  c.not_after_unix = controller_start_unix + std::int64_t{365} * 24 * 3600;
  c.self_signed = true;
  c.start_date_text = unix_time_text(c.not_before_unix);
  c.expire_date_text = unix_time_text(c.not_after_unix);
  return c;
}

std::optional<std::size_t> select_certificate(const std::vector<TlsEntryCandidate>& entries,
                                              std::string_view sni_host) {
  const std::string host = lower(strip_trailing_dot(sni_host));
  if (host.empty()) return std::nullopt;
  std::optional<std::size_t> chosen;
  std::string server_name = host;
  for (std::size_t i = 0; i < entries.size() && !chosen; ++i) {
    for (const auto& h : entries[i].hosts)
      if (iequals(h, host)) chosen = i;
  }
  if (!chosen) {
    if (auto dot = host.find('.'); dot != std::string::npos && dot > 0) {
      const std::string wildcard = "*" + host.substr(dot);
      for (std::size_t i = 0; i < entries.size() && !chosen; ++i) {
        for (const auto& h : entries[i].hosts)
          if (iequals(h, wildcard)) chosen = i;
      }
      if (chosen) server_name = wildcard;
    }
  }
  for (std::size_t i = 0; i < entries.size() && !chosen; ++i) {
    const auto& e = entries[i];
    if (e.cert && !e.secret.empty() && go_verify_hostname(e.cert->leaf, host)) chosen = i;
  }
  if (!chosen) return std::nullopt;
  const auto& e = entries[*chosen];
  if (!e.cert || e.secret.empty() || !ingress_accepts_certificate(e.cert->leaf, server_name))
    return std::nullopt;
  return chosen;
}

CertificateTable CertificateTable::build(const std::vector<TlsIngress>& ingresses) {
  std::map<std::string, ServerCertificate> servers;
  for (std::size_t i = 0; i < ingresses.size(); ++i) {
    const TlsIngress& ing = ingresses[i];
    if (ing.tls.empty()) continue;  // another Ingress may still configure these hosts
    for (const auto& rule_host : ing.rule_hosts) {
      const std::string host = lower(rule_host);
      if (host.empty() || servers.count(host)) continue;  // "_" is the default server

      // extractTLSSecretName: the entry listing the host, else one whose certificate names it.
      std::optional<std::size_t> entry;
      for (std::size_t t = 0; t < ing.tls.size() && !entry; ++t) {
        for (const auto& h : ing.tls[t].hosts)
          if (iequals(h, host)) entry = t;
      }
      for (std::size_t t = 0; t < ing.tls.size() && !entry; ++t) {
        const auto& e = ing.tls[t];
        if (!e.secret.empty() && e.cert && go_verify_hostname(e.cert->leaf, host)) entry = t;
      }

      ServerCertificate sc;
      sc.host = host;
      sc.ingress = i;
      sc.tls_entry = entry;
      if (!entry) {
        sc.reason = fmt::format(
            "Ingress {} has a tls section, but no entry lists {} and no Secret's certificate "
            "names it: default certificate",
            ing.name, host);
      } else if (const auto& e = ing.tls[*entry]; e.secret.empty()) {
        sc.reason =
            fmt::format("Ingress {} lists {} under tls without a secretName: default certificate",
                        ing.name, host);
      } else if (!e.cert) {
        sc.reason = fmt::format(
            "Secret {} (Ingress {}) is missing or not a valid TLS pair: default certificate",
            e.secret, ing.name);
      } else if (!ingress_accepts_certificate(e.cert->leaf, host)) {
        sc.reason = fmt::format(
            "the certificate of Secret {} (Ingress {}) does not name {}: default certificate",
            e.secret, ing.name, host);
      } else {
        sc.cert = e.cert;
        sc.reason = fmt::format("Secret {} from Ingress {}", e.secret, ing.name);
      }
      servers.emplace(host, std::move(sc));
    }
  }
  CertificateTable table;
  for (auto& [host, sc] : servers) table.servers_.push_back(std::move(sc));
  return table;
}

const ServerCertificate* CertificateTable::lookup(std::string_view sni_host) const {
  const std::string host = lower(strip_trailing_dot(sni_host));
  if (host.empty() || is_ip_literal(host)) return nullptr;
  auto find = [this](const std::string& name) -> const ServerCertificate* {
    auto it = std::lower_bound(
        servers_.begin(), servers_.end(), name,
        [](const ServerCertificate& s, const std::string& n) { return s.host < n; });
    return it != servers_.end() && it->host == name ? &*it : nullptr;
  };
  if (const auto* s = find(host)) return s;
  // certificate.lua: the first label replaced by '*' (one label deep only).
  if (auto dot = host.find('.'); dot != std::string::npos && dot > 0)
    return find("*" + host.substr(dot));
  return nullptr;
}

}  // namespace podhop::dataplane
