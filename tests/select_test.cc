// select_test.cc: engine/select.cc.
//
// Optional sets of packages that do not fit the target, bundled dependencies
// travelling with their bundler, the omit set and shouldOmit's "top" rule,
// and the --workspace filter (npm-semantics.md §4). The kept lists of the
// platform and bundle cases match arborist 9.9.1 (shared/oracle) on the same
// files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lockcut/select.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

using Locations = std::vector<std::string>;

std::unique_ptr<TestProject> synced(const std::string& root, const std::string& rest,
                                    std::map<std::string, std::string> files = {}) {
  return std::make_unique<TestProject>(
      ProjectFiles{.package_json = root,
                   .package_lock = lock_v3(R"("":)" + root + "," + rest),
                   .files = std::move(files)});
}

std::unique_ptr<Analysis> run(const std::string& dir, AnalysisOptions o = fixed_options()) {
  auto r = analyze_project(dir, std::move(o));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : nullptr;
}

AnalysisOptions with(std::vector<std::string> omit, std::vector<std::string> include = {}) {
  AnalysisOptions o = fixed_options();
  o.omit = std::move(omit);
  o.include = std::move(include);
  return o;
}

// --- optional sets (§4.5 rules 15-17) --------------------------------------

TEST(Select, FailingOptionalDropsItsPrivateDepsButNotSharedOnes) {
  // rule 17: sharp -optional-> @img/sharp-wasm32 (cpu wasm32) ->
  // @emnapi/runtime: both inert; `shared` is also needed by the root: kept
  auto p = synced(R"({"name":"app","dependencies":{"sharp":"^0.33.0","shared":"^1"}})",
                  R"("node_modules/sharp":{"version":"0.33.5","optionalDependencies":{"@img/sharp-wasm32":"0.33.5"}},
                     "node_modules/@img/sharp-wasm32":{"version":"0.33.5","optional":true,"cpu":["wasm32"],
                       "dependencies":{"@emnapi/runtime":"^1","shared":"^1"}},
                     "node_modules/@emnapi/runtime":{"version":"1.2.0","optional":true},
                     "node_modules/shared":{"version":"1.0.0"})");
  auto a = run(p->dir());
  ASSERT_TRUE(a);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/shared", "node_modules/sharp"}));
  const Graph& g = a->graph;
  NodeId wasm = node_at(g, "node_modules/@img/sharp-wasm32");
  NodeId runtime = node_at(g, "node_modules/@emnapi/runtime");
  EXPECT_EQ(a->sel.why[wasm], Why::platform);
  EXPECT_EQ(a->sel.why[runtime], Why::platform);
  EXPECT_TRUE(a->sel.inert[runtime]);
  EXPECT_FALSE(a->sel.inert[node_at(g, "node_modules/shared")]);
  ASSERT_EQ(a->sel.platform_failures.size(), 1u);
  EXPECT_EQ(a->sel.platform_failures.at(wasm), "cpu wasm32, target x64");
  EXPECT_EQ(a->sel.inert_cause.at(runtime), wasm);
  EXPECT_EQ(a->sel.kept, 2u);
}

TEST(Select, OptionalSetClimbsNonOptionalEdgesToTheOptionalBoundary) {
  // rule 16 and §10 case 8: b -> c is a prod edge, so the failing c takes b;
  // a -optional-> b is the boundary, so a stays
  auto p = synced(R"({"name":"app","dependencies":{"a":"^1"},"optionalDependencies":{"e":"^1"}})",
                  R"("node_modules/a":{"version":"1.0.0","optionalDependencies":{"b":"^1"}},
                     "node_modules/b":{"version":"1.0.0","optional":true,"dependencies":{"c":"^1"}},
                     "node_modules/c":{"version":"1.0.0","optional":true,"os":["darwin"]},
                     "node_modules/e":{"version":"1.0.0","optional":true,"engines":{"node":">=22"}})");
  auto a = run(p->dir());
  ASSERT_TRUE(a);
  // e: an optional package whose engines.node excludes node 20 (rule 17)
  EXPECT_EQ(kept(*a), Locations{"node_modules/a"});
  const Graph& g = a->graph;
  EXPECT_EQ(a->sel.inert_cause.at(node_at(g, "node_modules/b")), node_at(g, "node_modules/c"));
  EXPECT_EQ(a->sel.platform_failures.at(node_at(g, "node_modules/e")),
            "engines.node >=22, target node 20.20.2");

  // --os applies to optional packages (§4.4 rule 14), and node 22 fits e
  AnalysisOptions darwin = fixed_options();
  darwin.os = "darwin";
  darwin.libc = "";
  darwin.node_version = "v22.1.0";
  auto d = run(p->dir(), darwin);
  ASSERT_TRUE(d);
  EXPECT_EQ(kept(*d), (Locations{"node_modules/a", "node_modules/b", "node_modules/c",
                                 "node_modules/e"}));
  EXPECT_TRUE(d->sel.platform_failures.empty());
}

TEST(Select, NonOptionalPackagesAreNotDroppedForTheirPlatform) {
  // §4.5 rule 15: only optional nodes become inert; npm fails hard
  // (EBADPLATFORM) on a non-optional one instead of leaving it out
  auto p = synced(R"({"name":"app","dependencies":{"fsevents":"2.3.3"}})",
                  R"("node_modules/fsevents":{"version":"2.3.3","os":["darwin"]})");
  auto a = run(p->dir());
  ASSERT_TRUE(a);
  EXPECT_EQ(kept(*a), Locations{"node_modules/fsevents"});
  EXPECT_TRUE(a->sel.platform_failures.empty());
}

// --- bundles (§4.3) ----------------------------------------------------------

TEST(Select, BundledDepsTravelWithTheirBundler) {
  // rules 7-8: a bundled dependency is on disk iff its bundler is, whatever
  // its own flags and platform; an omitted bundler takes its bundle along
  auto p = synced(R"({"name":"app","dependencies":{"b":"^1"},"devDependencies":{"tool":"^1"}})",
                  R"("node_modules/b":{"version":"1.0.0","bundleDependencies":["x"],"optionalDependencies":{"x":"^1"}},
                     "node_modules/b/node_modules/x":{"version":"1.0.0","inBundle":true,"optional":true,
                       "cpu":["arm64"],"dependencies":{"y":"^1"}},
                     "node_modules/b/node_modules/y":{"version":"1.0.0","inBundle":true,"optional":true},
                     "node_modules/tool":{"version":"1.0.0","dev":true,"bundleDependencies":["inner"],
                       "dependencies":{"inner":"^1"}},
                     "node_modules/tool/node_modules/inner":{"version":"1.0.0","dev":true,"inBundle":true})");
  auto a = run(p->dir(), with({"optional"}));
  ASSERT_TRUE(a);
  const Graph& g = a->graph;
  EXPECT_EQ(kept(*a), (Locations{"node_modules/b", "node_modules/b/node_modules/x",
                                 "node_modules/b/node_modules/y"}));
  // y is bundled too: a dependency of a bundled package, deduped under b
  EXPECT_EQ(a->sel.bundler[node_at(g, "node_modules/b/node_modules/y")], node_at(g, "node_modules/b"));
  EXPECT_EQ(a->sel.bundler[node_at(g, "node_modules/b")], kNoNode);
  EXPECT_EQ(a->sel.why[node_at(g, "node_modules/tool")], Why::omit);
  EXPECT_EQ(a->sel.why[node_at(g, "node_modules/tool/node_modules/inner")], Why::bundler);
}

TEST(Select, RootBundleDependenciesAreNotSpecial) {
  // rule 9 / §10 case 11: inBundle but not inDepBundle: omitted like any
  // other optional dependency
  auto p = synced(R"({"name":"app","optionalDependencies":{"o":"^1"},"bundleDependencies":["o"]})",
                  R"("node_modules/o":{"version":"1.0.0","inBundle":true,"optional":true})");
  auto keep = run(p->dir());
  ASSERT_TRUE(keep);
  EXPECT_EQ(kept(*keep), Locations{"node_modules/o"});
  EXPECT_EQ(keep->sel.bundler[node_at(keep->graph, "node_modules/o")], kRoot);
  auto omit = run(p->dir(), with({"optional"}));
  ASSERT_TRUE(omit);
  EXPECT_TRUE(kept(*omit).empty());
  EXPECT_EQ(omit->sel.why[node_at(omit->graph, "node_modules/o")], Why::omit);
}

// --- omit (§4.1) -------------------------------------------------------------

const char* kKinds = R"({"name":"app","dependencies":{"p":"^1"},"devDependencies":{"d":"^1"},
  "optionalDependencies":{"o":"^1"},"peerDependencies":{"r":"^1"}})";
const char* kKindsRest = R"("node_modules/p":{"version":"1.0.0"},
  "node_modules/d":{"version":"1.0.0","dev":true},
  "node_modules/o":{"version":"1.0.0","optional":true},
  "node_modules/r":{"version":"1.0.0","peer":true})";

TEST(Select, OmitPeerOptionalAndDev) {
  // rule 2: each flag against its omit type; lockcut always starts from
  // --omit=dev (analysis.cc), which --include=dev undoes
  auto p = synced(kKinds, kKindsRest);
  auto dflt = run(p->dir());
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->select_options.omit, kOmitDev);
  EXPECT_EQ(kept(*dflt), (Locations{"node_modules/o", "node_modules/p", "node_modules/r"}));

  auto peer = run(p->dir(), with({"peer"}));
  ASSERT_TRUE(peer);
  EXPECT_EQ(kept(*peer), (Locations{"node_modules/o", "node_modules/p"}));

  auto optional = run(p->dir(), with({"optional"}));
  ASSERT_TRUE(optional);
  EXPECT_EQ(kept(*optional), (Locations{"node_modules/p", "node_modules/r"}));

  auto all = run(p->dir(), with({}, {"dev"}));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->select_options.omit, 0);
  EXPECT_EQ(kept(*all),
            (Locations{"node_modules/d", "node_modules/o", "node_modules/p", "node_modules/r"}));
}

TEST(Select, IncludeWinsOverOmitWhateverTheOrder) {
  // rule 1: --include wins over --omit for the same type
  auto p = synced(kKinds, kKindsRest);
  auto a = run(p->dir(), with({"optional", "peer"}, {"optional"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->select_options.omit, kOmitDev | kOmitPeer);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/o", "node_modules/p"}));
}

TEST(Select, UnknownOmitValueIsAnError) {
  auto bits = parse_omit({"dev", "optinal"}, "--omit");
  ASSERT_FALSE(bits.ok());
  EXPECT_NE(bits.error().message.find("optinal"), std::string::npos);
  EXPECT_NE(bits.error().message.find("--omit"), std::string::npos);
  auto ok = parse_omit({"dev", "peer", "optional"}, "--include");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), kOmitDev | kOmitPeer | kOmitOptional);

  auto p = synced(kKinds, kKindsRest);
  auto r = analyze_project(p->dir(), with({"devv"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("devv"), std::string::npos);
}

TEST(Select, DevAndOptionalFlaggedNodeGoesWithEitherOmit) {
  // rule 2: dev && optional -> dropped by --omit=dev or by --omit=optional
  auto p = synced(R"({"name":"app","devDependencies":{"t":"^1"},"optionalDependencies":{"o":"^1"}})",
                  R"("node_modules/t":{"version":"1.0.0","optionalDependencies":{"both":"^1"}},
                     "node_modules/o":{"version":"1.0.0","optional":true},
                     "node_modules/both":{"version":"1.0.0","dev":true,"optional":true})");
  auto a = run(p->dir(), with({}, {"dev"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/both"), "dev optional");
  EXPECT_EQ(kept(*a), (Locations{"node_modules/both", "node_modules/o", "node_modules/t"}));
  auto b = run(p->dir(), with({"optional"}, {"dev"}));
  ASSERT_TRUE(b);
  EXPECT_EQ(kept(*b), Locations{"node_modules/t"});
}

TEST(Select, ShouldOmitOnlyUnderTheRootOrAWorkspace) {
  // rule 4 / §10 case 5: nodes whose top is a non-workspace file: folder are
  // never omitted; the link into it is
  auto p = synced(R"({"name":"app","devDependencies":{"x":"file:libs/x"}})",
                  R"("node_modules/x":{"resolved":"libs/x","link":true},
                     "libs/x":{"version":"1.0.0","dev":true,"dependencies":{"is-number":"^6.0.0"}},
                     "libs/x/node_modules/is-number":{"version":"6.0.0","dev":true})",
                  {{"libs/x/package.json",
                    R"({"name":"x","version":"1.0.0","dependencies":{"is-number":"^6.0.0"}})"}});
  auto a = run(p->dir());
  ASSERT_TRUE(a);
  const Graph& g = a->graph;
  const uint8_t all = kOmitDev | kOmitOptional | kOmitPeer;
  EXPECT_TRUE(should_omit(g, a->cls, node_at(g, "node_modules/x"), kOmitDev));
  EXPECT_FALSE(should_omit(g, a->cls, node_at(g, "libs/x"), all));
  EXPECT_FALSE(should_omit(g, a->cls, node_at(g, "libs/x/node_modules/is-number"), all));
  // an empty omit set omits nothing
  EXPECT_FALSE(should_omit(g, a->cls, node_at(g, "node_modules/x"), 0));
}

// --- workspaces (§4.6, reify.js _diffTrees) ----------------------------------

// package.json bumped `r` from ^1.0.0 to ^1.0.1 after the lockfile was
// written: still satisfied by 1.0.1, so npm ci accepts it (§5 rule 4).
const char* kMonoJson = R"({"name":"mono","workspaces":["packages/*"],"dependencies":{"r":"^1.0.1"}})";

std::unique_ptr<TestProject> mono() {
  return std::make_unique<TestProject>(ProjectFiles{
      .package_json = kMonoJson,
      .package_lock = lock_v3(R"("":{"name":"mono","workspaces":["packages/*"],"dependencies":{"r":"^1.0.0"}},
        "node_modules/r":{"version":"1.0.1"},
        "node_modules/a":{"resolved":"packages/a","link":true},
        "node_modules/b":{"resolved":"packages/b","link":true},
        "packages/a":{"name":"a","version":"1.0.0","dependencies":{"la":"^1","b":"^1.0.0"},
          "devDependencies":{"tool":"^1"}},
        "packages/b":{"name":"b","version":"1.0.0","dependencies":{"lb":"^1"}},
        "packages/a/node_modules/la":{"version":"1.0.0"},
        "node_modules/lb":{"version":"1.0.0"},
        "node_modules/tool":{"version":"1.0.0","dev":true})"),
      .files = {{"packages/a/package.json",
                 R"({"name":"a","version":"1.0.0","dependencies":{"la":"^1","b":"^1.0.0"},
                     "devDependencies":{"tool":"^1"}})"},
                {"packages/b/package.json",
                 R"({"name":"b","version":"1.0.0","dependencies":{"lb":"^1"}})"}}});
}

AnalysisOptions workspaces(std::vector<std::string> names, std::vector<std::string> include = {}) {
  AnalysisOptions o = fixed_options();
  o.workspaces = std::move(names);
  o.include = std::move(include);
  return o;
}

TEST(Select, WholeMonorepoWithoutAFilter) {
  auto p = mono();
  auto a = run(p->dir());
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->cls.stored_recomputed);  // the bumped range
  EXPECT_TRUE(a->out_of_sync.empty());
  EXPECT_EQ(kept(*a), (Locations{"node_modules/a", "node_modules/b", "node_modules/lb",
                                 "node_modules/r", "packages/a", "packages/a/node_modules/la",
                                 "packages/b"}));
}

TEST(Select, WorkspaceFilterByNameKeepsItsEdgeClosure) {
  // the closure of the workspace's link over edges of every type, then the
  // usual omit: a's dev `tool` is in the closure but omitted; the root's
  // own `r` is not in it (no --include-workspace-root)
  auto p = mono();
  auto a = run(p->dir(), workspaces({"a"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/a", "node_modules/b", "node_modules/lb",
                                 "packages/a", "packages/a/node_modules/la", "packages/b"}));
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/r")], Why::workspace);
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/tool")], Why::omit);
  auto dev = run(p->dir(), workspaces({"a"}, {"dev"}));
  ASSERT_TRUE(dev);
  EXPECT_TRUE(dev->sel.is_kept(node_at(dev->graph, "node_modules/tool")));
}

TEST(Select, WorkspaceFilterByFolder) {
  auto p = mono();
  for (const char* folder : {"packages/b", "./packages/b/"}) {
    auto a = run(p->dir(), workspaces({folder}));
    ASSERT_TRUE(a);
    EXPECT_EQ(kept(*a), (Locations{"node_modules/b", "node_modules/lb", "packages/b"})) << folder;
  }
}

TEST(Select, UnknownWorkspaceIsAnErrorListingTheWorkspaces) {
  auto p = mono();
  auto r = analyze_project(p->dir(), workspaces({"c"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'c'"), std::string::npos) << r.error().message;
  ASSERT_FALSE(r.error().hints.empty());
  EXPECT_NE(r.error().hints[0].find("a, b"), std::string::npos) << r.error().hints[0];

  auto none = synced(R"({"name":"app","dependencies":{"p":"^1"}})",
                     R"("node_modules/p":{"version":"1.0.0"})");
  auto n = analyze_project(none->dir(), workspaces({"p"}));
  ASSERT_FALSE(n.ok());
  ASSERT_FALSE(n.error().hints.empty());
  EXPECT_NE(n.error().hints[0].find("no workspaces"), std::string::npos) << n.error().hints[0];
}

TEST(Select, WorkspaceFilterByParentFolder) {
  // npm's get-workspaces.js also matches a filter against `<filter>/*`, so
  // `--workspace packages` selects every workspace directly in packages/
  // (npm 11.19.1: [a, b] for this layout)
  auto p = mono();
  auto a = run(p->dir(), workspaces({"packages"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/a", "node_modules/b", "node_modules/lb",
                                 "packages/a", "packages/a/node_modules/la", "packages/b"}));
}

TEST(Select, UnknownWorkspaceBesideAKnownOneIsAnError) {
  // A deliberate divergence: npm fails only when no filter matches ("No
  // workspaces found") and with `-w a -w zzz` installs a's closure. For a
  // deploy, a mistyped workspace must not silently shrink the package, so
  // lockcut refuses and names the workspaces it has.
  auto p = mono();
  auto r = analyze_project(p->dir(), workspaces({"a", "zzz"}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'zzz'"), std::string::npos) << r.error().message;
  ASSERT_FALSE(r.error().hints.empty());
  EXPECT_NE(r.error().hints[0].find("a, b"), std::string::npos) << r.error().hints[0];
}

}  // namespace
}  // namespace lockcut::test
