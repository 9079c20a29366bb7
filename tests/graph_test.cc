// graph_test.cc: engine/graph.cc.
//
// Structure from paths (parent vs fsParent), edge kinds and which one wins
// for a name, resolution by walking up node_modules, links resolving from
// their target, missing edges, and legacy-peer-deps (npm-semantics.md
// §1.4-1.5, §2.1-2.2). The expected edges of the main project were checked
// against arborist 9.9.1's loadVirtual on the same files.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lockcut/graph.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

/// "kind:name->location" for every edge out of `location`, plus
/// "kind:name->MISSING" for its missing ones, sorted.
std::vector<std::string> edges_from(const Graph& g, std::string_view location) {
  std::vector<std::string> out;
  NodeId id = g.find(location);
  if (id == kNoNode) return {"(no node at " + std::string(location) + ")"};
  for (auto e : boost::make_iterator_range(boost::out_edges(id, g.csr()))) {
    const DeclaredDep& d = g.dep(e);
    NodeId to = static_cast<NodeId>(boost::target(e, g.csr()));
    out.push_back(std::string(dep_kind_name(d.kind)) + ":" + std::string(d.name) + "->" +
                  std::string(g.node(to).location));
  }
  for (const MissingEdge& m : g.missing()) {
    if (m.from != id) continue;
    const DeclaredDep& d = g.dep(m.dep);
    out.push_back(std::string(dep_kind_name(d.kind)) + ":" + std::string(d.name) + "->MISSING");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One project that exercises most of the rules; the root's package.json and
// its "" entry agree.
const char* kRootJson = R"({"name":"app","version":"1.0.0","workspaces":["packages/*"],
  "dependencies":{"a":"^1.0.0","c":"^1.0.0","d":"^1.0.0","w":"*","ghost":"^1.0.0"},
  "devDependencies":{"d":"^1.0.0","t":"^1.0.0"},
  "optionalDependencies":{"c":"^1.0.0"},
  "peerDependencies":{"a":"^1.0.0","pp":"^1.0.0"}})";

const char* kWorkspaceJson = R"({"name":"w","version":"0.1.0",
  "dependencies":{"z":"^2.0.0","y":"^1.0.0"},"devDependencies":{"wd":"^1.0.0"}})";

std::string main_lock() {
  return lock_v3(std::string(R"("":)") + kRootJson + R"(,
    "node_modules/a":{"version":"1.0.0","dependencies":{"b":"^2.0.0","x":"^1.0.0"},
      "devDependencies":{"t":"^1.0.0","nope":"1"},"peerDependencies":{"pp":"^1.0.0"}},
    "node_modules/a/node_modules/b":{"version":"2.0.0"},
    "node_modules/a/node_modules/x":{"version":"1.0.0","dependencies":{"b":"^2.0.0"}},
    "node_modules/b":{"version":"1.0.0"},
    "node_modules/c":{"version":"1.0.0","dependencies":{"b":"^1.0.0"}},
    "node_modules/d":{"version":"1.0.0"},
    "node_modules/t":{"version":"1.0.0"},
    "node_modules/pp":{"version":"1.0.0"},
    "node_modules/@s/q":{"version":"1.0.0"},
    "node_modules/w":{"resolved":"packages/w","link":true},
    "packages/w":{"name":"w","version":"0.1.0","dependencies":{"z":"^2.0.0","y":"^1.0.0"},
      "devDependencies":{"wd":"^1.0.0"}},
    "packages/w/node_modules/z":{"version":"2.0.0"},
    "node_modules/z":{"version":"1.0.0"},
    "node_modules/y":{"version":"1.0.0"},
    "node_modules/wd":{"version":"1.0.0"})");
}

class GraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = std::make_unique<TestProject>(ProjectFiles{
        .package_json = kRootJson,
        .package_lock = main_lock(),
        .files = {{"packages/w/package.json", kWorkspaceJson}}});
    auto r = analyze_project(project_->dir());
    ASSERT_TRUE(r.ok()) << r.error().message;
    a_ = std::move(r).value();
  }
  const Graph& g() const { return a_->graph; }

  std::unique_ptr<TestProject> project_;
  std::unique_ptr<Analysis> a_;
};

TEST_F(GraphTest, OneNodePerEntryInInventoryOrder) {
  EXPECT_EQ(g().size(), 16u);  // the 16 `packages` keys, as arborist's inventory
  // arborist's inventory: root, the non-link entries in file order, links last
  const auto& order = g().inventory_order();
  ASSERT_EQ(order.size(), g().size());
  EXPECT_EQ(order.front(), kRoot);
  EXPECT_EQ(g().node(order.back()).location, "node_modules/w");
  EXPECT_EQ(g().node(order[1]).location, "node_modules/a");
}

TEST_F(GraphTest, ParentWhenDirectlyInNodeModulesElseFsParent) {
  // §1.4 rule 15
  EXPECT_EQ(g().node(node_at(g(), "node_modules/a")).parent, kRoot);
  EXPECT_EQ(g().node(node_at(g(), "node_modules/a/node_modules/b")).parent,
            node_at(g(), "node_modules/a"));
  EXPECT_EQ(g().node(node_at(g(), "node_modules/@s/q")).parent, kRoot);
  EXPECT_EQ(g().node(node_at(g(), "node_modules/@s/q")).name, "@s/q");
  const Node& w = g().node(node_at(g(), "packages/w"));
  EXPECT_EQ(w.parent, kNoNode);
  EXPECT_EQ(w.fs_parent, kRoot);
  EXPECT_EQ(g().resolve_parent(node_at(g(), "packages/w")), kRoot);
  EXPECT_EQ(g().node(node_at(g(), "packages/w/node_modules/z")).parent,
            node_at(g(), "packages/w"));
  EXPECT_EQ(g().node(node_at(g(), "node_modules/a")).fs_parent, kNoNode);
}

TEST_F(GraphTest, ResolutionWalksUpFromTheDependent) {
  // §2.2 rule 5: own node_modules first, then the parent's, up to the root
  EXPECT_EQ(edges_from(g(), "node_modules/a"),
            (std::vector<std::string>{"peer:pp->node_modules/pp",
                                      "prod:b->node_modules/a/node_modules/b",
                                      "prod:x->node_modules/a/node_modules/x"}));
  // x has no node_modules: b resolves in its parent a's
  EXPECT_EQ(edges_from(g(), "node_modules/a/node_modules/x"),
            std::vector<std::string>{"prod:b->node_modules/a/node_modules/b"});
  // c sits at the top: it gets the hoisted b
  EXPECT_EQ(edges_from(g(), "node_modules/c"), std::vector<std::string>{"prod:b->node_modules/b"});
  NodeId x = node_at(g(), "node_modules/a/node_modules/x");
  EXPECT_EQ(g().resolve(x, "b"), node_at(g(), "node_modules/a/node_modules/b"));
  EXPECT_EQ(g().resolve(x, "pp"), node_at(g(), "node_modules/pp"));
  EXPECT_EQ(g().resolve(x, "nothing"), kNoNode);
}

TEST_F(GraphTest, ALinkHasNoEdgesAndItsTargetResolvesFromItsOwnPlace) {
  // §2.1 rule 4 and §2.2 rule 6: the target's edges come from its
  // package.json and resolve from packages/w, then its fsParent (the root)
  const Node& link = g().node(node_at(g(), "node_modules/w"));
  ASSERT_TRUE(link.is_link());
  EXPECT_EQ(link.target, node_at(g(), "packages/w"));
  EXPECT_EQ(boost::out_degree(node_at(g(), "node_modules/w"), g().csr()), 0u);
  EXPECT_EQ(edges_from(g(), "packages/w"),
            (std::vector<std::string>{"dev:wd->node_modules/wd", "prod:y->node_modules/y",
                                      "prod:z->packages/w/node_modules/z"}));
  EXPECT_TRUE(g().node(node_at(g(), "packages/w")).bits & kNodeFromDisk);
  EXPECT_EQ(link.package_name(), "w");
  EXPECT_EQ(link.version(), "0.1.0");
}

TEST_F(GraphTest, RootEdgesTakeTheWinningKindPerName) {
  // §2.1 rule 2: dev > optional > prod > peer for one name; rule 3: a
  // workspace edge is never replaced (w is also in dependencies)
  EXPECT_EQ(edges_from(g(), ""),
            (std::vector<std::string>{"dev:d->node_modules/d", "dev:t->node_modules/t",
                                      "optional:c->node_modules/c", "peer:pp->node_modules/pp",
                                      "prod:a->node_modules/a", "prod:ghost->MISSING",
                                      "workspace:w->node_modules/w"}));
}

TEST_F(GraphTest, MissingEdgesAreRecorded) {
  ASSERT_EQ(g().missing().size(), 1u);
  EXPECT_EQ(g().missing()[0].from, kRoot);
  EXPECT_EQ(g().dep(g().missing()[0].dep).name, "ghost");
  EXPECT_EQ(g().dep(g().missing()[0].dep).spec, "^1.0.0");
}

TEST_F(GraphTest, DevEdgesOnlyOnTopNodes) {
  // §1.4 table / §2.1 rule 2: node_modules/a declares devDependencies t and
  // nope; neither becomes an edge, not even a missing one
  for (const auto& e : edges_from(g(), "node_modules/a")) {
    EXPECT_EQ(e.find("dev:"), std::string::npos) << e;
  }
  for (const MissingEdge& m : g().missing()) EXPECT_NE(g().dep(m.dep).name, "nope");
  // ...while the root and the workspace folder (tops) have dev edges
  EXPECT_EQ(edges_from(g(), "")[0], "dev:d->node_modules/d");
  EXPECT_EQ(edges_from(g(), "packages/w")[0], "dev:wd->node_modules/wd");
}

TEST_F(GraphTest, WorkspacesAndNames) {
  ASSERT_EQ(g().workspaces().size(), 1u);
  EXPECT_EQ(g().workspaces()[0].name, "w");
  EXPECT_EQ(g().workspaces()[0].location, "packages/w");
  EXPECT_TRUE(g().is_workspace(node_at(g(), "packages/w")));
  EXPECT_TRUE(g().is_workspace(node_at(g(), "node_modules/w")));
  EXPECT_FALSE(g().is_workspace(node_at(g(), "node_modules/a")));
  EXPECT_FALSE(g().is_workspace(kRoot));
  EXPECT_EQ(g().node(kRoot).package_name(), "app");
}

TEST(Graph, AliasKeepsTheFolderNameAndReportsThePackageName) {
  // §1.4 rule 14: key node_modules/lodash4 + name lodash
  TestProject p({.package_json = R"({"name":"app","dependencies":{"lodash4":"npm:lodash@^4"}})",
                 .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"lodash4":"npm:lodash@^4"}},
                   "node_modules/lodash4":{"name":"lodash","version":"4.17.21"})")});
  auto a = analyze_project(p.dir());
  ASSERT_TRUE(a.ok()) << a.error().message;
  const Node& n = (*a)->graph.node(node_at((*a)->graph, "node_modules/lodash4"));
  EXPECT_EQ(n.name, "lodash4");
  EXPECT_EQ(n.package_name(), "lodash");
  EXPECT_EQ(n.version(), "4.17.21");
  EXPECT_EQ(edges_from((*a)->graph, ""), std::vector<std::string>{"prod:lodash4->node_modules/lodash4"});
}

TEST(Graph, NestedPackageNameInBothDependenciesAndOptional) {
  // §2.1 rule 2 on a non-root node: optionalDependencies replaces
  // dependencies; peer loses to prod
  TestProject p({.package_json = R"({"name":"app","dependencies":{"a":"1"}})",
                 .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"a":"1"}},
                   "node_modules/a":{"version":"1.0.0","dependencies":{"b":"1","c":"1"},
                     "optionalDependencies":{"b":"1"},"peerDependencies":{"c":"1"}},
                   "node_modules/b":{"version":"1.0.0"},
                   "node_modules/c":{"version":"1.0.0"})")});
  auto a = analyze_project(p.dir());
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(edges_from((*a)->graph, "node_modules/a"),
            (std::vector<std::string>{"optional:b->node_modules/b", "prod:c->node_modules/c"}));
}

TEST(Graph, LegacyPeerDepsDropsPeerEdges) {
  // §5 rule 6: with legacy-peer-deps no node creates peer or peerOptional
  // edges, root included
  const char* root = R"({"name":"app","dependencies":{"a":"1"},"peerDependencies":{"r":"1"}})";
  TestProject p({.package_json = root,
                 .package_lock = lock_v3(std::string(R"("":)") + root + R"(,
                   "node_modules/a":{"version":"1.0.0","peerDependencies":{"p":"1","q":"1"},
                     "peerDependenciesMeta":{"q":{"optional":true}}},
                   "node_modules/p":{"version":"1.0.0"},
                   "node_modules/r":{"version":"1.0.0"})")});
  auto normal = analyze_project(p.dir());
  ASSERT_TRUE(normal.ok()) << normal.error().message;
  EXPECT_EQ(edges_from((*normal)->graph, "node_modules/a"),
            (std::vector<std::string>{"peer:p->node_modules/p", "peerOptional:q->MISSING"}));
  EXPECT_EQ(edges_from((*normal)->graph, ""),
            (std::vector<std::string>{"peer:r->node_modules/r", "prod:a->node_modules/a"}));

  AnalysisOptions o = fixed_options();
  o.legacy_peer_deps = 1;
  auto legacy = analyze_project(p.dir(), o);
  ASSERT_TRUE(legacy.ok()) << legacy.error().message;
  EXPECT_TRUE(edges_from((*legacy)->graph, "node_modules/a").empty());
  EXPECT_EQ(edges_from((*legacy)->graph, ""), std::vector<std::string>{"prod:a->node_modules/a"});
  EXPECT_TRUE((*legacy)->graph.missing().empty());
}

TEST(Graph, LinkToALocationWithoutAnEntryIsAnError) {
  // §1.5 rule 19: npm throws EMISSINGTARGET
  TestProject p({.package_json = R"({"name":"app","dependencies":{"x":"file:libs/x"}})",
                 .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"x":"file:libs/x"}},
                   "node_modules/x":{"resolved":"libs/x","link":true})")});
  auto a = analyze_project(p.dir());
  ASSERT_FALSE(a.ok());
  const std::string& msg = a.error().message;
  EXPECT_NE(msg.find("package-lock.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find(R"(packages["node_modules/x"])"), std::string::npos) << msg;
  EXPECT_NE(msg.find("libs/x"), std::string::npos) << msg;
  EXPECT_EQ(a.error().kind, ErrorKind::user_input);
}

TEST(Graph, LinkResolvedIsRelativeToTheProjectRoot) {
  // §1.5 rule 19: `resolved` of a link is root-relative, and may leave the
  // project (`../ext`); a `./` prefix is normalized away
  TestProject p({.package_json = R"({"name":"app","dependencies":{"e":"file:../ext","f":"file:libs/f"}})",
                 .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"e":"file:../ext","f":"file:libs/f"}},
                   "node_modules/e":{"resolved":"../ext","link":true},
                   "node_modules/f":{"resolved":"./libs/f","link":true},
                   "../ext":{"version":"1.0.0"},
                   "libs/f":{"version":"2.0.0"})")});
  // read_disk off: `../ext` would be a folder beside the temp dir
  AnalysisOptions o = fixed_options();
  o.read_disk = false;
  auto a = analyze_project(p.dir(), o);
  ASSERT_TRUE(a.ok()) << a.error().message;
  const Graph& g = (*a)->graph;
  EXPECT_EQ(g.node(node_at(g, "node_modules/e")).target, node_at(g, "../ext"));
  EXPECT_EQ(g.node(node_at(g, "node_modules/f")).target, node_at(g, "libs/f"));
  EXPECT_EQ(g.node(node_at(g, "node_modules/f")).version(), "2.0.0");
  // `../ext` has no folder above it inside the project
  EXPECT_EQ(g.resolve_parent(node_at(g, "../ext")), kNoNode);
}

TEST(Graph, EdgeValidityFollowsTheSpec) {
  // §2.3 rule 10: ranges by semver; a dist-tag needs a URL `resolved`
  // (§10 case 12)
  const char* root = R"({"name":"app","dependencies":{"a":"^2.0.0","b":"latest","c":"latest","d":"*"}})";
  TestProject p({.package_json = root,
                 .package_lock = lock_v3(std::string(R"("":)") + root + R"(,
                   "node_modules/a":{"version":"1.0.0"},
                   "node_modules/b":{"version":"7.0.0"},
                   "node_modules/c":{"version":"7.0.0","resolved":"https://registry.example.org/c/-/c-7.0.0.tgz"},
                   "node_modules/d":{"version":"0.0.1-pre"})")});
  auto r = analyze_project(p.dir());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Graph& g = (*r)->graph;
  std::vector<std::string> valid;
  for (auto e : boost::make_iterator_range(boost::out_edges(kRoot, g.csr()))) {
    valid.push_back(std::string(g.dep(e).name) + (g.edge_valid(e) ? "=valid" : "=invalid"));
  }
  std::sort(valid.begin(), valid.end());
  EXPECT_EQ(valid, (std::vector<std::string>{"a=invalid", "b=invalid", "c=valid", "d=valid"}));
}

}  // namespace
}  // namespace lockcut::test
