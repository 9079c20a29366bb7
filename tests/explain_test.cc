// explain_test.cc: engine/explain.cc.
//
// npm explain over the graph (npm-semantics.md §6): which dependents are
// shown, chains back to the root through diamonds and cycles, and how a query
// names packages.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lockcut/explain.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

// root -> a, b, x@^3 (invalid), dup@^1, c1, semver@^7, semver5 (alias), lx (file:)
// a -> d, x@^1        b -> d, x@^2 (invalid), dup@^2 (nested 2.0.0)
// c1 -> c2 -> c1 (a cycle), c2 -> leaf;   u1 <-> u2 (reached by nothing)
const char* kRootJson = R"({"name":"app","version":"1.0.0","dependencies":{"a":"^1","b":"^1",
  "x":"^3","dup":"^1","c1":"^1","semver":"^7","semver5":"npm:semver@^5","lx":"file:libs/lx",
  "@s/q":"^1"}})";

std::string explain_lock() {
  return lock_v3(std::string(R"("":)") + kRootJson + R"(,
    "node_modules/a":{"version":"1.0.0","dependencies":{"d":"^1","x":"^1"}},
    "node_modules/b":{"version":"1.0.0","dependencies":{"d":"^1","x":"^2","dup":"^2"}},
    "node_modules/b/node_modules/dup":{"version":"2.0.0"},
    "node_modules/d":{"version":"1.0.0"},
    "node_modules/x":{"version":"1.0.0"},
    "node_modules/dup":{"version":"1.5.0"},
    "node_modules/c1":{"version":"1.0.0","dependencies":{"c2":"^1"}},
    "node_modules/c2":{"version":"1.0.0","dependencies":{"c1":"^1","leaf":"^1"}},
    "node_modules/leaf":{"version":"1.0.0"},
    "node_modules/u1":{"version":"1.0.0","dependencies":{"u2":"^1"}},
    "node_modules/u2":{"version":"1.0.0","dependencies":{"u1":"^1"}},
    "node_modules/semver":{"version":"7.6.0"},
    "node_modules/semver5":{"name":"semver","version":"5.7.2"},
    "node_modules/@s/q":{"version":"1.2.0"},
    "node_modules/lx":{"resolved":"libs/lx","link":true},
    "libs/lx":{"name":"lx","version":"0.1.0"})");
}

class ExplainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    project_ = new TestProject(ProjectFiles{
        .package_json = kRootJson,
        .package_lock = explain_lock(),
        .files = {{"libs/lx/package.json", R"({"name":"lx","version":"0.1.0"})"}}});
    auto r = analyze_project(project_->dir());
    ASSERT_TRUE(r.ok()) << r.error().message;
    analysis_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() {
    delete analysis_;
    delete project_;
    analysis_ = nullptr;
    project_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(analysis_, nullptr); }

  const Graph& g() const { return analysis_->graph; }
  NodeId at(std::string_view loc) const { return node_at(g(), loc); }

  /// The locations a query finds, sorted; or "error: <message>".
  std::vector<std::string> find(std::string_view query) const {
    auto r = find_packages(g(), query);
    if (!r.ok()) return {"error: " + r.error().message};
    std::vector<std::string> out;
    for (NodeId id : r.value()) out.emplace_back(g().node(id).location);
    std::sort(out.begin(), out.end());
    return out;
  }

  /// "from-location:name" per dependent ("root" for the root), plus "!" when
  /// the edge is invalid.
  std::vector<std::string> dependents(const Explanation& ex) const {
    std::vector<std::string> out;
    for (const Dependent& d : ex.dependents) {
      std::string from = d.from == kRoot ? "root" : std::string(g().node(d.from).location);
      out.push_back(from + ":" + std::string(g().dep(d.dep).name) + (d.valid ? "" : "!"));
    }
    return out;
  }

  /// A chain as "root > a > d" (the names of the dependents, then the node).
  std::string chain(const std::vector<ChainStep>& steps, NodeId node) const {
    std::string out;
    for (const ChainStep& s : steps) {
      out += s.from == kRoot ? std::string("root") : std::string(g().node(s.from).name);
      out += " > ";
    }
    return out + std::string(g().node(node).name);
  }

  static TestProject* project_;
  static Analysis* analysis_;
};

TestProject* ExplainTest::project_ = nullptr;
Analysis* ExplainTest::analysis_ = nullptr;

TEST_F(ExplainTest, DependentsAreValidEdgesOrEdgesFromTheRoot) {
  // §6 rule 3: edgesIn that are valid or from the root; b's x@^2 is left out
  Explanation ex = explain(g(), at("node_modules/x"), ExplainOptions{});
  EXPECT_EQ(dependents(ex), (std::vector<std::string>{"root:x!", "node_modules/a:x"}));
  EXPECT_TRUE(ex.links_in.empty());
}

TEST_F(ExplainTest, DiamondGivesTwoChains) {
  // §6 rule 3: `seen` is per path, so both sides of a diamond are printed
  NodeId d = at("node_modules/d");
  Explanation ex = explain(g(), d, ExplainOptions{});
  EXPECT_EQ(ex.chain_count, 2u);
  EXPECT_FALSE(ex.chain_count_capped);
  ASSERT_EQ(ex.shortest.size(), 2u);
  std::vector<std::string> chains{chain(ex.shortest[0], d), chain(ex.shortest[1], d)};
  std::sort(chains.begin(), chains.end());
  EXPECT_EQ(chains, (std::vector<std::string>{"root > a > d", "root > b > d"}));
  // each step names the dependency it follows
  EXPECT_EQ(g().dep(ex.shortest[0][0].dep).kind, DepKind::prod);
  EXPECT_TRUE(ex.shortest[0][1].valid);
}

TEST_F(ExplainTest, CyclesEndWithoutHanging) {
  // §6 rule 3: a node already on the path is not expanded again
  NodeId leaf = at("node_modules/leaf");
  Explanation ex = explain(g(), leaf, ExplainOptions{});
  EXPECT_EQ(ex.chain_count, 1u);
  ASSERT_EQ(ex.shortest.size(), 1u);
  EXPECT_EQ(chain(ex.shortest[0], leaf), "root > c1 > c2 > leaf");

  // c1: from the root, and from c2 whose only dependent is c1 itself
  NodeId c1 = at("node_modules/c1");
  Explanation cyc = explain(g(), c1, ExplainOptions{});
  EXPECT_EQ(cyc.chain_count, 2u);
  ASSERT_EQ(cyc.shortest.size(), 1u);
  EXPECT_EQ(chain(cyc.shortest[0], c1), "root > c1");

  // a cycle nothing reaches: one chain that ends in the cycle, none to the root
  Explanation lost = explain(g(), at("node_modules/u1"), ExplainOptions{});
  EXPECT_EQ(lost.chain_count, 1u);
  EXPECT_TRUE(lost.shortest.empty());
  EXPECT_EQ(dependents(lost), std::vector<std::string>{"node_modules/u2:u1"});
}

TEST_F(ExplainTest, LinksAndTheirTargets) {
  Explanation target = explain(g(), at("libs/lx"), ExplainOptions{});
  EXPECT_EQ(target.links_in, std::vector<NodeId>{at("node_modules/lx")});
  Explanation link = explain(g(), at("node_modules/lx"), ExplainOptions{});
  EXPECT_EQ(dependents(link), std::vector<std::string>{"root:lx"});
  // the target is reached through its link: a chain to the root
  EXPECT_EQ(target.chain_count, 1u);
  ASSERT_EQ(target.shortest.size(), 1u);
  EXPECT_EQ(target.shortest[0][0].from, kRoot);
}

TEST_F(ExplainTest, FindByNameRangeAndLocation) {
  // §6 rule 2: every node whose packageName matches; name@range; a location
  EXPECT_EQ(find("dup"), (std::vector<std::string>{"node_modules/b/node_modules/dup",
                                                   "node_modules/dup"}));
  EXPECT_EQ(find("dup@^2"), std::vector<std::string>{"node_modules/b/node_modules/dup"});
  EXPECT_EQ(find("dup@>=1.5.0 <2"), std::vector<std::string>{"node_modules/dup"});
  EXPECT_EQ(find("node_modules/b/node_modules/dup"),
            std::vector<std::string>{"node_modules/b/node_modules/dup"});
  EXPECT_EQ(find("./node_modules/b/node_modules/dup/"),
            std::vector<std::string>{"node_modules/b/node_modules/dup"});
  EXPECT_EQ(find("@s/q"), std::vector<std::string>{"node_modules/@s/q"});
  EXPECT_EQ(find("@s/q@^1.1"), std::vector<std::string>{"node_modules/@s/q"});
  // a link and its target are both returned
  EXPECT_EQ(find("lx"), (std::vector<std::string>{"libs/lx", "node_modules/lx"}));
}

TEST_F(ExplainTest, AliasIsFoundByItsRealName) {
  // §6 rule 2: `npm explain semver` lists semver5 too; `npm explain
  // semver5` finds nothing
  EXPECT_EQ(find("semver"), (std::vector<std::string>{"node_modules/semver",
                                                      "node_modules/semver5"}));
  EXPECT_EQ(find("semver@^5"), std::vector<std::string>{"node_modules/semver5"});
  auto r = find_packages(g(), "semver5");
  EXPECT_FALSE(r.ok());
}

TEST_F(ExplainTest, UnknownNameSuggestsSimilarOnes) {
  auto r = find_packages(g(), "dupp");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'dupp'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("package-lock.json"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().kind, ErrorKind::user_input);
  ASSERT_FALSE(r.error().hints.empty());
  EXPECT_EQ(r.error().hints[0], "did you mean 'dup'?");
  // a name with nothing close still gets the usage hint
  auto far = find_packages(g(), "zzzzzzzzzzzz");
  ASSERT_FALSE(far.ok());
  ASSERT_EQ(far.error().hints.size(), 1u);
  EXPECT_EQ(far.error().hints[0].find("did you mean"), std::string::npos);
  // a range no instance satisfies
  EXPECT_FALSE(find_packages(g(), "dup@^9").ok());
}

TEST(Explain, ChainCountStopsAtTheLimit) {
  // 24 diamonds in a row: 2^25 chains to the last node. Counting them all
  // would take minutes; the count stops at the limit and says so, and the
  // shortest chains come from the breadth-first search.
  const int levels = 24;
  std::string root = R"({"name":"app","dependencies":{"a0":"1","b0":"1"}})";
  std::string rest;
  for (int i = 0; i <= levels; ++i) {
    std::string deps = i < levels ? R"("dependencies":{"a)" + std::to_string(i + 1) + R"(":"1","b)" +
                                        std::to_string(i + 1) + R"(":"1"},)"
                                  : "";
    for (const char* side : {"a", "b"}) {
      rest += R"(,"node_modules/)" + std::string(side) + std::to_string(i) + R"(":{)" + deps +
              R"("version":"1.0.0"})";
    }
  }
  TestProject p({.package_json = root, .package_lock = lock_v3(R"("":)" + root + rest)});
  auto r = analyze_project(p.dir());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Graph& g = (*r)->graph;
  NodeId last = node_at(g, "node_modules/a" + std::to_string(levels));
  Explanation ex = explain(g, last, ExplainOptions{3, 10'000});
  EXPECT_TRUE(ex.chain_count_capped);
  EXPECT_GT(ex.chain_count, 0u);
  EXPECT_LT(ex.chain_count, 10'000u);
  ASSERT_EQ(ex.shortest.size(), 3u);
  for (const auto& c : ex.shortest) {
    ASSERT_EQ(c.size(), static_cast<size_t>(levels + 1));
    EXPECT_EQ(c.front().from, kRoot);
  }
}

}  // namespace
}  // namespace lockcut::test
