// `podhop create secret tls NAME --cert FILE --key FILE`: checks the key pair as Go's
// tls.X509KeyPair does (the check kubectl runs) and prints the Secret kubectl would create
// with --dry-run=client -o yaml.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"
#include "podhop/dataplane/tls.hpp"

namespace podhop::cli {

namespace {

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
  // Go's tls.X509KeyPair, the check kubectl runs, in its words.
  if (!dataplane::load_tls_pair(*cert, *key, &error)) {
    err << "error: " << error << "\n";
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
