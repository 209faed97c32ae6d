// The command line itself: global options before or after the command, help, errors,
// `version`, and -f loading through the Simulation facade.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/context.hpp"

using namespace podhop;

namespace {

struct Run {
  int code = 0;
  std::string out, err;
};

Run podhop_run(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::ostringstream out, err;
  std::istringstream in(stdin_text);
  Run r;
  r.code = cli::run(args, out, err, in);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const char* kPodManifest =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: web\n"
    "  labels: {app: web}\n"
    "spec:\n"
    "  containers:\n"
    "  - name: web\n"
    "    image: nginx\n"
    "    ports:\n"
    "    - containerPort: 80\n";

}  // namespace

TEST_CASE("version names podhop's and the simulated Kubernetes version", "[cli]") {
  auto r = podhop_run({"version"});
  CHECK(r.code == 0);
  CHECK(r.out == "podhop version 0.1.0 (simulating Kubernetes v1.30.0)\n");
  CHECK(podhop_run({"version", "-o", "json"}).out.find("\"kubernetesVersion\": \"v1.30.0\"") !=
        std::string::npos);
}

TEST_CASE("an unknown command is refused as kubectl refuses it", "[cli]") {
  auto r = podhop_run({"--seed", "3", "frobnicate", "pods"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "error: unknown command \"frobnicate\" for \"podhop\"\nRun 'podhop --help' for usage.\n");
}

TEST_CASE("help is available on every command", "[cli]") {
  auto top = podhop_run({"--help"});
  CHECK(top.code == 0);
  CHECK(top.out.find("get") != std::string::npos);
  CHECK(top.out.find("--filename") != std::string::npos);
  auto get = podhop_run({"get", "-h"});
  CHECK(get.code == 0);
  CHECK(get.out.find("--all-namespaces") != std::string::npos);
  auto tls = podhop_run({"create", "secret", "tls", "--help"});
  CHECK(tls.code == 0);
  CHECK(tls.out.find("--cert") != std::string::npos);
  auto none = podhop_run({});
  CHECK(none.code == 0);
  CHECK(none.out.find("Usage") != std::string::npos);
}

TEST_CASE("a bad option is an error with a pointer to the help", "[cli]") {
  auto r = podhop_run({"get", "pods", "--no-such-flag"});
  CHECK(r.code == 1);
  CHECK(r.err.rfind("error: ", 0) == 0);
  CHECK(podhop_run({"--log-level", "loud", "version"}).code == 1);
}

TEST_CASE("global options work before and after the command", "[cli]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("podhop-app-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pod.yaml") << kPodManifest;
  const std::string path = (dir / "pod.yaml").string();

  auto before = podhop_run({"-f", path, "--seed", "7", "get", "pods", "-o", "name"});
  auto after = podhop_run({"get", "pods", "-o", "name", "-f", path, "--seed", "7"});
  std::filesystem::remove_all(dir);
  CHECK(before.code == 0);
  CHECK(before.out == "pod/web\n");
  CHECK(after.code == 0);
  CHECK(after.out == before.out);
}

TEST_CASE("manifests are read from standard input with -f -", "[cli]") {
  auto r = podhop_run({"get", "pod", "web", "-o", "name", "-f", "-"}, kPodManifest);
  CHECK(r.code == 0);
  CHECK(r.out == "pod/web\n");
}

TEST_CASE("broken manifests print every error and apply nothing", "[cli]") {
  auto r = podhop_run({"get", "pods", "-f", "-"},
                      "apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec:\n"
                      "  ports: [{port: 80}]\n");
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("error: ") != std::string::npos);
  CHECK(r.err.find(" error(s) in the manifests; nothing was applied\n") != std::string::npos);
}

TEST_CASE("without -f the cluster has only its system objects", "[cli]") {
  auto r = podhop_run({"get", "svc", "kubernetes", "-o", "name"});
  CHECK(r.code == 0);
  CHECK(r.out == "service/kubernetes\n");
  auto pods = podhop_run({"get", "pods"});
  CHECK(pods.code == 0);
  CHECK(pods.err == "No resources found in default namespace.\n");
}
