// StringMap and LabelSelector live in model/, but every module leans on their semantics, so
// they are pinned down here with the other foundation types.

#include <catch2/catch.hpp>

#include "podhop/model/meta.hpp"

using podhop::model::LabelSelector;
using podhop::model::SelectorOp;
using podhop::model::SelectorRequirement;
using podhop::model::StringMap;

TEST_CASE("a string map keeps its keys sorted and the last value set", "[core]") {
  StringMap m{{"tier", "web"}, {"app", "shop"}, {"env", "prod"}};
  m.set("app", "cart");
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"app", "env", "tier"});
  REQUIRE(m.get("app") != nullptr);
  CHECK(*m.get("app") == "cart");
  CHECK(m.get("missing") == nullptr);
  CHECK(m.contains("env"));
  CHECK(m.size() == 3);
  CHECK(m.str() == "app=cart,env=prod,tier=web");
  CHECK(m.erase("env"));
  CHECK_FALSE(m.erase("env"));
  CHECK(m.str() == "app=cart,tier=web");
  CHECK(StringMap{}.str().empty());
  // Equality does not depend on insertion order.
  CHECK(StringMap{{"a", "1"}, {"b", "2"}} == StringMap{{"b", "2"}, {"a", "1"}});
}

TEST_CASE("a Service selector matches labels that contain all its pairs", "[core]") {
  const StringMap pod{{"app", "web"}, {"tier", "front"}, {"pod-template-hash", "5d8f"}};
  CHECK(podhop::model::selector_matches({{"app", "web"}}, pod));
  CHECK(podhop::model::selector_matches({{"app", "web"}, {"tier", "front"}}, pod));
  CHECK_FALSE(podhop::model::selector_matches({{"app", "web"}, {"tier", "back"}}, pod));
  CHECK_FALSE(podhop::model::selector_matches({{"version", "v1"}}, pod));
  // Values are compared exactly.
  CHECK_FALSE(podhop::model::selector_matches({{"app", "Web"}}, pod));
}

TEST_CASE("label selector requirements match as Kubernetes defines them", "[core]") {
  struct Case {
    const char* name;
    SelectorRequirement req;
    StringMap labels;
    bool matches;
  };
  const Case cases[] = {
      {"In, value listed", {"env", SelectorOp::In, {"prod", "staging"}}, {{"env", "prod"}}, true},
      {"In, value not listed", {"env", SelectorOp::In, {"prod"}}, {{"env", "dev"}}, false},
      {"In, key absent", {"env", SelectorOp::In, {"prod"}}, {{"app", "x"}}, false},
      {"NotIn, value listed", {"env", SelectorOp::NotIn, {"prod"}}, {{"env", "prod"}}, false},
      {"NotIn, value not listed", {"env", SelectorOp::NotIn, {"prod"}}, {{"env", "dev"}}, true},
      {"NotIn, key absent", {"env", SelectorOp::NotIn, {"prod"}}, {{"app", "x"}}, true},
      {"Exists, present", {"canary", SelectorOp::Exists, {}}, {{"canary", ""}}, true},
      {"Exists, absent", {"canary", SelectorOp::Exists, {}}, {{"app", "x"}}, false},
      {"DoesNotExist, present", {"canary", SelectorOp::DoesNotExist, {}}, {{"canary", "1"}}, false},
      {"DoesNotExist, absent", {"canary", SelectorOp::DoesNotExist, {}}, {}, true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    LabelSelector sel;
    sel.match_expressions.push_back(c.req);
    CHECK(sel.matches(c.labels) == c.matches);
  }
}

TEST_CASE("a label selector ANDs its labels and expressions, and empty matches all", "[core]") {
  LabelSelector empty;
  CHECK(empty.empty());
  CHECK(empty.matches({}));
  CHECK(empty.matches({{"anything", "at-all"}}));

  LabelSelector sel;
  sel.match_labels = {{"app", "web"}};
  sel.match_expressions.push_back({"tier", SelectorOp::In, {"front", "edge"}});
  sel.match_expressions.push_back({"legacy", SelectorOp::DoesNotExist, {}});
  CHECK_FALSE(sel.empty());
  CHECK(sel.matches({{"app", "web"}, {"tier", "edge"}}));
  CHECK_FALSE(sel.matches({{"app", "api"}, {"tier", "edge"}}));
  CHECK_FALSE(sel.matches({{"app", "web"}, {"tier", "back"}}));
  CHECK_FALSE(sel.matches({{"app", "web"}, {"tier", "edge"}, {"legacy", "true"}}));
}

TEST_CASE("a label selector prints in kubectl's selector syntax", "[core]") {
  LabelSelector sel;
  sel.match_labels = {{"app", "web"}};
  sel.match_expressions.push_back({"canary", SelectorOp::Exists, {}});
  sel.match_expressions.push_back({"legacy", SelectorOp::DoesNotExist, {}});
  sel.match_expressions.push_back({"tier", SelectorOp::In, {"edge", "front"}});
  sel.match_expressions.push_back({"zone", SelectorOp::NotIn, {"a", "b"}});
  CHECK(sel.str() == "app=web,canary,!legacy,tier in (edge,front),zone notin (a,b)");
}
