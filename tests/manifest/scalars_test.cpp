// The building blocks: how a YAML scalar is typed (as Kubernetes' go-yaml v2 reader types
// it), Go's value printing, and apimachinery's string checks.

#include <catch2/catch.hpp>

#include "manifest/k8s_validation.hpp"
#include "manifest/scalars.hpp"

using namespace podhop::manifest::detail;

TEST_CASE("plain scalars are typed the YAML 1.1 way, quoted ones are strings", "[manifest]") {
  struct Case {
    const char* text;
    bool quoted;
    ScalarKind kind;
  };
  const Case cases[] = {
      {"80", false, ScalarKind::integer},      {"-1", false, ScalarKind::integer},
      {"+8", false, ScalarKind::integer},      {"0x1F", false, ScalarKind::integer},
      {"0755", false, ScalarKind::integer},    {"1_000", false, ScalarKind::integer},
      {"1.0", false, ScalarKind::floating},    {"1e3", false, ScalarKind::floating},
      {".5", false, ScalarKind::floating},     {".inf", false, ScalarKind::floating},
      {"08", false, ScalarKind::floating},     {"true", false, ScalarKind::boolean},
      {"yes", false, ScalarKind::boolean},     {"On", false, ScalarKind::boolean},
      {"n", false, ScalarKind::boolean},       {"OFF", false, ScalarKind::boolean},
      {"~", false, ScalarKind::null},          {"null", false, ScalarKind::null},
      {"", false, ScalarKind::null},           {"80", true, ScalarKind::string},
      {"true", true, ScalarKind::string},      {"1.20.3", false, ScalarKind::string},
      {"25%", false, ScalarKind::string},      {"nginx:1.27", false, ScalarKind::string},
      {"10.0.0.1", false, ScalarKind::string}, {"2001-12-14", false, ScalarKind::string},
      {"maybe", false, ScalarKind::string},    {"-", false, ScalarKind::string},
      {"/healthz", false, ScalarKind::string},
  };
  for (const auto& c : cases) {
    INFO(c.text << (c.quoted ? " (quoted)" : ""));
    CHECK(classify_scalar(c.text, c.quoted) == c.kind);
  }
  CHECK(scalar_int("0x1F") == 31);
  CHECK(scalar_int("0755") == 493);
  CHECK(scalar_int("-12") == -12);
  CHECK_FALSE(scalar_int("99999999999999999999").has_value());
  CHECK(scalar_bool("yes"));
  CHECK_FALSE(scalar_bool("off"));
}

TEST_CASE("values print the way Go's %q and %#v print them", "[manifest]") {
  CHECK(go_quote("a\"b\\c\n") == R"("a\"b\\c\n")");
  CHECK(go_quote(std::string("\x01", 1)) == R"("\x01")");
  CHECK(go_map({{"app", "x"}, {"tier", "web"}}, false) ==
        R"(map[string]string{"app":"x", "tier":"web"})");
  CHECK(go_map({}, true) == "map[string]string(nil)");
  CHECK(go_map({}, false) == "map[string]string{}");
  CHECK(go_string_slice({"a", "b"}) == R"([]string{"a", "b"})");
}

TEST_CASE("name checks give apimachinery's messages", "[manifest]") {
  CHECK(is_dns1123_label("web-1").empty());
  CHECK(is_dns1123_label("a.b") == Messages{"must not contain dots"});
  CHECK(is_dns1123_label(std::string(64, 'a')).front() == "must be no more than 63 characters");
  CHECK(is_dns1123_subdomain("a.b-c.d").empty());
  CHECK(is_dns1123_subdomain("-a").size() == 1);
  CHECK(is_dns1035_label("my-svc").empty());
  CHECK(is_dns1035_label("9svc") ==
        Messages{"a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                 "start with an "
                 "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  "
                 "or 'abc-123', "
                 "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"});
  CHECK(is_wildcard_dns1123_subdomain("*.foo.com").empty());
  CHECK(is_wildcard_dns1123_subdomain("*").size() == 1);
  CHECK(is_qualified_name("app.kubernetes.io/name").empty());
  CHECK(is_qualified_name("/name") == Messages{"prefix part must be non-empty"});
  CHECK(is_valid_label_value("").empty());
  CHECK(is_valid_label_value("a_b.c-D").empty());
  CHECK(is_valid_label_value("_a").size() == 1);
  CHECK(is_config_map_key("..a") == Messages{"must not start with '..'"});
  CHECK(is_path_segment_name("a/b") == Messages{"may not contain '/'"});
}

TEST_CASE("port names follow IANA_SVC_NAME, one message per broken rule", "[manifest]") {
  struct Case {
    const char* name;
    Messages messages;
  };
  const Case cases[] = {
      {"http", {}},
      {"h2c-web", {}},
      {"a-very-long-port-name", {"must be no more than 15 characters"}},
      {"HTTP",
       {"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        "must contain at least one letter (a-z)"}},
      {"8080", {"must contain at least one letter (a-z)"}},
      {"a--b", {"must not contain consecutive hyphens"}},
      {"-web", {"must not begin or end with a hyphen"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(is_valid_port_name(c.name) == c.messages);
  }
  CHECK(is_valid_port_num(0) == Messages{"must be between 1 and 65535, inclusive"});
  CHECK(is_valid_port_num(65535).empty());
}

TEST_CASE("IP checks accept what Go's ParseIPSloppy accepts and refuse special ranges",
          "[manifest]") {
  CHECK(is_ip("10.0.0.1"));
  CHECK(is_ip("010.000.000.001"));
  CHECK(is_ip("fd00::1"));
  CHECK(is_ip("::ffff:10.0.0.1"));
  CHECK_FALSE(is_ip("10.0.0"));
  CHECK_FALSE(is_ip("10.0.0.256"));
  CHECK_FALSE(is_ip("example.com"));
  CHECK_FALSE(is_ip("1::2::3"));
  CHECK(is_cidr("10.0.0.0/8"));
  CHECK(is_cidr("2001:db8::/64"));
  CHECK_FALSE(is_cidr("10.0.0.0/33"));
  CHECK_FALSE(is_cidr("10.0.0.0"));
  CHECK(non_special_ip("10.1.2.3").empty());
  CHECK(non_special_ip("::1") ==
        Messages{"may not be in the loopback range (127.0.0.0/8, ::1/128)"});
  CHECK(non_special_ip("fe80::1") ==
        Messages{"may not be in the link-local range (169.254.0.0/16, fe80::/10)"});
  CHECK(non_special_ip("ff02::fb") ==
        Messages{"may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"});
  CHECK(non_special_ip("::") == Messages{"may not be unspecified (::)"});
}
