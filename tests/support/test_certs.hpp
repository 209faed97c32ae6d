#pragma once
// Keys and X.509 certificates made at run time with OpenSSL, for tests of TLS.
//
// Nothing here is checked into the repository: every test makes its own keys. EC P-256
// keys by default (generated in microseconds; RSA 2048 on request, as `openssl req` makes).
// Dates are unix seconds; the defaults bracket podhop's simulated clock, which starts at
// kSimulationEpoch (2025-01-01T00:00:00Z).
//
//   auto ca = testing::make_ca("Test CA");
//   auto leaf = testing::make_signed_by(ca, "app.test", {"app.test", "*.app.test"});
//   auto self = testing::make_self_signed("app.test", {"app.test"});
//   // self.cert_pem and self.key.pem are what tls.crt and tls.key hold.

#include <cstdint>
#include <string>
#include <vector>

namespace podhop::testing {

/// podhop's simulated time zero, in unix seconds (2025-01-01T00:00:00Z).
inline constexpr std::int64_t kSimulationEpoch = 1735689600;
inline constexpr std::int64_t kDay = 86400;

enum class KeyType { ec_p256, rsa2048 };

/// A private key, as the PKCS#8 PEM `openssl genpkey` writes ("-----BEGIN PRIVATE KEY-----").
struct TestKey {
  std::string pem;
};

/// A fresh private key.
TestKey make_key(KeyType type = KeyType::ec_p256);

/// What goes into a certificate.
struct CertSpec {
  std::string common_name;   // empty: no CN in the subject
  std::string organization;  // empty: no O
  /// subjectAltName entries; an entry that parses as IPv4 becomes an IP SAN, others DNS.
  std::vector<std::string> sans;
  std::int64_t not_before = kSimulationEpoch - kDay;
  std::int64_t not_after = kSimulationEpoch + 365 * kDay;
  bool is_ca = false;  // basicConstraints CA:TRUE and keyCertSign, as a CA has
  long serial = 1;
};

/// A certificate and the key it certifies.
struct TestCert {
  std::string cert_pem;
  TestKey key;
};

/// A self-signed certificate, as `openssl req -x509 -newkey ... -subj /CN=cn` makes.
TestCert make_self_signed(const CertSpec& spec, const TestKey& key = make_key());
/// The same with only a CN, SANs and dates.
TestCert make_self_signed(const std::string& cn, const std::vector<std::string>& sans,
                          std::int64_t not_before = kSimulationEpoch - kDay,
                          std::int64_t not_after = kSimulationEpoch + 365 * kDay);

/// A self-signed CA (CA:TRUE, keyCertSign) named CN=cn.
TestCert make_ca(const std::string& cn, std::int64_t not_before = kSimulationEpoch - kDay,
                 std::int64_t not_after = kSimulationEpoch + 3650 * kDay);

/// A certificate for `spec` signed by `ca` (its issuer is the CA's subject).
TestCert make_signed_by(const TestCert& ca, const CertSpec& spec, const TestKey& key = make_key());
/// The same with only a CN, SANs and dates.
TestCert make_signed_by(const TestCert& ca, const std::string& cn,
                        const std::vector<std::string>& sans,
                        std::int64_t not_before = kSimulationEpoch - kDay,
                        std::int64_t not_after = kSimulationEpoch + 365 * kDay);

}  // namespace podhop::testing
