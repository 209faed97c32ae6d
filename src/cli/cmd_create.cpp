// `podhop create secret tls NAME --cert FILE --key FILE`: checks the key pair as Go's
// tls.X509KeyPair does (the check kubectl runs) and prints the Secret kubectl would create
// with --dry-run=client -o yaml.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"

namespace podhop::cli {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Reads a whole file; on failure the error is worded as Go's os.ReadFile words it.
std::optional<std::string> read_file(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    const char* why = errno == EACCES ? "permission denied" : "no such file or directory";
    *error = fmt::format("open {}: {}", path, why);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The types of the PEM blocks in `pem`, in order ("CERTIFICATE", "RSA PRIVATE KEY").
std::vector<std::string> pem_block_types(const std::string& pem) {
  std::vector<std::string> types;
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string::npos) {
    pos += kBegin.size();
    auto end = pem.find("-----", pos);
    if (end == std::string::npos) break;
    types.push_back(pem.substr(pos, end - pos));
    pos = end;
  }
  return types;
}

std::string go_list(const std::vector<std::string>& items) {
  return fmt::format("[{}]", fmt::join(items, " "));
}

bool is_key_type(const std::string& t) {
  return t == "PRIVATE KEY" || (t.size() > 12 && t.substr(t.size() - 12) == " PRIVATE KEY");
}

// Go's tls.X509KeyPair checks, in its order and words. Empty when the pair is valid.
std::string check_key_pair(const std::string& cert_pem, const std::string& key_pem) {
  auto cert_types = pem_block_types(cert_pem);
  if (std::find(cert_types.begin(), cert_types.end(), "CERTIFICATE") == cert_types.end()) {
    if (cert_types.empty()) return "tls: failed to find any PEM data in certificate input";
    return fmt::format(
        "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM "
        "blocks of the following types: {}",
        go_list(cert_types));
  }
  auto key_types = pem_block_types(key_pem);
  auto key_it = std::find_if(key_types.begin(), key_types.end(), is_key_type);
  if (key_it == key_types.end()) {
    if (key_types.empty()) return "tls: failed to find any PEM data in key input";
    if (std::find(key_types.begin(), key_types.end(), "CERTIFICATE") != key_types.end())
      return "tls: found a certificate rather than a key in the PEM for the private key";
    return fmt::format(
        "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after "
        "skipping PEM blocks of the following types: {}",
        go_list(key_types));
  }

  std::unique_ptr<BIO, BioFree> cert_bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return "x509: malformed certificate";
  std::unique_ptr<BIO, BioFree> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return "tls: failed to parse private key";
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  if (!pub) return "x509: malformed certificate";
  if (EVP_PKEY_base_id(pub) != EVP_PKEY_base_id(key.get()))
    return "tls: private key type does not match public key type";
  if (EVP_PKEY_eq(pub, key.get()) != 1) return "tls: private key does not match public key";
  return {};
}

}  // namespace

int run_create_secret_tls(const CreateSecretTlsRequest& req, std::ostream& out, std::ostream& err) {
  if (req.cert_file.empty() || req.key_file.empty()) {
    err << "error: required flag(s) \"cert\", \"key\" not set\n";
    return 1;
  }
  std::string error;
  auto cert = read_file(req.cert_file, &error);
  if (!cert) {
    err << "error: " << error << "\n";
    return 1;
  }
  auto key = read_file(req.key_file, &error);
  if (!key) {
    err << "error: " << error << "\n";
    return 1;
  }
  if (std::string problem = check_key_pair(*cert, *key); !problem.empty()) {
    err << "error: " << problem << "\n";
    return 1;
  }
  Json meta = Json::object();
  meta["creationTimestamp"] = nullptr;
  meta["name"] = req.name;
  if (!req.namespace_.empty()) meta["namespace"] = req.namespace_;
  Json secret = Json::object();
  secret["apiVersion"] = "v1";
  secret["data"] = Json{{"tls.crt", base64_encode(*cert)}, {"tls.key", base64_encode(*key)}};
  secret["kind"] = "Secret";
  secret["metadata"] = meta;
  secret["type"] = "kubernetes.io/tls";
  if (req.output == "json") {
    out << to_json_text(secret);
  } else if (req.output == "name") {
    out << "secret/" << req.name << "\n";
  } else {
    out << to_yaml(secret);
  }
  return 0;
}

void register_create(CLI::App& app, Context& ctx, int* exit_code) {
  auto* create = app.add_subcommand("create", "Print an object kubectl create would make");
  create->require_subcommand(1);
  auto* secret = create->add_subcommand("secret", "Create a Secret");
  secret->require_subcommand(1);
  auto* tls = secret->add_subcommand(
      "tls", "A Secret of type kubernetes.io/tls from a PEM certificate and its private key");
  auto req = std::make_shared<CreateSecretTlsRequest>();
  tls->add_option("NAME", req->name, "Name of the Secret")->required();
  tls->add_option("--cert", req->cert_file, "PEM certificate file")->required();
  tls->add_option("--key", req->key_file, "PEM private key file")->required();
  tls->add_option("-n,--namespace", req->namespace_, "Namespace written in the Secret");
  tls->add_option("-o,--output", req->output, "yaml (default), json or name")
      ->check(CLI::IsMember({"yaml", "json", "name"}));
  tls->footer("Example: podhop create secret tls app-tls --cert tls/tls.crt --key tls/tls.key");
  tls->callback([&ctx, exit_code, req] {
    // The Secret is printed, not applied: no manifests are needed, but -f still has to load.
    if (!ctx.global.files.empty() && !ctx.simulation()) {
      *exit_code = 1;
      return;
    }
    *exit_code = run_create_secret_tls(*req, *ctx.out, *ctx.err);
  });
}

}  // namespace podhop::cli
