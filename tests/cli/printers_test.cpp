// The kubectl-like building blocks: tabwriter layout, ages, timestamps, resource names,
// label selectors, YAML and JSON text.
#include <catch2/catch.hpp>

#include "cli/printers.hpp"

using namespace podhop;
using namespace podhop::cli;

TEST_CASE("tabwrite pads every column but the last to its widest cell plus the padding", "[cli]") {
  struct Case {
    std::string text;
    int padding;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"a\tbb\tc\naaa\tb\tc\n", 3, "a     bb   c\naaa   b    c\n"},
      // A line without a tab ends the column block: the next lines align on their own.
      {"Name:\tx\nEvents:\n  Type\tReason\n  Normal\tStarted\n", 2,
       "Name:  x\nEvents:\n  Type    Reason\n  Normal  Started\n"},
      // A tab-terminated cell is padded even when nothing follows it.
      {"a\t\nbbb\tc\n", 2, "a    \nbbb  c\n"},
      // Cells of a deeper column align only over the lines that have them.
      {"x\ty\tz\nlonger\t1\nq\tw\te\n", 1, "x      y z\nlonger 1\nq      w e\n"},
      {"no tabs at all\n", 3, "no tabs at all\n"},
      {"", 3, ""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(tabwrite(c.text, c.padding) == c.expected);
  }
}

TEST_CASE("a table prints as kubectl get prints it", "[cli]") {
  Table t;
  t.header = {"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
  t.rows = {{"app1", "1/1", "Running", "0", "0s"}, {"app2-long", "0/1", "Pending", "0", "5m"}};
  CHECK(t.str() ==
        "NAME        READY   STATUS    RESTARTS   AGE\n"
        "app1        1/1     Running   0          0s\n"
        "app2-long   0/1     Pending   0          5m\n");
}

TEST_CASE("ages read as kubectl's HumanDuration", "[cli]") {
  using core::Duration;
  struct Case {
    Duration d;
    std::string text;
  };
  const std::vector<Case> cases = {
      {Duration::seconds(0), "0s"},
      {Duration::millis(999), "0s"},
      {Duration::seconds(59), "59s"},
      {Duration::seconds(119), "119s"},
      {Duration::seconds(120), "2m"},
      {Duration::seconds(125), "2m5s"},
      {Duration::seconds(10 * 60), "10m"},
      {Duration::seconds(179 * 60), "179m"},
      {Duration::seconds(3 * 3600), "3h"},
      {Duration::seconds(3 * 3600 + 20 * 60), "3h20m"},
      {Duration::seconds(8 * 3600), "8h"},
      {Duration::seconds(47 * 3600), "47h"},
      {Duration::seconds(48 * 3600), "2d"},
      {Duration::seconds(50 * 3600), "2d2h"},
      {Duration::seconds(8 * 24 * 3600), "8d"},
      {Duration::seconds(2 * 365 * 24 * 3600), "2y"},
      {Duration::seconds(-1), "0s"},
      {Duration::seconds(-3), "<invalid>"},
  };
  for (const auto& c : cases) {
    INFO(c.d.ns);
    CHECK(human_duration(c.d) == c.text);
  }
}

TEST_CASE("simulated time 0 prints as 2025-01-01T00:00:00Z", "[cli]") {
  CHECK(rfc3339(core::SimTime{0}) == "2025-01-01T00:00:00Z");
  CHECK(rfc1123z(core::SimTime{0}) == "Wed, 01 Jan 2025 00:00:00 +0000");
  core::SimTime later = core::SimTime{0} + core::Duration::seconds(86400 + 3661);
  CHECK(rfc3339(later) == "2025-01-02T01:01:01Z");
  CHECK(rfc1123z(later) == "Thu, 02 Jan 2025 01:01:01 +0000");
  core::SimTime leap = core::SimTime{0} + core::Duration::seconds(59LL * 86400 + 3 * 365 * 86400);
  CHECK(rfc3339(leap) == "2028-02-29T00:00:00Z");
}

TEST_CASE("resource names are found by plural, singular, short name, kind and group", "[cli]") {
  struct Case {
    std::string name;
    const char* plural;  // nullptr: unknown
  };
  const std::vector<Case> cases = {
      {"po", "pods"},
      {"pod", "pods"},
      {"Pods", "pods"},
      {"svc", "services"},
      {"Service", "services"},
      {"ep", "endpoints"},
      {"endpointslices", "endpointslices"},
      {"endpointslice.discovery.k8s.io", "endpointslices"},
      {"ing", "ingresses"},
      {"ingresses.networking.k8s.io", "ingresses"},
      {"ingressclasses", "ingressclasses"},
      {"no", "nodes"},
      {"deploy", "deployments"},
      {"deployments.apps", "deployments"},
      {"rs", "replicasets"},
      {"sts", "statefulsets"},
      {"ds", "daemonsets"},
      {"rc", "replicationcontrollers"},
      {"ns", "namespaces"},
      {"secret", "secrets"},
      {"ev", "events"},
      {"foo", nullptr},
      {"pods.apps", nullptr},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const ResourceInfo* info = find_resource(c.name);
    if (c.plural) {
      REQUIRE(info);
      CHECK(info->plural == c.plural);
    } else {
      CHECK(info == nullptr);
    }
  }
  CHECK(find_resource("deploy")->qualified_singular() == "deployment.apps");
  CHECK(find_resource("ing")->qualified_singular() == "ingress.networking.k8s.io");
  CHECK(find_resource("po")->qualified_singular() == "pod");
}

TEST_CASE("label selectors take kubectl's -l syntax", "[cli]") {
  struct Case {
    std::string selector;
    model::StringMap labels;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"app=web", {{"app", "web"}}, true},
      {"app==web", {{"app", "web"}}, true},
      {"app=web", {{"app", "db"}}, false},
      {"app=web,tier!=db", {{"app", "web"}, {"tier", "fe"}}, true},
      {"app=web,tier!=db", {{"app", "web"}, {"tier", "db"}}, false},
      {"env in (a, b)", {{"env", "b"}}, true},
      {"env notin (a,b)", {{"env", "b"}}, false},
      {"env", {{"env", "x"}}, true},
      {"!env", {{"env", "x"}}, false},
      {"!env", {}, true},
  };
  for (const auto& c : cases) {
    INFO(c.selector);
    std::string error;
    auto sel = parse_label_selector(c.selector, &error);
    REQUIRE(sel);
    CHECK(sel->matches(c.labels) == c.matches);
  }
  std::string error;
  CHECK_FALSE(parse_label_selector("a b c", &error));
  CHECK(error.find("unable to parse requirement") != std::string::npos);
}

TEST_CASE("YAML is printed as kubectl -o yaml prints it", "[cli]") {
  Json doc = Json::object();
  doc["kind"] = "Service";
  doc["apiVersion"] = "v1";
  doc["metadata"] =
      Json{{"name", "x"}, {"labels", Json{{"app", "a"}}}, {"creationTimestamp", nullptr}};
  doc["spec"] = Json{
      {"ports", Json::array({Json{{"targetPort", 8080}, {"protocol", "TCP"}, {"port", 8888}}})},
      {"selector", Json{{"app", "a"}}},
      {"clusterIPs", Json::array({"10.96.0.12"})}};
  doc["status"] = Json{{"loadBalancer", Json::object()}};
  CHECK(to_yaml(doc) ==
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  creationTimestamp: null\n"
        "  labels:\n"
        "    app: a\n"
        "  name: x\n"
        "spec:\n"
        "  clusterIPs:\n"
        "  - 10.96.0.12\n"
        "  ports:\n"
        "  - port: 8888\n"
        "    protocol: TCP\n"
        "    targetPort: 8080\n"
        "  selector:\n"
        "    app: a\n"
        "status:\n"
        "  loadBalancer: {}\n");
}

TEST_CASE("YAML strings are quoted only when YAML would read them as something else", "[cli]") {
  struct Case {
    std::string value;
    std::string printed;
  };
  const std::vector<Case> cases = {
      {"Hello world", "Hello world"},
      {"9999", "\"9999\""},
      {"", "\"\""},
      {"true", "\"true\""},
      {"yes", "\"yes\""},
      {"null", "\"null\""},
      {"1.5", "\"1.5\""},
      {"1e3", "\"1e3\""},
      {"0x1F", "\"0x1F\""},
      {"1:20", "\"1:20\""},
      {"2025-01-01T00:00:00Z", "\"2025-01-01T00:00:00Z\""},
      {"10.244.0.5", "10.244.0.5"},
      {"app1:svc", "app1:svc"},
      {"/app1", "/app1"},
      {"<none>", "<none>"},
      {"8080/TCP", "8080/TCP"},
      {"*", "'*'"},
      {"*.example.com", "'*.example.com'"},
      {"a: b", "'a: b'"},
      {"ends:", "'ends:'"},
      {"-", "'-'"},
      {"-x", "-x"},
      {"#x", "'#x'"},
      {"a #b", "'a #b'"},
      {" lead", "' lead'"},
      {"it's", "it's"},
      {"'q'", "'''q'''"},
      {"a\tb", "\"a\\tb\""},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    CHECK(to_yaml(Json{{"k", c.value}}) == "k: " + c.printed + "\n");
  }
  CHECK(to_yaml(Json{{"k", "x\ny\n"}}) == "k: |\n  x\n  y\n");
  CHECK(to_yaml(Json{{"k", "x\ny"}}) == "k: |-\n  x\n  y\n");
  CHECK(to_yaml(Json{{"k", Json::array({Json::array({1, 2})})}}) == "k:\n- - 1\n  - 2\n");
}

TEST_CASE("YAML keys are sorted as go-yaml sorts them", "[cli]") {
  Json doc = Json{{"b", 1}, {"a10", 1}, {"a2", 1}, {"A", 1}, {"_x", 1}};
  CHECK(to_yaml(doc) == "_x: 1\nA: 1\na2: 1\na10: 1\nb: 1\n");
}

TEST_CASE("long plain YAML strings fold at 80 columns", "[cli]") {
  std::string words;
  for (int i = 0; i < 30; ++i) words += (i ? " " : "") + std::string("word") + std::to_string(i);
  std::string yaml = to_yaml(Json{{"metadata", Json{{"message", words}}}});
  CHECK(yaml.rfind("metadata:\n  message: word0 word1", 0) == 0);
  // Every continuation line is indented under the key and no line runs far past 80.
  std::size_t start = 0, lines = 0;
  while (start < yaml.size()) {
    auto nl = yaml.find('\n', start);
    std::string line = yaml.substr(start, nl - start);
    CHECK(line.size() <= 90);
    if (lines >= 2) CHECK(line.rfind("    ", 0) == 0);
    ++lines;
    start = nl + 1;
  }
  CHECK(lines >= 4);
}

TEST_CASE("JSON is printed with 4 spaces, sorted keys and Go's HTML escapes", "[cli]") {
  Json doc = Json{{"b", "<x> & y"}, {"a", 1}};
  CHECK(to_json_text(doc) == "{\n    \"a\": 1,\n    \"b\": \"\\u003cx\\u003e \\u0026 y\"\n}\n");
}

TEST_CASE("base64 encodes with padding", "[cli]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}
