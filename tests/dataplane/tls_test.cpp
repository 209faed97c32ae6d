// TLS: certificates parsed with OpenSSL, curl's verification and host matching,
// ingress-nginx's choice of certificate. Keys and certificates are made at run time.
#include "podhop/dataplane/tls.hpp"

#include <catch2/catch.hpp>

#include "support/test_certs.hpp"

namespace podhop::dataplane {
namespace {

using testing::CertSpec;
using testing::kDay;
using testing::kSimulationEpoch;
using testing::TestCert;

TlsCertificate pair_of(const TestCert& c) {
  std::string error;
  auto pair = load_tls_pair(c.cert_pem, c.key.pem, &error);
  INFO(error);
  REQUIRE(pair);
  return *pair;
}

Certificate cert_of(const TestCert& c) {
  return pair_of(c).leaf;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Parsing

TEST_CASE("a certificate's fields are read as curl -v prints them", "[dataplane][tls]") {
  CertSpec spec;
  spec.common_name = "app.test";
  spec.organization = "Example";
  spec.sans = {"App.Test", "*.app.test", "10.0.0.5"};
  spec.not_before = kSimulationEpoch;
  spec.not_after = kSimulationEpoch + 365 * kDay;
  auto made = testing::make_self_signed(spec);
  auto pair = pair_of(made);
  const Certificate& c = pair.leaf;
  CHECK(c.subject == "CN=app.test; O=Example");
  CHECK(c.issuer == c.subject);
  CHECK(c.common_name == "app.test");
  CHECK(c.dns_names == std::vector<std::string>{"app.test", "*.app.test"});
  REQUIRE(c.ip_addresses.size() == 1);
  CHECK(c.ip_addresses[0].str() == "10.0.0.5");
  CHECK(c.not_before_unix == kSimulationEpoch);
  CHECK(c.not_after_unix == kSimulationEpoch + 365 * kDay);
  CHECK(c.start_date_text == "Jan  1 00:00:00 2025 GMT");
  CHECK(c.expire_date_text == "Jan  1 00:00:00 2026 GMT");
  CHECK(c.self_signed);
  CHECK(c.sha256_fingerprint.size() == 64);
  CHECK(c.pem == made.cert_pem);
  CHECK(pair.chain.size() == 1);
  CHECK(pair.key_pem == made.key.pem);

  auto ca = testing::make_ca("Test CA");
  auto leaf = cert_of(testing::make_signed_by(ca, "leaf.test", {"leaf.test"}));
  CHECK(leaf.issuer == "CN=Test CA");
  CHECK_FALSE(leaf.self_signed);
}

TEST_CASE("load_tls_pair refuses what Go's tls.X509KeyPair refuses, in its words",
          "[dataplane][tls]") {
  auto made = testing::make_self_signed("app.test", {"app.test"});
  auto other_key = testing::make_key();
  auto rsa_key = testing::make_key(testing::KeyType::rsa2048);
  struct Case {
    std::string name, cert, key, error;
  };
  std::vector<Case> cases = {
      {"a key of another pair", made.cert_pem, other_key.pem,
       "tls: private key does not match public key"},
      {"a key of another type", made.cert_pem, rsa_key.pem,
       "tls: private key type does not match public key type"},
      {"garbage as the certificate", "not pem at all\n", made.key.pem,
       "tls: failed to find any PEM data in certificate input"},
      {"an empty certificate", "", made.key.pem,
       "tls: failed to find any PEM data in certificate input"},
      {"a key where the certificate goes", made.key.pem, made.key.pem,
       "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM "
       "blocks of the following types: [PRIVATE KEY]"},
      {"an empty key", made.cert_pem, "", "tls: failed to find any PEM data in key input"},
      {"the certificate where the key goes", made.cert_pem, made.cert_pem,
       "tls: found a certificate rather than a key in the PEM for the private key"},
      {"a corrupt key block", made.cert_pem,
       "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "tls: failed to parse private key"},
  };
  // A loop, not SECTIONs: each SECTION would rerun the (slow) RSA key generation.
  for (const auto& c : cases) {
    INFO(c.name);
    std::string error;
    CHECK_FALSE(load_tls_pair(c.cert, c.key, &error));
    CHECK(error == c.error);
  }
}

TEST_CASE("load_tls_pair keeps every certificate of tls.crt as the chain, leaf first",
          "[dataplane][tls]") {
  auto ca = testing::make_ca("Chain CA");
  auto leaf = testing::make_signed_by(ca, "app.test", {"app.test"});
  std::string error;
  auto pair = load_tls_pair(leaf.cert_pem + ca.cert_pem, leaf.key.pem, &error);
  REQUIRE(pair);
  REQUIRE(pair->chain.size() == 2);
  CHECK(pair->leaf.subject == "CN=app.test");
  CHECK(pair->chain[1].subject == "CN=Chain CA");
}

TEST_CASE("parse_pem_bundle reads every certificate or fails with curl's words",
          "[dataplane][tls]") {
  auto a = testing::make_ca("A");
  auto b = testing::make_ca("B");
  std::string error;
  auto bundle =
      parse_pem_bundle("junk before\n" + a.cert_pem + b.key.pem + b.cert_pem, &error, "ca.pem");
  REQUIRE(bundle.size() == 2);
  CHECK(bundle[0].subject == "CN=A");
  CHECK(bundle[1].subject == "CN=B");
  CHECK(error.empty());

  CHECK(parse_pem_bundle("no certificate here\n", &error, "ca.pem").empty());
  CHECK(error == "error setting certificate file: ca.pem");
  CHECK(kCurlCacertBadFile == 77);
}

// ---------------------------------------------------------------------------------------
// Host matching

TEST_CASE("curl matches the host against the SANs and the CN only without SANs",
          "[dataplane][tls]") {
  auto sans =
      cert_of(testing::make_self_signed("cn-only.test", {"app.test", "*.example.com", "10.0.0.5"}));
  auto short_wildcard = cert_of(testing::make_self_signed("", {"*.test"}));
  auto cn_only = cert_of(testing::make_self_signed("app.test", {}));
  auto cn_wildcard = cert_of(testing::make_self_signed("*.app.test", {}));
  auto cn_ip = cert_of(testing::make_self_signed("10.0.0.7", {}));
  auto ip_only = cert_of(testing::make_self_signed("app.test", {"10.0.0.5"}));
  auto nothing = cert_of(testing::make_self_signed("", {}));
  struct Case {
    const Certificate* cert;
    std::string host;
    bool matches;
  };
  std::vector<Case> cases = {
      {&sans, "app.test", true},
      {&sans, "APP.Test", true},          // case-insensitive
      {&sans, "app.test.", true},         // trailing dot ignored
      {&sans, "www.example.com", true},   // wildcard: one left-most label
      {&sans, "a.b.example.com", false},  // not two labels
      {&sans, "example.com", false},      // not the bare domain
      {&sans, "other.test", false},
      {&sans, "cn-only.test", false},  // the CN is ignored when there are SANs
      {&sans, "10.0.0.5", true},       // IP SAN
      {&sans, "10.0.0.6", false},
      {&short_wildcard, "app.test", false},  // curl wants two dots after a wildcard
      {&short_wildcard, "*.test", true},     // ... and compares it literally
      {&cn_only, "app.test", true},          // CN fallback without SANs
      {&cn_only, "APP.TEST", true},
      {&cn_only, "other.test", false},
      {&cn_wildcard, "x.app.test", true},
      {&cn_wildcard, "app.test", false},
      {&cn_ip, "10.0.0.7", true},
      {&ip_only, "app.test", false},  // an IP SAN is a SAN: no CN fallback
      {&ip_only, "10.0.0.5", true},
      {&nothing, "app.test", false},
  };
  for (const auto& c : cases) {
    INFO(c.cert->subject << " " << c.host);
    CHECK(certificate_matches_host(*c.cert, c.host) == c.matches);
  }
}

TEST_CASE("ingress-nginx accepts a certificate for a server by Go's rules", "[dataplane][tls]") {
  auto short_wildcard = cert_of(testing::make_self_signed("", {"*.test"}));
  auto wildcard = cert_of(testing::make_self_signed("", {"*.app.test"}));
  auto cn_only = cert_of(testing::make_self_signed("app.test", {}));
  auto san_and_cn = cert_of(testing::make_self_signed("cn.test", {"san.test"}));
  auto ip = cert_of(testing::make_self_signed("", {"10.0.0.5"}));
  struct Case {
    const Certificate* cert;
    std::string server;
    bool accepted;
  };
  std::vector<Case> cases = {
      {&short_wildcard, "app.test", true},  // Go has no two-dot rule
      {&wildcard, "x.app.test", true},
      {&wildcard, "a.b.app.test", false},
      {&wildcard, "app.test", false},
      {&wildcard, "*.app.test", true},  // a wildcard server named like the SAN
      {&cn_only, "app.test", true},     // ingress-nginx's CN fallback
      {&san_and_cn, "cn.test", false},  // no CN fallback with DNS SANs
      {&san_and_cn, "SAN.test", true},
      {&ip, "10.0.0.5", true},
      {&ip, "10.0.0.6", false},
  };
  for (const auto& c : cases) {
    INFO(c.cert->subject << " " << c.server);
    CHECK(ingress_accepts_certificate(*c.cert, c.server) == c.accepted);
  }
}

// ---------------------------------------------------------------------------------------
// Verification

TEST_CASE("curl's verdict on a server certificate, with its message and exit code",
          "[dataplane][tls]") {
  const std::int64_t now = kSimulationEpoch;
  auto self = cert_of(testing::make_self_signed("app.test", {"app.test"}));
  auto ca = testing::make_ca("Test CA");
  auto ca_cert = cert_of(ca);
  auto other_ca = cert_of(testing::make_ca("Other CA"));
  auto leaf = cert_of(testing::make_signed_by(ca, "app.test", {"app.test"}));
  auto expired = cert_of(
      testing::make_self_signed("app.test", {"app.test"}, now - 400 * kDay, now - 35 * kDay));
  auto future = cert_of(
      testing::make_self_signed("app.test", {"app.test"}, now + 30 * kDay, now + 400 * kDay));
  auto cn_only = cert_of(testing::make_self_signed("app.test", {}));
  auto nameless = cert_of(testing::make_self_signed("", {}));

  struct Case {
    std::string name;
    std::vector<Certificate> chain;
    std::string host;
    TrustOptions trust;
    TlsVerdict verdict;
    std::string message;
  };
  auto trust = [](std::vector<Certificate> bundle) {
    TrustOptions t;
    t.ca_bundle = std::move(bundle);
    return t;
  };
  TrustOptions insecure;
  insecure.insecure = true;
  std::vector<Case> cases = {
      {"self-signed and not trusted",
       {self},
       "app.test",
       {},
       TlsVerdict::self_signed,
       "SSL certificate problem: self-signed certificate"},
      {"self-signed and trusted with --cacert",
       {self},
       "app.test",
       trust({self}),
       TlsVerdict::ok,
       ""},
      {"signed by a CA in the bundle", {leaf}, "app.test", trust({ca_cert}), TlsVerdict::ok, ""},
      {"signed by a CA nobody trusts",
       {leaf},
       "app.test",
       {},
       TlsVerdict::unknown_issuer,
       "SSL certificate problem: unable to get local issuer certificate"},
      {"signed by a CA other than the bundle's",
       {leaf},
       "app.test",
       trust({other_ca}),
       TlsVerdict::unknown_issuer,
       "SSL certificate problem: unable to get local issuer certificate"},
      {"the server sends its untrusted CA",
       {leaf, ca_cert},
       "app.test",
       {},
       TlsVerdict::self_signed_in_chain,
       "SSL certificate problem: self-signed certificate in certificate chain"},
      {"the leaf itself trusted (partial chain)",
       {leaf},
       "app.test",
       trust({leaf}),
       TlsVerdict::ok,
       ""},
      {"trusted but for another name",
       {self},
       "other.test",
       trust({self}),
       TlsVerdict::name_mismatch,
       "SSL: no alternative certificate subject name matches target host name 'other.test'"},
      {"a CN-only certificate for another name",
       {cn_only},
       "other.test",
       trust({cn_only}),
       TlsVerdict::name_mismatch,
       "SSL: certificate subject name 'app.test' does not match target host name 'other.test'"},
      {"a certificate with no name at all",
       {nameless},
       "app.test",
       trust({nameless}),
       TlsVerdict::name_mismatch,
       "SSL: unable to obtain common name from peer certificate"},
      {"trusted but expired",
       {expired},
       "app.test",
       trust({expired}),
       TlsVerdict::expired,
       "SSL certificate problem: certificate has expired"},
      {"trusted but not yet valid",
       {future},
       "app.test",
       trust({future}),
       TlsVerdict::not_yet_valid,
       "SSL certificate problem: certificate is not yet valid"},
      {"expired and untrusted: the issuer is checked first",
       {expired},
       "app.test",
       {},
       TlsVerdict::self_signed,
       "SSL certificate problem: self-signed certificate"},
      {"untrusted with the wrong name: the chain is checked first",
       {self},
       "other.test",
       {},
       TlsVerdict::self_signed,
       "SSL certificate problem: self-signed certificate"},
      {"-k accepts a self-signed certificate for another name",
       {self},
       "other.test",
       insecure,
       TlsVerdict::ok,
       ""},
      {"-k accepts an expired certificate", {expired}, "app.test", insecure, TlsVerdict::ok, ""},
      {"the fake certificate without -k",
       {fake_ingress_certificate(now)},
       "app.test",
       {},
       TlsVerdict::self_signed,
       "SSL certificate problem: self-signed certificate"},
      {"the fake certificate with -k",
       {fake_ingress_certificate(now)},
       "app.test",
       insecure,
       TlsVerdict::ok,
       ""},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto v = verify_server_certificate(c.chain, c.host, now, c.trust);
    CHECK(v.verdict == c.verdict);
    CHECK(v.message == c.message);
    CHECK(v.curl_exit_code == (c.verdict == TlsVerdict::ok ? 0 : 60));
  }
}

TEST_CASE("curl -v lines about the certificate follow curl's order", "[dataplane][tls]") {
  CertSpec spec;
  spec.common_name = "app.test";
  spec.sans = {"app.test"};
  spec.not_before = kSimulationEpoch;
  spec.not_after = kSimulationEpoch + 365 * kDay;
  auto self = cert_of(testing::make_self_signed(spec));
  TrustOptions trusted;
  trusted.ca_bundle = {self};
  auto ok = verify_server_certificate({self}, "app.test", kSimulationEpoch, trusted);
  CHECK(ok.verify_result == 0);
  CHECK(ok.verbose_lines == std::vector<std::string>{
                                "Server certificate:",
                                " subject: CN=app.test",
                                " start date: Jan  1 00:00:00 2025 GMT",
                                " expire date: Jan  1 00:00:00 2026 GMT",
                                " subjectAltName: host \"app.test\" matched cert's \"app.test\"",
                                " issuer: CN=app.test",
                                " SSL certificate verify ok.",
                            });

  TrustOptions insecure;
  insecure.insecure = true;
  auto k = verify_server_certificate({self}, "app.test", kSimulationEpoch, insecure);
  CHECK(k.verify_result == 18);
  CHECK(k.verify_result_text == "self-signed certificate");
  CHECK(k.verbose_lines.back() ==
        " SSL certificate verify result: self-signed certificate (18), continuing anyway.");
  CHECK(k.verbose_lines.size() == 6);  // no host check with -k

  auto failed = verify_server_certificate({self}, "app.test", kSimulationEpoch, {});
  CHECK(failed.verbose_lines.empty());  // the handshake failed before curl looked

  auto mismatch = verify_server_certificate({self}, "b.test", kSimulationEpoch, trusted);
  CHECK(mismatch.verbose_lines.back() == " subjectAltName does not match b.test");

  CHECK(std::string(curl_peer_verification_advice())
            .starts_with("More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed"));
}

TEST_CASE("the fake certificate is ingress-nginx's and depends only on the start time",
          "[dataplane][tls]") {
  auto fake = fake_ingress_certificate(kSimulationEpoch);
  CHECK(fake.subject == "O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate");
  CHECK(fake.issuer == fake.subject);
  CHECK(fake.common_name == "Kubernetes Ingress Controller Fake Certificate");
  CHECK(fake.dns_names == std::vector<std::string>{"ingress.local"});
  CHECK(fake.self_signed);
  CHECK(fake.start_date_text == "Jan  1 00:00:00 2025 GMT");
  CHECK(fake.expire_date_text == "Jan  1 00:00:00 2026 GMT");
  CHECK(fake.not_after_unix - fake.not_before_unix == 365 * kDay);
  CHECK(fake.pem.empty());
  CHECK(fake.sha256_fingerprint.empty());
  auto again = fake_ingress_certificate(kSimulationEpoch);
  CHECK(again.subject == fake.subject);
  CHECK(again.start_date_text == fake.start_date_text);
  CHECK(fake_ingress_certificate(kSimulationEpoch + 3600).start_date_text ==
        "Jan  1 01:00:00 2025 GMT");
  CHECK(certificate_matches_host(fake, "ingress.local"));
  CHECK_FALSE(certificate_matches_host(fake, "app.test"));
}

// ---------------------------------------------------------------------------------------
// Choosing the certificate

TEST_CASE("select_certificate prefers the entry naming the host, then a wildcard entry",
          "[dataplane][tls]") {
  auto a = pair_of(testing::make_self_signed("", {"a.test"}));
  auto wild = pair_of(testing::make_self_signed("", {"*.wild.test"}));
  auto b1 = pair_of(testing::make_self_signed("", {"b.test"}));
  auto b2 = pair_of(testing::make_self_signed("", {"b.test"}));
  auto c = pair_of(testing::make_self_signed("", {"c.test"}));
  auto wrong = pair_of(testing::make_self_signed("", {"elsewhere.test"}));
  std::vector<TlsEntryCandidate> entries = {
      {{"a.test"}, &a, "default/a"},
      {{"*.wild.test"}, &wild, "default/wild"},
      {{"b.test"}, &b1, "default/b1"},
      {{"b.test"}, &b2, "default/b2"},
      {{"unlisted.test"}, &c, "default/c"},  // its certificate names c.test
      {{"d.test"}, &wrong, "default/wrong"},
      {{"e.test"}, nullptr, "default/missing"},
      {{"f.test"}, &a, ""},
  };
  struct Case {
    std::string sni;
    std::optional<std::size_t> entry;
  };
  std::vector<Case> cases = {
      {"a.test", 0},     {"A.TEST.", 0}, {"x.wild.test", 1},   {"y.x.wild.test", {}},
      {"wild.test", {}}, {"b.test", 2},  {"c.test", 4},        {"d.test", {}},
      {"e.test", {}},    {"f.test", {}}, {"nothing.test", {}}, {"", {}},
  };
  for (const auto& cs : cases) {
    INFO(cs.sni);
    CHECK(select_certificate(entries, cs.sni) == cs.entry);
  }
}

TEST_CASE("the certificate table follows ingress-nginx's createServers and certificate.lua",
          "[dataplane][tls]") {
  auto app1 = pair_of(testing::make_self_signed("", {"app.test"}));
  auto app2 = pair_of(testing::make_self_signed("", {"app.test"}));
  auto wild = pair_of(testing::make_self_signed("", {"*.wild.test"}));
  auto api = pair_of(testing::make_self_signed("", {"api.wild.test"}));
  auto other = pair_of(testing::make_self_signed("", {"other.test"}));

  std::vector<TlsIngress> ingresses = {
      // Oldest first. No tls: does not stop a later Ingress from setting app.test's cert.
      {"default/plain", {"app.test", "plain.test"}, {}},
      {"default/first",
       {"app.test", "nolisted.test", "nosecret.test", "missing.test", "wrongcert.test"},
       {{{"app.test"}, &app1, "default/app1"},
        {{"nosecret.test"}, nullptr, ""},
        {{"missing.test"}, nullptr, "default/missing"},
        {{"wrongcert.test"}, &other, "default/other"}}},
      {"default/second", {"app.test"}, {{{"app.test"}, &app2, "default/app2"}}},
      {"default/wild",
       {"*.wild.test", "api.wild.test", ""},
       {{{"*.wild.test"}, &wild, "default/wild"}, {{"api.wild.test"}, &api, "default/api"}}},
      {"default/tls-only", {"x.test"}, {{{"listed-only.test"}, &other, "default/other"}}},
  };
  auto table = CertificateTable::build(ingresses);

  const auto* s = table.lookup("app.test");
  REQUIRE(s);
  CHECK(s->cert == &app1);  // the first Ingress with tls for the host wins
  CHECK(s->ingress == 1);
  CHECK(s->reason == "Secret default/app1 from Ingress default/first");
  CHECK(table.lookup("APP.Test.") == s);

  struct Fallback {
    std::string host, reason;
  };
  std::vector<Fallback> fallbacks = {
      {"nolisted.test",
       "Ingress default/first has a tls section, but no entry lists nolisted.test and no "
       "Secret's certificate names it: default certificate"},
      {"nosecret.test",
       "Ingress default/first lists nosecret.test under tls without a secretName: default "
       "certificate"},
      {"missing.test",
       "Secret default/missing (Ingress default/first) is missing or not a valid TLS pair: "
       "default certificate"},
      {"wrongcert.test",
       "the certificate of Secret default/other (Ingress default/first) does not name "
       "wrongcert.test: default certificate"},
      {"x.test",
       "Ingress default/tls-only has a tls section, but no entry lists x.test and no Secret's "
       "certificate names it: default certificate"},
  };
  for (const auto& f : fallbacks) {
    INFO(f.host);
    const auto* fb = table.lookup(f.host);
    REQUIRE(fb);
    CHECK(fb->cert == nullptr);  // the fake certificate, but a certificate: 308 for http
    CHECK(fb->reason == f.reason);
    CHECK(table.redirects_to_https(f.host));
  }

  CHECK(table.lookup("plain.test") == nullptr);  // no Ingress with tls has the host
  CHECK_FALSE(table.redirects_to_https("plain.test"));
  CHECK(table.lookup("listed-only.test") == nullptr);  // in tls, in no rule: no server

  // Exact server before the wildcard server; the wildcard covers one label.
  REQUIRE(table.lookup("api.wild.test"));
  CHECK(table.lookup("api.wild.test")->cert == &api);
  REQUIRE(table.lookup("www.wild.test"));
  CHECK(table.lookup("www.wild.test")->cert == &wild);
  CHECK(table.lookup("www.wild.test")->host == "*.wild.test");
  CHECK(table.lookup("a.b.wild.test") == nullptr);
  CHECK(table.lookup("wild.test") == nullptr);

  // No SNI (an IP address in the URL) or an unknown name: the fake certificate.
  CHECK(table.lookup("192.168.49.2") == nullptr);
  CHECK(table.lookup("") == nullptr);
  CHECK(table.lookup("unknown.test") == nullptr);

  std::vector<std::string> hosts;
  for (const auto& server : table.servers()) hosts.push_back(server.host);
  CHECK(hosts == std::vector<std::string>{"*.wild.test", "api.wild.test", "app.test",
                                          "missing.test", "nolisted.test", "nosecret.test",
                                          "wrongcert.test", "x.test"});
}

}  // namespace podhop::dataplane
