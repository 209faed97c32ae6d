#pragma once
// TLS as the ingress controller serves it and curl checks it, on real X.509 certificates.
//
// A pure library: it parses the PEM of kubernetes.io/tls Secrets with OpenSSL, chooses the
// certificate ingress-nginx would present for an SNI name, and verifies it the way curl 8.8
// built with OpenSSL 3 does (OpenSSL's own X509_verify_cert for the chain, curl's host
// matching for the name), with curl's words and exit codes. It knows nothing of the
// pipeline; time is always a parameter (`now_unix`, seconds since 1970 UTC).
// docs/tls.md cites the upstream source of each rule.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/ip.hpp"

namespace podhop::dataplane {

/// The parsed OpenSSL certificate behind a Certificate (defined in tls.cpp only).
struct CertificateHandle;

/// A parsed X.509 certificate: what the ingress controller and curl look at.
struct Certificate {
  std::string subject;      // one line, as curl -v prints it: "CN=app.test; O=Example"
  std::string issuer;       // same format
  std::string common_name;  // the last CN of the subject (the one curl matches); may be empty
  std::vector<std::string> dns_names;    // subjectAltName DNS entries, lowercase, in order
  std::vector<core::Ipv4> ip_addresses;  // subjectAltName IPv4 entries, in order
  std::int64_t not_before_unix = 0;
  std::int64_t not_after_unix = 0;
  bool self_signed = false;        // issuer == subject and its own key verifies the signature
  std::string sha256_fingerprint;  // lowercase hex of the DER's SHA-256; empty for the fake
  std::string pem;                 // this certificate alone, as PEM; empty for the fake
  std::string start_date_text;     // as curl -v prints it: "Jan  1 00:00:00 2025 GMT"
  std::string expire_date_text;
  /// The OpenSSL certificate; null for fake_ingress_certificate(), which is metadata only.
  std::shared_ptr<const CertificateHandle> handle;
};

/// A certificate and key from a kubernetes.io/tls Secret (tls.crt, tls.key), checked.
struct TlsCertificate {
  Certificate leaf;                // the first CERTIFICATE block of tls.crt
  std::vector<Certificate> chain;  // every CERTIFICATE block of tls.crt, leaf first
  std::string key_pem;
};

/// Parses tls.crt + tls.key as Go's tls.X509KeyPair does (the check kubectl create secret
/// tls and ingress-nginx run): PEM blocks found, the key parses and matches the
/// certificate. On failure returns nullopt and sets *error to Go's words, e.g.
/// "tls: private key does not match public key",
/// "tls: failed to find any PEM data in certificate input".
std::optional<TlsCertificate> load_tls_pair(std::string_view cert_pem, std::string_view key_pem,
                                            std::string* error);

/// Parses every certificate of a PEM bundle (curl --cacert FILE), in order. When there is
/// none, returns an empty list and sets *error to curl's words (exit code 77):
/// "error setting certificate file: FILE".
std::vector<Certificate> parse_pem_bundle(std::string_view pem, std::string* error,
                                          std::string_view file_name = "");

/// The exit code curl gives when --cacert has no certificate (CURLE_SSL_CACERT_BADFILE).
inline constexpr int kCurlCacertBadFile = 77;
/// The exit code of a certificate curl does not accept (CURLE_PEER_FAILED_VERIFICATION).
inline constexpr int kCurlPeerFailedVerification = 60;

/// Host matching as curl 8 does it on an OpenSSL build (RFC 6125): an IPv4 host against the
/// IP SANs, a name against the DNS SANs, case-insensitively, trailing dots ignored; a
/// wildcard only as the whole left-most label of a pattern with at least two dots
/// ("*.app.test" matches "a.app.test", not "a.b.app.test" nor "app.test"; "*.test" matches
/// only itself), never for an IP host. The subject CN is used only when the certificate has
/// no DNS and no IP SAN at all.
bool certificate_matches_host(const Certificate& cert, std::string_view host);

/// The check ingress-nginx runs before it serves a Secret's certificate for a server name:
/// Go's x509 VerifyHostname (DNS SANs, a "*" left-most label matching exactly one label, no
/// two-dot rule, IP hosts against IP SANs) and, when that fails, its own CN fallback for
/// certificates without DNS SANs. A wildcard server name ("*.app.test") matches a DNS SAN
/// equal to it.
bool ingress_accepts_certificate(const Certificate& cert, std::string_view server_name);

/// What a client (curl) concludes about the server's certificate.
enum class TlsVerdict {
  ok,
  self_signed,           // the leaf is self-signed and not trusted
  self_signed_in_chain,  // the chain ends in a self-signed CA that is not trusted
  unknown_issuer,        // no trusted certificate issued the chain
  expired,               // a certificate of the chain is past notAfter
  not_yet_valid,         // a certificate of the chain is before notBefore
  untrusted,             // any other OpenSSL verification error (bad signature, not a CA...)
  name_mismatch,         // the chain is trusted but does not name the host
};

/// curl's --cacert and -k.
struct TrustOptions {
  bool insecure = false;               // -k: neither the chain nor the name is checked
  std::vector<Certificate> ca_bundle;  // --cacert; empty: a system bundle of public CAs,
                                       // which never signed a certificate made in a cluster
};

/// The outcome of verify_server_certificate.
struct TlsVerification {
  TlsVerdict verdict = TlsVerdict::ok;
  int curl_exit_code = 0;  // 0, or 60 (kCurlPeerFailedVerification)
  /// curl's error text, printed after "curl: (60) "; empty when accepted.
  std::string message;
  /// OpenSSL's verify result for the chain (X509_V_OK = 0; 18 self-signed, 20 unknown
  /// issuer, 10 expired...) and its text, computed even with -k: curl -k -v prints
  /// "SSL certificate verify result: self-signed certificate (18), continuing anyway."
  long verify_result = 0;
  std::string verify_result_text = "ok";
  /// What curl -v prints about the certificate, one line each, without the "* " prefix
  /// ("Server certificate:", " subject: ...", " start date: ...", " expire date: ...",
  /// " subjectAltName: host \"app.test\" matched cert's \"app.test\"", " issuer: ...",
  /// " SSL certificate verify ok."). Empty when the handshake itself failed (a chain
  /// error without -k): curl then prints only "SSL certificate problem: ...".
  std::vector<std::string> verbose_lines;
};

/// curl's verification of `chain` (leaf first, as the server sends it) for `host` at
/// `now_unix`, in curl's order: the chain first (during the handshake, OpenSSL's
/// X509_verify_cert with curl's settings: trust = ca_bundle, partial chains allowed,
/// purpose sslserver, security level 2), then the name. Messages as curl 8.8 + OpenSSL 3
/// print them, all exit 60:
///   "SSL certificate problem: self-signed certificate"
///   "SSL certificate problem: self-signed certificate in certificate chain"
///   "SSL certificate problem: unable to get local issuer certificate"
///   "SSL certificate problem: certificate has expired"
///   "SSL certificate problem: certificate is not yet valid"
///   "SSL: no alternative certificate subject name matches target host name 'HOST'"
///   "SSL: certificate subject name 'CN' does not match target host name 'HOST'"
///   "SSL: unable to obtain common name from peer certificate"
/// -k accepts everything (exit 0), with verify_result still filled in.
TlsVerification verify_server_certificate(const std::vector<Certificate>& chain,
                                          std::string_view host, std::int64_t now_unix,
                                          const TrustOptions& trust);

/// What curl prints after "curl: (60) MESSAGE\n" (unless -s without -S): the pointer to its
/// page on certificates, as the curl tool words it.
std::string_view curl_peer_verification_advice();

/// ingress-nginx's default certificate, served when no server certificate matches the SNI:
/// subject and issuer "O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate",
/// self-signed, SAN DNS ingress.local, valid for 365 days from `controller_start_unix`
/// (the controller generates it when it starts). Metadata only (no key, PEM or
/// fingerprint: generating a key is random), so every field podhop prints is deterministic.
/// curl rejects it with "SSL certificate problem: self-signed certificate" unless -k.
Certificate fake_ingress_certificate(std::int64_t controller_start_unix);

/// One Ingress `tls` entry as the certificate choice sees it.
struct TlsEntryCandidate {
  std::vector<std::string> hosts;        // spec.tls[].hosts
  const TlsCertificate* cert = nullptr;  // the Secret's pair; null when the Secret is missing,
                                         // not kubernetes.io/tls, or fails load_tls_pair
  std::string secret;                    // "ns/name"; empty when secretName is not set
};

/// A simplified choice among the tls entries of one Ingress, for a client's SNI name: the
/// first entry listing the name exactly (case-insensitively), else the first listing
/// "*.<parent>" of it, else the first whose certificate passes Go's VerifyHostname for it;
/// then only if ingress_accepts_certificate holds and the certificate loaded. nullopt means
/// the fake certificate. CertificateTable is the whole rule, with rule hosts and
/// several Ingresses: prefer it in the data plane.
std::optional<std::size_t> select_certificate(const std::vector<TlsEntryCandidate>& entries,
                                              std::string_view sni_host);

/// One Ingress as ingress-nginx's certificate table sees it. Leave canary Ingresses out, as
/// the controller does.
struct TlsIngress {
  std::string name;                     // "ns/name", for traces
  std::vector<std::string> rule_hosts;  // spec.rules[].host in order; "" for a rule without
  std::vector<TlsEntryCandidate> tls;   // spec.tls in order
};

/// The certificate of one server (one host of the controller's nginx configuration).
struct ServerCertificate {
  std::string host;                      // lowercase; may be a wildcard "*.app.test"
  std::size_t ingress = 0;               // index of the Ingress that configured it
  std::optional<std::size_t> tls_entry;  // the tls entry whose Secret it serves, if any
  /// The pair served; null when the server gets the default (fake) certificate because the
  /// host's Secret is missing, invalid or does not name the host.
  const TlsCertificate* cert = nullptr;
  std::string reason;  // why, in ingress-nginx's terms, for the ingress hop of the trace
};

/// The host -> certificate table ingress-nginx builds (controller.go createServers, then
/// certificate.lua's lookup by SNI).
class CertificateTable {
 public:
  /// Builds the table from the controller's Ingresses in its order: by creationTimestamp,
  /// ties by "ns/name" descending (store.go sortIngressSlice). For each rule host, the first
  /// Ingress with a non-empty `tls` section sets the server's certificate: the tls entry
  /// listing the host, else the first entry whose certificate passes VerifyHostname; the
  /// fake certificate when that entry has no Secret, the Secret is missing or invalid, or
  /// its certificate does not name the host (ingress_accepts_certificate).
  static CertificateTable build(const std::vector<TlsIngress>& ingresses);

  /// The server for a client's SNI name: the server named exactly (case-insensitively, a
  /// trailing dot ignored), else the server "*.<parent>"; nullptr when neither exists, and
  /// for an empty name or an IPv4 address (curl sends no SNI for an IP). The controller
  /// presents the entry's `cert`, or fake_ingress_certificate() when there is no entry or
  /// its `cert` is null.
  const ServerCertificate* lookup(std::string_view sni_host) const;

  /// ingress-nginx's ssl-redirect condition for plain HTTP with this Host header: the server
  /// has a certificate configured, even the fake one (the same lookup), so the answer is a
  /// 308 to https.
  bool redirects_to_https(std::string_view host) const { return lookup(host) != nullptr; }

  /// Every server with a certificate configured, sorted by host.
  const std::vector<ServerCertificate>& servers() const { return servers_; }

 private:
  std::vector<ServerCertificate> servers_;  // sorted by host: binary search
};

}  // namespace podhop::dataplane
