// overrides_test.cc: engine/overrides.cc, npm's override sets over a graph
// (arborist override-set.js and edge.js; the corpus cases are compared with
// npm explain live in oracle_test.cc).
#include <gtest/gtest.h>

#include "lockcut/overrides.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

// The edge from `from` named `name`.
Graph::EdgeDesc edge(const Graph& g, std::string_view from, std::string_view name) {
  for (auto e : boost::make_iterator_range(boost::out_edges(node_at(g, from), g.csr()))) {
    if (g.dep(e).name == name) return e;
  }
  ADD_FAILURE() << "no edge " << from << " -> " << name;
  return {};
}

// a@1 and b@1 depend on ms 2.0.0 and x ^1; the tree holds ms 2.1.3, x 1.5.0
std::string lock(const std::string& root) {
  return lock_v3(R"("":)" + root + R"(,
    "node_modules/a":{"version":"1.0.0","dependencies":{"ms":"2.0.0","x":"^1.0.0"}},
    "node_modules/b":{"version":"1.0.0","dependencies":{"ms":"2.0.0"}},
    "node_modules/ms":{"version":"2.1.3"},
    "node_modules/x":{"version":"1.5.0"})");
}

TEST(Overrides, NestedRuleAppliesOnlyInsideItsPackage) {
  std::string root = R"({"name":"app","dependencies":{"a":"1","b":"1"},
                         "overrides":{"a":{"ms":"2.1.3"}}})";
  TestProject p({.package_json = root, .package_lock = lock(root)});
  auto a = analyze_project(p.dir());
  ASSERT_TRUE(a) << a.error().message;
  const Graph& g = a.value()->graph;
  auto o = Overrides::compute(g, p.dir());
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_FALSE(o->empty());
  auto a_ms = edge(g, "node_modules/a", "ms");
  auto b_ms = edge(g, "node_modules/b", "ms");
  EXPECT_EQ(o->spec(g, a_ms), "2.1.3");
  EXPECT_TRUE(o->valid(g, a_ms));
  EXPECT_FALSE(g.edge_valid(a_ms));  // without the override
  EXPECT_EQ(o->spec(g, b_ms), "");    // b is outside the rule
  EXPECT_FALSE(o->valid(g, b_ms));
  EXPECT_EQ(o->spec(g, edge(g, "node_modules/a", "x")), "");
}

TEST(Overrides, TopLevelRuleAndReference) {
  std::string root = R"({"name":"app","dependencies":{"a":"1","b":"1","ms":"2.1.3"},
                         "overrides":{"ms":"$ms","x@<1.2":"1.5.0"}})";
  TestProject p({.package_json = root, .package_lock = lock(root)});
  auto a = analyze_project(p.dir());
  ASSERT_TRUE(a) << a.error().message;
  const Graph& g = a.value()->graph;
  auto o = Overrides::compute(g, p.dir());
  ASSERT_TRUE(o) << o.error().message;
  // "$ms" is the root's own spec for ms
  EXPECT_EQ(o->spec(g, edge(g, "node_modules/a", "ms")), "2.1.3");
  EXPECT_EQ(o->spec(g, edge(g, "node_modules/b", "ms")), "2.1.3");
  EXPECT_TRUE(o->valid(g, edge(g, "node_modules/b", "ms")));
  // a key with a range applies where the package reached is in it: 1.5.0 is not < 1.2
  EXPECT_EQ(o->spec(g, edge(g, "node_modules/a", "x")), "");
}

TEST(Overrides, NoneAndBadOnes) {
  std::string root = R"({"name":"app","dependencies":{"a":"1","b":"1"}})";
  TestProject p({.package_json = root, .package_lock = lock(root)});
  auto a = analyze_project(p.dir());
  ASSERT_TRUE(a);
  auto o = Overrides::compute(a.value()->graph, p.dir());
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->empty());

  p.write("package.json", R"({"name":"app","dependencies":{"a":"1","b":"1"},"overrides":{"ms":"$nope"}})");
  auto bad = Overrides::compute(a.value()->graph, p.dir());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unable to resolve reference $nope"), std::string::npos);
  p.write("package.json", R"({"name":"app","dependencies":{"a":"1","b":"1"},"overrides":{"ms":5}})");
  bad = Overrides::compute(a.value()->graph, p.dir());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("overrides[\"ms\"]: expected a version string or an object"),
            std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace lockcut::test
