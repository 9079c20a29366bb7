// classify_test.cc: engine/classify.cc.
//
// npm ci's recomputed dependency flags (calc-dep-flags.js), the stored ones
// beside them, and what `analyze` then keeps. The cases are
// npm-semantics.md §3.2 and §10; every expected flag set and kept list below
// was also produced by arborist 9.9.1 (shared/oracle/arborist-oracle.js) on
// the same files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lockcut/classify.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

using Locations = std::vector<std::string>;

/// A project whose package.json is the lockfile's "" entry (in sync).
std::unique_ptr<TestProject> synced(const std::string& root, const std::string& rest,
                                    std::map<std::string, std::string> files = {}) {
  return std::make_unique<TestProject>(
      ProjectFiles{.package_json = root,
                   .package_lock = lock_v3(R"("":)" + root + (rest.empty() ? "" : ",") + rest),
                   .files = std::move(files)});
}

std::unique_ptr<Analysis> run(const TestProject& p, std::vector<std::string> omit = {},
                              std::vector<std::string> include = {}) {
  AnalysisOptions o = fixed_options();
  o.omit = std::move(omit);
  o.include = std::move(include);
  auto r = analyze_project(p.dir(), o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(Classify, WorkedExampleOfSection3_2) {
  // root -dev-> jest; root -optional-> ws; jest -> x; ws -> x;
  // root -peerOptional-> yaml
  auto p = synced(R"({"name":"app","devDependencies":{"jest":"^1"},"optionalDependencies":{"ws":"^1"},
                     "peerDependencies":{"yaml":"^2"},"peerDependenciesMeta":{"yaml":{"optional":true}}})",
                  R"("node_modules/jest":{"version":"1.0.0","dependencies":{"x":"^1"}},
                     "node_modules/ws":{"version":"1.0.0","dependencies":{"x":"^1"}},
                     "node_modules/x":{"version":"1.0.0"},
                     "node_modules/yaml":{"version":"2.0.0"})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/jest"), "dev");
  EXPECT_EQ(flags_at(*a, "node_modules/ws"), "optional");
  // dev false via ws, optional false via jest: devOptional (§3.2)
  EXPECT_EQ(flags_at(*a, "node_modules/x"), "devOptional");
  // only a peerOptional edge reaches yaml: extraneous (§3.1 rule 5); the
  // peerOptional edge clears dev, and devOptional goes with optional (rule 6)
  EXPECT_EQ(flags_at(*a, "node_modules/yaml"), "optional peer extraneous");
  EXPECT_EQ(a->cls.flags[kRoot], 0);
  EXPECT_TRUE(a->cls.pruned[node_at(a->graph, "node_modules/yaml")]);

  // --omit=dev (lockcut's default) keeps the devOptional x (§4.1 rule 2)
  EXPECT_EQ(kept(*a), (Locations{"node_modules/ws", "node_modules/x"}));
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/yaml")], Why::extraneous);
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/jest")], Why::omit);
  // a devOptional node goes only when both dev and optional are omitted
  auto both = run(*p, {"optional"});
  ASSERT_TRUE(both);
  EXPECT_TRUE(kept(*both).empty());
  EXPECT_EQ(both->sel.why[node_at(both->graph, "node_modules/x")], Why::omit);
}

TEST(Classify, Case1_StoredFlagsAreIgnoredAndCountedAsStale) {
  // §10 case 1 / §3.5 rule 10: a stored `dev` (and `extraneous`) changes
  // nothing for npm ci; an unflagged unreachable entry is still pruned
  auto p = synced(R"({"name":"app","dependencies":{"a":"^1.0.0","b":"^1.0.0"}})",
                  R"("node_modules/a":{"version":"1.0.0","dev":true},
                     "node_modules/b":{"version":"1.0.0","extraneous":true},
                     "node_modules/c":{"version":"1.0.0"})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/a"), "");
  EXPECT_EQ(flags_at(*a, "node_modules/b"), "");
  EXPECT_EQ(flags_at(*a, "node_modules/c"), "dev optional peer extraneous");
  EXPECT_EQ(kept(*a), (Locations{"node_modules/a", "node_modules/b"}));
  // the root is in sync, so the stored flags are what the lockfile says
  // (what `npm ls --package-lock-only` believes)
  EXPECT_FALSE(a->cls.stored_recomputed);
  EXPECT_EQ(flag_words(a->cls.stored[node_at(a->graph, "node_modules/a")]), "dev");
  EXPECT_EQ(flag_words(a->cls.stored[node_at(a->graph, "node_modules/b")]), "extraneous");
  EXPECT_EQ(flag_words(a->cls.stored[node_at(a->graph, "node_modules/c")]), "");
  EXPECT_EQ(a->cls.stale, 3u);
}

TEST(Classify, RootOutOfSyncMeansStoredFlagsAreTheRecomputedOnes) {
  // §3.5 rule 9: a root spec that differs from the "" entry (^1.0.1 vs
  // ^1.0.0) makes loadVirtual recompute, so nothing is stale
  TestProject p({.package_json = R"({"name":"app","dependencies":{"a":"^1.0.1","b":"^1.0.0"}})",
                 .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"a":"^1.0.0","b":"^1.0.0"}},
                   "node_modules/a":{"version":"1.0.1","dev":true},
                   "node_modules/b":{"version":"1.0.0","extraneous":true},
                   "node_modules/c":{"version":"1.0.0"})")});
  auto a = run(p);
  ASSERT_TRUE(a);
  EXPECT_FALSE(root_in_sync(a->graph));
  EXPECT_TRUE(a->cls.stored_recomputed);
  EXPECT_EQ(a->cls.stored, a->cls.flags);
  EXPECT_EQ(a->cls.stale, 0u);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/a", "node_modules/b"}));
}

TEST(Classify, RootInSyncNeedsTheSameKindsAndExactSpecs) {
  // §3.5 rule 9: same names, types and exact spec strings; a name moved from
  // dependencies to devDependencies is out of sync, an identical root is not
  const std::string rest = R"("node_modules/a":{"version":"1.0.0"})";
  auto same = synced(R"({"name":"app","dependencies":{"a":"^1.0.0"},"optionalDependencies":{"o":"^1"}})",
                     rest);
  auto a = run(*same);
  ASSERT_TRUE(a);
  EXPECT_TRUE(root_in_sync(a->graph));

  TestProject moved({.package_json = R"({"name":"app","devDependencies":{"a":"^1.0.0"}})",
                     .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"a":"^1.0.0"}},)" + rest)});
  auto b = run(moved);
  ASSERT_TRUE(b);
  EXPECT_FALSE(root_in_sync(b->graph));
  EXPECT_TRUE(b->cls.stored_recomputed);

  TestProject added({.package_json = R"({"name":"app","dependencies":{"a":"^1.0.0","n":"1"}})",
                     .package_lock = lock_v3(R"("":{"name":"app","dependencies":{"a":"^1.0.0"}},)" + rest)});
  auto c = run(added);
  ASSERT_TRUE(c);
  EXPECT_FALSE(root_in_sync(c->graph));
}

TEST(Classify, V1LockfileIsInSyncOnlyWithoutRootDevDependencies) {
  // §1.3 rule 11: the converted v1 root has no devDependencies, so a
  // package.json with any is out of sync and npm recomputes at load; without
  // them arborist trusts the v1 flags (arborist 9.9.1: `a` stays "dev" in
  // loadVirtual for the first project, is recomputed for the second)
  const std::string lock = R"({"name":"app","lockfileVersion":1,"requires":true,"dependencies":{
    "a":{"version":"1.0.0","dev":true},"t":{"version":"1.0.0"}}})";
  TestProject plain({.package_json = R"({"name":"app","dependencies":{"a":"^1.0.0"}})",
                     .package_lock = lock});
  auto a = run(plain);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->cls.stored_recomputed);
  EXPECT_EQ(flag_words(a->cls.stored[node_at(a->graph, "node_modules/a")]), "dev");
  EXPECT_EQ(flags_at(*a, "node_modules/a"), "");

  TestProject with_dev({.package_json = R"({"name":"app","dependencies":{"a":"^1.0.0"},
                                             "devDependencies":{"t":"^1.0.0"}})",
                        .package_lock = lock});
  auto b = run(with_dev);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->cls.stored_recomputed);
  EXPECT_EQ(flags_at(*b, "node_modules/t"), "dev");
  EXPECT_EQ(kept(*b), Locations{"node_modules/a"});
}

TEST(Classify, RootInSyncWithWorkspaces) {
  // regression: root_in_sync once kept views into a temporary workspace list
  // (heap-use-after-free under ASan for every in-sync root with workspaces)
  // §3.5 rule 9: the lockfile's workspaces count as root edges of type
  // workspace; this root is in sync
  auto p = synced(R"({"name":"mono","workspaces":["packages/w"]})",
                  R"("node_modules/w":{"resolved":"packages/w","link":true},
                     "packages/w":{"name":"w","version":"1.0.0","dev":true})",
                  {{"packages/w/package.json", R"({"name":"w","version":"1.0.0"})"}});
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_TRUE(root_in_sync(a->graph));
  EXPECT_FALSE(a->cls.stored_recomputed);
  // the stored `dev` is trusted at load and stale for npm ci
  EXPECT_EQ(flag_words(a->cls.stored[node_at(a->graph, "packages/w")]), "dev");
  EXPECT_EQ(flags_at(*a, "packages/w"), "");
  EXPECT_EQ(a->cls.stale, 2u);  // packages/w and the link that carries its flags
}

TEST(Classify, Case2_NameInDependenciesAndDevDependenciesIsDev) {
  // §10 case 2: dev > optional > prod > peer
  auto p = synced(R"({"name":"app","dependencies":{"d":"^1.11.0"},"devDependencies":{"d":"^1.11.0"}})",
                  R"("node_modules/d":{"version":"1.11.13","dev":true})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/d"), "dev");
  EXPECT_TRUE(kept(*a).empty());
}

TEST(Classify, Case3_OnlyAnOptionalPeerNeedsIt) {
  // §10 case 3: extraneous, never installed, even with nothing omitted
  auto p = synced(R"({"name":"app","dependencies":{"vite":"^6.0.0"}})",
                  R"("node_modules/vite":{"version":"6.0.0","peerDependencies":{"yaml":"^2.4.2"},
                       "peerDependenciesMeta":{"yaml":{"optional":true}}},
                     "node_modules/yaml":{"version":"2.9.1","extraneous":true})");
  auto a = run(*p, {}, {"dev"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->select_options.omit, 0);
  EXPECT_NE(flags_at(*a, "node_modules/yaml").find("extraneous"), std::string::npos);
  EXPECT_EQ(kept(*a), Locations{"node_modules/vite"});
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/yaml")], Why::extraneous);
}

TEST(Classify, Case4_UnreachableEntriesVanishSilently) {
  // §10 case 4: pruned with their node_modules, not a sync problem
  auto p = synced(R"({"name":"app"})",
                  R"("node_modules/zzz":{"version":"1.0.0","integrity":"sha512-x"},
                     "node_modules/zzz/node_modules/inner":{"version":"1.0.0"})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_TRUE(kept(*a).empty());
  EXPECT_TRUE(a->cls.pruned[node_at(a->graph, "node_modules/zzz/node_modules/inner")]);
  EXPECT_TRUE(a->out_of_sync.empty());
}

TEST(Classify, Case5_NestedDepsOfAFileFolderAreNeverOmitted) {
  // §10 case 5 / §4.1 rule 4: --omit=dev skips the link, not what sits in
  // the folder's own node_modules (their top is libs/x, not the root)
  auto p = synced(R"({"name":"app","devDependencies":{"x":"file:libs/x"}})",
                  R"("node_modules/x":{"resolved":"libs/x","link":true},
                     "libs/x":{"version":"1.0.0","dev":true,"dependencies":{"is-number":"^6.0.0"}},
                     "libs/x/node_modules/is-number":{"version":"6.0.0","dev":true})",
                  {{"libs/x/package.json",
                    R"({"name":"x","version":"1.0.0","dependencies":{"is-number":"^6.0.0"}})"}});
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/x"), "dev");
  EXPECT_EQ(flags_at(*a, "libs/x"), "dev");
  EXPECT_EQ(flags_at(*a, "libs/x/node_modules/is-number"), "dev");
  EXPECT_EQ(kept(*a), (Locations{"libs/x", "libs/x/node_modules/is-number"}));
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/x")], Why::omit);
}

TEST(Classify, Case7_DevOptionalFlags) {
  // §10 case 7 (flags part): needed by the dev tree and the optional tree
  auto p = synced(R"({"name":"app","devDependencies":{"p":"^1"},"optionalDependencies":{"q":"^1"}})",
                  R"("node_modules/q":{"version":"1.0.0","optional":true,"dependencies":{"p":"^1"}},
                     "node_modules/p":{"version":"1.0.0","devOptional":true,"os":["darwin"]})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/p"), "devOptional");
  EXPECT_EQ(flags_at(*a, "node_modules/q"), "optional");
  EXPECT_EQ(a->cls.stale, 0u);
  // not optional, so its os is not checked by the optional pass (npm would
  // fail strictly here, §4.5 rule 15); omitted only by dev + optional
  EXPECT_EQ(kept(*a), (Locations{"node_modules/p", "node_modules/q"}));
  auto both = run(*p, {"optional"});
  ASSERT_TRUE(both);
  EXPECT_TRUE(kept(*both).empty());
}

TEST(Classify, Case8_FailingOptionalLeafTakesItsParent) {
  // §10 case 8 / §4.5 rule 16: on x64 neither p nor q
  auto p = synced(R"({"name":"app","optionalDependencies":{"p":"^1"}})",
                  R"("node_modules/p":{"version":"1.0.0","optional":true,"dependencies":{"q":"^1"}},
                     "node_modules/q":{"version":"1.0.0","optional":true,"cpu":["arm64"]})");
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/p"), "optional");
  EXPECT_EQ(flags_at(*a, "node_modules/q"), "optional");
  EXPECT_TRUE(kept(*a).empty());
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/p")], Why::platform);
}

TEST(Classify, Case11_BundledDepsIgnoreOmitButRootBundlesDoNot) {
  // §10 case 11 / §4.3 rules 8-9
  auto p = synced(R"({"name":"app","dependencies":{"npm":"^11.0.0","r":"^1"},
                     "optionalDependencies":{"o":"^1"},"bundleDependencies":["o"]})",
                  R"("node_modules/npm":{"version":"11.6.0","bundleDependencies":["cli-columns"],
                       "optionalDependencies":{"cli-columns":"^4"}},
                     "node_modules/npm/node_modules/cli-columns":{"version":"4.0.0","inBundle":true,"optional":true},
                     "node_modules/o":{"version":"1.0.0","inBundle":true,"optional":true},
                     "node_modules/r":{"version":"1.0.0"})");
  auto a = run(*p, {"optional"});
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/npm/node_modules/cli-columns"), "optional");
  EXPECT_EQ(flags_at(*a, "node_modules/o"), "optional");
  EXPECT_EQ(kept(*a), (Locations{"node_modules/npm", "node_modules/npm/node_modules/cli-columns",
                                 "node_modules/r"}));
  EXPECT_EQ(a->sel.why[node_at(a->graph, "node_modules/o")], Why::omit);
  EXPECT_EQ(a->sel.bundler[node_at(a->graph, "node_modules/npm/node_modules/cli-columns")],
            node_at(a->graph, "node_modules/npm"));
  // the root's own bundle is inBundle but not inDepBundle
  EXPECT_EQ(a->sel.bundler[node_at(a->graph, "node_modules/o")], kRoot);
}

TEST(Classify, Case13_WorkspaceEdgesComeFromDisk) {
  // (was skipped for the root_in_sync dangling-view bug, now fixed)
  // §10 case 13: the lockfile says ^6 and holds 6.0.0; the workspace's
  // package.json now says ^7, so npm ci refuses the lockfile
  auto p = synced(R"({"name":"mono","workspaces":["packages/*"]})",
                  R"("node_modules/@acme/shared":{"resolved":"packages/shared","link":true},
                     "packages/shared":{"name":"@acme/shared","version":"1.3.0","dependencies":{"is-number":"^6.0.0"}},
                     "node_modules/is-number":{"version":"6.0.0","integrity":"sha512-x"})",
                  {{"packages/shared/package.json",
                    R"({"name":"@acme/shared","version":"1.3.0","dependencies":{"is-number":"^7.0.0"}})"}});
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(kept(*a), (Locations{"node_modules/@acme/shared", "node_modules/is-number",
                                 "packages/shared"}));
  ASSERT_EQ(a->out_of_sync.size(), 1u);
  const SyncProblem& s = a->out_of_sync[0];
  EXPECT_EQ(s.from, node_at(a->graph, "packages/shared"));
  EXPECT_EQ(s.name, "is-number");
  EXPECT_EQ(s.spec, "^7.0.0");
  EXPECT_EQ(s.found, "6.0.0");
}

TEST(Classify, Case14_ExternalLinkTargetGetsNothingInstalled) {
  // §10 case 14 / §1.5 rule 21: ext's dependency stays unresolved and
  // unreported; the hoisted is-number nobody else needs is pruned. The
  // project sits in app/ so that ../ext is inside the temp dir.
  const char* root = R"({"name":"app","dependencies":{"ext":"file:../ext"}})";
  TestProject p({.files = {{"app/package.json", root},
                           {"app/package-lock.json",
                            lock_v3(std::string(R"("":)") + root + R"(,
                              "node_modules/ext":{"resolved":"../ext","link":true},
                              "../ext":{"version":"1.0.0","dependencies":{"is-number":"^6.0.0"}},
                              "node_modules/is-number":{"version":"6.0.0"})")},
                           {"ext/package.json",
                            R"({"name":"ext","version":"1.0.0","dependencies":{"is-number":"^6.0.0"}})"}}});
  AnalysisOptions o = fixed_options();
  auto r = analyze_project(p.dir() + "/app", o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Analysis& a = *r.value();
  EXPECT_EQ(flags_at(a, "node_modules/is-number"), "dev optional peer extraneous");
  EXPECT_EQ(kept(a), (Locations{"../ext", "node_modules/ext"}));
  ASSERT_EQ(a.graph.missing().size(), 1u);
  EXPECT_EQ(a.graph.missing()[0].from, node_at(a.graph, "../ext"));
  EXPECT_TRUE(a.out_of_sync.empty());
}

TEST(Classify, RootPeersAndWorkspaceDevDependencies) {
  // (was skipped for the root_in_sync dangling-view bug, now fixed)
  // §3.4 rule 8: root peers are real edges flagged peer (dropped by
  // --omit=peer); a workspace's devDependencies flag their targets dev
  auto p = synced(R"({"name":"mono","workspaces":["packages/w"],"peerDependencies":{"react":"^18"}})",
                  R"("node_modules/react":{"version":"18.3.1","peer":true},
                     "node_modules/w":{"resolved":"packages/w","link":true},
                     "packages/w":{"name":"w","version":"1.0.0","dependencies":{"lib":"^1"},
                       "devDependencies":{"tool":"^1"}},
                     "node_modules/lib":{"version":"1.0.0"},
                     "node_modules/tool":{"version":"1.0.0","dev":true})",
                  {{"packages/w/package.json",
                    R"({"name":"w","version":"1.0.0","dependencies":{"lib":"^1"},"devDependencies":{"tool":"^1"}})"}});
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "node_modules/react"), "peer");
  EXPECT_EQ(flags_at(*a, "node_modules/tool"), "dev");
  EXPECT_EQ(flags_at(*a, "node_modules/lib"), "");
  EXPECT_EQ(flags_at(*a, "packages/w"), "");
  EXPECT_EQ(kept(*a), (Locations{"node_modules/lib", "node_modules/react", "node_modules/w",
                                 "packages/w"}));
  auto no_peer = run(*p, {"peer"});
  ASSERT_TRUE(no_peer);
  EXPECT_EQ(kept(*no_peer), (Locations{"node_modules/lib", "node_modules/w", "packages/w"}));
}

TEST(Classify, ContainersOfNeededNodesAreNotExtraneous) {
  // §3.1 rule 3: a folder that holds a needed node is not extraneous (its
  // other flags stay set, and nothing it depends on is reached through it)
  auto p = synced(R"({"name":"app","dependencies":{"l":"file:vendor/l"}})",
                  R"("node_modules/l":{"resolved":"vendor/l","link":true},
                     "vendor":{"name":"vendor","version":"1.0.0","dependencies":{"zz":"1"}},
                     "vendor/l":{"version":"1.0.0"},
                     "node_modules/zz":{"version":"1.0.0"})",
                  {{"vendor/l/package.json", R"({"name":"l","version":"1.0.0"})"}});
  auto a = run(*p);
  ASSERT_TRUE(a);
  EXPECT_EQ(flags_at(*a, "vendor/l"), "");
  EXPECT_EQ(flags_at(*a, "vendor"), "dev optional peer");
  EXPECT_EQ(flags_at(*a, "node_modules/zz"), "dev optional peer extraneous");
  EXPECT_EQ(kept(*a), (Locations{"node_modules/l", "vendor", "vendor/l"}));
}

}  // namespace
}  // namespace lockcut::test
