#include "support/test_certs.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "podhop/core/ip.hpp"

namespace podhop::testing {

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
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test_certs: ") + what);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Pkey read_key(const TestKey& key) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(key.pem.data(), static_cast<int>(key.pem.size())));
  Pkey k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  require(k != nullptr, "unreadable key");
  return k;
}

Cert read_cert(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  require(c != nullptr, "unreadable certificate");
  return c;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  require(ext != nullptr, "bad extension");
  require(X509_add_ext(cert, ext.get(), -1) == 1, "cannot add extension");
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return;
  require(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                     0) == 1,
          "bad name entry");
}

// Builds and signs a certificate. `issuer` null: self-signed with `key`.
TestCert build(const CertSpec& spec, const TestKey& key, const TestCert* issuer) {
  Pkey subject_key = read_key(key);
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(cert.get(), subject_key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name_entry(name, "CN", spec.common_name);
  add_name_entry(name, "O", spec.organization);

  Cert issuer_cert;
  Pkey signing_key;
  if (issuer) {
    issuer_cert = read_cert(issuer->cert_pem);
    signing_key = read_key(issuer->key);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }

  // The extensions `openssl req -x509` (v3_ca) and `openssl x509 -req` (a leaf) add.
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer_cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), &ctx, NID_authority_key_identifier, issuer ? "keyid,issuer" : "keyid:always");
  if (spec.is_ca || !issuer)
    add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  else
    add_ext(cert.get(), &ctx, NID_basic_constraints, "CA:FALSE");
  if (spec.is_ca) add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (!spec.sans.empty()) {
    std::string sans;
    for (const auto& s : spec.sans) {
      if (!sans.empty()) sans += ",";
      sans += (core::Ipv4::parse(s) ? "IP:" : "DNS:") + s;
    }
    add_ext(cert.get(), &ctx, NID_subject_alt_name, sans);
  }
  require(X509_sign(cert.get(), issuer ? signing_key.get() : subject_key.get(), EVP_sha256()) > 0,
          "cannot sign");

  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert.get());
  return TestCert{bio_text(out.get()), key};
}

}  // namespace

TestKey make_key(KeyType type) {
  Pkey key(type == KeyType::rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  require(key != nullptr, "key generation failed");
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return TestKey{bio_text(bio.get())};
}

TestCert make_self_signed(const CertSpec& spec, const TestKey& key) {
  return build(spec, key, nullptr);
}

TestCert make_self_signed(const std::string& cn, const std::vector<std::string>& sans,
                          std::int64_t not_before, std::int64_t not_after) {
  CertSpec spec;
  spec.common_name = cn;
  spec.sans = sans;
  spec.not_before = not_before;
  spec.not_after = not_after;
  return make_self_signed(spec);
}

TestCert make_ca(const std::string& cn, std::int64_t not_before, std::int64_t not_after) {
  CertSpec spec;
  spec.common_name = cn;
  spec.not_before = not_before;
  spec.not_after = not_after;
  spec.is_ca = true;
  return make_self_signed(spec);
}

TestCert make_signed_by(const TestCert& ca, const CertSpec& spec, const TestKey& key) {
  return build(spec, key, &ca);
}

TestCert make_signed_by(const TestCert& ca, const std::string& cn,
                        const std::vector<std::string>& sans, std::int64_t not_before,
                        std::int64_t not_after) {
  CertSpec spec;
  spec.common_name = cn;
  spec.sans = sans;
  spec.not_before = not_before;
  spec.not_after = not_after;
  spec.serial = 2;
  return make_signed_by(ca, spec);
}

}  // namespace podhop::testing
