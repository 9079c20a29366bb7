// lockfile_test.cc: engine/lockfile.cc and engine/lockfile_v1.cc.
//
// Which file npm reads, v2/v3 `packages` in file order, errors that name the
// file, the JSON path and the byte, and the v1 `dependencies` tree converted
// as arborist's Shrinkwrap does (npm-semantics.md §1).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lockcut/lockfile.h"
#include "lockcut/project.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

class LockfileTest : public ::testing::Test {
 protected:
  Result<Lockfile> parse(const std::string& text, const std::string& name = "package-lock.json") {
    return parse_lockfile(simdjson::padded_string(text), name, store_);
  }

  static const LockEntry* entry(const Lockfile& lock, std::string_view location) {
    for (const auto& e : lock.entries) {
      if (e.location == location) return &e;
    }
    return nullptr;
  }

  static std::vector<std::string> locations(const Lockfile& lock) {
    std::vector<std::string> out;
    for (const auto& e : lock.entries) out.emplace_back(e.location);
    return out;
  }

  /// "kind:name@spec" for each declared dependency, in order.
  std::vector<std::string> deps(const Manifest& m) const {
    std::vector<std::string> out;
    for (const auto& d : store_.deps(m.deps)) {
      out.push_back(std::string(dep_kind_name(d.kind)) + ":" + std::string(d.name) + "@" +
                    std::string(d.spec));
    }
    return out;
  }

  ManifestStore store_;
};

// --- v2 / v3 ---------------------------------------------------------------

TEST_F(LockfileTest, V3EntriesKeepFileOrderWithTheRootFirst) {
  // the root entry written last must still come first: entries[0] is ""
  auto lock = parse(R"({"lockfileVersion":3,"packages":{
    "node_modules/b":{"version":"2.0.0"},
    "node_modules/a":{"version":"1.0.0"},
    "node_modules/a/node_modules/c":{"version":"3.0.0"},
    "":{"name":"app","dependencies":{"a":"^1.0.0"}}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->version, 3);
  EXPECT_EQ(lock->kind, LockfileKind::package_lock);
  EXPECT_FALSE(lock->from_v1_tree);
  EXPECT_EQ(locations(*lock), (std::vector<std::string>{"", "node_modules/b", "node_modules/a",
                                                        "node_modules/a/node_modules/c"}));
  EXPECT_EQ(lock->entries[0].pkg.name, "app");
  EXPECT_EQ(deps(lock->entries[0].pkg), std::vector<std::string>{"prod:a@^1.0.0"});
  EXPECT_EQ(entry(*lock, "node_modules/a/node_modules/c")->pkg.version, "3.0.0");
}

TEST_F(LockfileTest, MissingRootEntryIsSynthesized) {
  auto lock = parse(R"({"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(locations(*lock), (std::vector<std::string>{"", "node_modules/a"}));
}

TEST_F(LockfileTest, FieldsAndFlagsOfAnEntry) {
  auto lock = parse(R"({"lockfileVersion":3,"packages":{"":{},
    "node_modules/a":{"version":"1.0.0","resolved":"https://r/a.tgz","integrity":"sha512-A",
      "dev":true,"optional":true,"peer":true,"hasInstallScript":true,"os":["linux"],
      "cpu":"x64","bundledDependencies":["q"],"license":"MIT",
      "dependencies":{"b":"^2"},"optionalDependencies":{"c":"~3"},
      "peerDependencies":{"p":"1","po":"2"},"peerDependenciesMeta":{"po":{"optional":true}}},
    "node_modules/l":{"resolved":"packages/l","link":true}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  const Manifest& a = entry(*lock, "node_modules/a")->pkg;
  EXPECT_EQ(a.version, "1.0.0");
  EXPECT_EQ(a.resolved, "https://r/a.tgz");
  EXPECT_EQ(a.integrity, "sha512-A");
  for (ManifestFlag f : {kFlagDev, kFlagOptional, kFlagPeer, kFlagInstallScript, kFlagHasOs,
                         kFlagHasCpu}) {
    EXPECT_TRUE(a.has(f)) << "flag bit " << f;
  }
  EXPECT_FALSE(a.has(kFlagLink));
  EXPECT_FALSE(a.has(kFlagHasLibc));
  // peerDependenciesMeta[x].optional turns a peer into peerOptional (§2.1 rule 2)
  EXPECT_EQ(deps(a), (std::vector<std::string>{"prod:b@^2", "optional:c@~3", "peer:p@1",
                                               "peerOptional:po@2"}));
  // bundledDependencies is an alias of bundleDependencies (§1.4 rule 16)
  ASSERT_EQ(a.bundle.count, 1u);
  EXPECT_EQ(store_.strings(a.bundle)[0], "q");
  // a string `cpu` is a one-element list (npm-install-checks checkList)
  ASSERT_EQ(a.cpu.count, 1u);
  EXPECT_EQ(store_.strings(a.cpu)[0], "x64");
  const Manifest& l = entry(*lock, "node_modules/l")->pkg;
  EXPECT_TRUE(l.has(kFlagLink));
  EXPECT_EQ(l.resolved, "packages/l");
}

TEST_F(LockfileTest, V2IgnoresItsLegacyDependenciesTree) {
  // only the presence of `packages` matters (§1.2 rule 5): the v1-style
  // tree of a v2 file is ignored, and `packages: {}` beside a tree is empty
  auto v2 = parse(R"({"lockfileVersion":2,"packages":{"":{},"node_modules/a":{"version":"1.0.0"}},
    "dependencies":{"zzz":{"version":"9.9.9"}}})");
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(locations(*v2), (std::vector<std::string>{"", "node_modules/a"}));

  auto empty = parse(R"({"lockfileVersion":2,"dependencies":{"zzz":{"version":"9.9.9"}},
    "packages":{}})");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(locations(*empty), std::vector<std::string>{""});
  EXPECT_FALSE(empty->from_v1_tree);
}

// --- which file ----------------------------------------------------------

TEST(FindLockfile, ShrinkwrapWinsOverPackageLock) {
  // npm-shrinkwrap.json wins when both exist (§1.1 rule 1)
  TestProject p({.package_json = R"({"name":"app"})",
                 .package_lock = lock_v3(R"("":{},"node_modules/from-lock":{"version":"1.0.0"})"),
                 .shrinkwrap = lock_v3(R"("":{},"node_modules/from-sw":{"version":"1.0.0"})")});
  auto path = find_lockfile(p.dir(), "");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(path.value(), p.dir() + "/npm-shrinkwrap.json");

  auto project = load_project(ProjectOptions{p.dir(), "", true});
  ASSERT_TRUE(project.ok()) << project.error().message;
  EXPECT_EQ(project->lock.kind, LockfileKind::shrinkwrap);
  ASSERT_EQ(project->lock.entries.size(), 2u);
  EXPECT_EQ(project->lock.entries[1].location, "node_modules/from-sw");
}

TEST(FindLockfile, EmptyFileCountsAsAbsent) {
  // an empty file reads as "no lockfile" (§1.1 rule 2)
  TestProject p({.package_lock = lock_v3(R"("":{})"),
                 .files = {{"npm-shrinkwrap.json", ""}}});
  auto path = find_lockfile(p.dir(), "");
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(path.value(), p.dir() + "/package-lock.json");

  TestProject none({.files = {{"npm-shrinkwrap.json", ""}, {"package-lock.json", ""}}});
  auto missing = find_lockfile(none.dir(), "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no lockfile"), std::string::npos)
      << missing.error().message;
  EXPECT_EQ(missing.error().kind, ErrorKind::user_input);
  EXPECT_FALSE(missing.error().hints.empty());
}

TEST(FindLockfile, OverridePathIsUsedAsIsAndMustExist) {
  TestProject p({.files = {{"locks/other.json", lock_v3(R"("":{})")}}});
  auto path = find_lockfile(p.dir(), p.dir() + "/locks/other.json");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path.value(), p.dir() + "/locks/other.json");
  auto missing = find_lockfile(p.dir(), p.dir() + "/nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope.json"), std::string::npos);
}

TEST(LoadLockfile, ReadsFromDiskAndNamesAnUnreadableFile) {
  TestProject p({.package_lock = lock_v3(R"("":{},"node_modules/a":{"version":"1.0.0"})")});
  ManifestStore store;
  auto lock = load_lockfile(p.dir() + "/package-lock.json", store);
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->entries.size(), 2u);
  EXPECT_EQ(lock->entries[1].pkg.version, "1.0.0");
  EXPECT_GT(lock->bytes, 0u);

  auto missing = load_lockfile(p.dir() + "/npm-shrinkwrap.json", store);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("npm-shrinkwrap.json"), std::string::npos);
}

// --- errors ----------------------------------------------------------------

TEST_F(LockfileTest, UnsupportedLockfileVersionNamesTheFile) {
  auto v4 = parse(R"({"lockfileVersion":4,"packages":{"":{}}})", "dir/package-lock.json");
  ASSERT_FALSE(v4.ok());
  EXPECT_NE(v4.error().message.find("dir/package-lock.json"), std::string::npos)
      << v4.error().message;
  EXPECT_NE(v4.error().message.find("lockfileVersion 4"), std::string::npos)
      << v4.error().message;
  EXPECT_EQ(v4.error().kind, ErrorKind::user_input);

  auto str = parse(R"({"lockfileVersion":"3","packages":{"":{}}})", "dir/npm-shrinkwrap.json");
  ASSERT_FALSE(str.ok());
  EXPECT_NE(str.error().message.find("dir/npm-shrinkwrap.json"), std::string::npos)
      << str.error().message;
  EXPECT_NE(str.error().message.find("lockfileVersion"), std::string::npos);
}

struct WrongType {
  const char* field;      // as written in the entry
  const char* value;      // the field's value, unique in the text
  size_t at;              // where the offending value starts inside `value`
  const char* json_path;  // expected in the message
};

class LockfileWrongType : public LockfileTest, public ::testing::WithParamInterface<WrongType> {};

TEST_P(LockfileWrongType, ErrorNamesFilePathAndByte) {
  const WrongType& w = GetParam();
  std::string text = std::string(R"({"lockfileVersion":3,"packages":{"":{},"node_modules/a":{)") +
                     "\"" + w.field + "\":" + w.value + "}}}";
  auto lock = parse(text, "proj/package-lock.json");
  ASSERT_FALSE(lock.ok()) << "accepted " << text;
  const std::string& msg = lock.error().message;
  EXPECT_NE(msg.find("proj/package-lock.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find(w.json_path), std::string::npos) << msg;
  // the byte offset is where the bad value starts in the text
  std::string byte = "byte " + std::to_string(text.find(w.value) + w.at);
  EXPECT_NE(msg.find(byte), std::string::npos) << msg << " (want " << byte << ")";
  EXPECT_EQ(lock.error().kind, ErrorKind::user_input);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, LockfileWrongType,
    ::testing::Values(WrongType{"version", "5", 0, R"(packages["node_modules/a"].version)"},
                      WrongType{"dev", R"("yes")", 0, R"(packages["node_modules/a"].dev)"},
                      WrongType{"dependencies", "[]", 0,
                                R"(packages["node_modules/a"].dependencies)"},
                      WrongType{"dependencies", R"({"b":1})", 5,
                                R"(packages["node_modules/a"].dependencies["b"])"},
                      WrongType{"os", "7", 0, R"(packages["node_modules/a"].os)"}));

TEST_F(LockfileTest, EntryThatIsNotAnObjectIsAnError) {
  auto lock = parse(R"({"lockfileVersion":3,"packages":{"":{},"node_modules/a":"1.0.0"}})");
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.error().message.find(R"(packages["node_modules/a"])"), std::string::npos)
      << lock.error().message;
}

TEST_F(LockfileTest, EveryTruncationIsAnErrorNamingTheFile) {
  const std::string text = R"({"name":"app","lockfileVersion":3,"requires":true,"packages":{)"
                           R"("":{"name":"app","dependencies":{"a":"^1.0.0"}},)"
                           R"("node_modules/a":{"version":"1.0.0","os":["linux"],)"
                           R"("dependencies":{"b":"2"}},"node_modules/b":{"version":"2.0.0"}}})";
  ASSERT_TRUE(parse(text).ok());
  for (size_t n = 0; n < text.size(); ++n) {
    auto lock = parse(text.substr(0, n), "cut/package-lock.json");
    ASSERT_FALSE(lock.ok()) << "a prefix of " << n << " bytes was accepted";
    EXPECT_NE(lock.error().message.find("cut/package-lock.json"), std::string::npos)
        << "at " << n << ": " << lock.error().message;
  }
}

TEST_F(LockfileTest, TrailingContentAndNonObjectTopAreErrors) {
  EXPECT_FALSE(parse(R"({"lockfileVersion":3,"packages":{}} {})").ok());
  EXPECT_FALSE(parse(R"([1,2,3])").ok());
  EXPECT_FALSE(parse(R"({"lockfileVersion":3,"packages":[]})").ok());
}

TEST_F(LockfileTest, ByteOrderMarkIsIgnored) {
  // engine bug: npm parses lockfiles and package.json with
  // json-parse-even-better-errors, which strips a leading UTF-8 BOM (npm
  // 11.19.1 loads this file); lockcut rejects it with "expected a JSON object
  // at the top level". read_package_json has the same problem.
  auto lock = parse("\xEF\xBB\xBF" R"({"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"version":"1.0.0"}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(locations(*lock), (std::vector<std::string>{"", "node_modules/a"}));
}

// --- v1 conversion (§1.3) --------------------------------------------------

TEST_F(LockfileTest, V1NestedDependenciesGetNestedLocations) {
  // rule 9: a child lives at parentLocation/node_modules/name
  auto lock = parse(R"({"name":"app","lockfileVersion":1,"requires":true,"dependencies":{
    "a":{"version":"1.0.0","dependencies":{
      "b":{"version":"2.0.0","dependencies":{"@s/c":{"version":"3.0.0"}}}}},
    "d":{"version":"4.0.0"}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_TRUE(lock->from_v1_tree);
  EXPECT_EQ(lock->version, 1);
  EXPECT_FALSE(lock->ancient);
  EXPECT_EQ(locations(*lock),
            (std::vector<std::string>{"", "node_modules/a", "node_modules/a/node_modules/b",
                                      "node_modules/a/node_modules/b/node_modules/@s/c",
                                      "node_modules/d"}));
  EXPECT_EQ(lock->entries[0].pkg.name, "app");
  EXPECT_EQ(entry(*lock, "node_modules/a/node_modules/b/node_modules/@s/c")->pkg.version, "3.0.0");
}

TEST_F(LockfileTest, V1WithoutRequiresTrueIsAncient) {
  // rule 7: v1 without `requires: true` is npm's ancientLockfile
  auto lock = parse(R"({"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0"}}})");
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(lock->ancient);
}

TEST_F(LockfileTest, V1DirectoryLinkPutsItsChildrenUnderTheTarget) {
  // rules 9-10: `file:<dir>` -> a link plus a target entry; the link's
  // children live under the target's location
  auto lock = parse(R"({"lockfileVersion":1,"requires":true,"dependencies":{
    "x":{"version":"file:libs/x","requires":{"y":"1"},
         "dependencies":{"y":{"version":"1.0.0"}}}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  const LockEntry* link = entry(*lock, "node_modules/x");
  ASSERT_NE(link, nullptr);
  EXPECT_TRUE(link->pkg.has(kFlagLink));
  EXPECT_EQ(link->pkg.resolved, "libs/x");
  const LockEntry* target = entry(*lock, "libs/x");
  ASSERT_NE(target, nullptr);
  EXPECT_FALSE(target->pkg.has(kFlagLink));
  EXPECT_EQ(deps(target->pkg), std::vector<std::string>{"prod:y@1"});
  EXPECT_NE(entry(*lock, "libs/x/node_modules/y"), nullptr);
  EXPECT_EQ(entry(*lock, "node_modules/x/node_modules/y"), nullptr);
}

TEST_F(LockfileTest, V1RequiresTakeTheirKindFromTheTarget) {
  // rule 11 (and arborist 9.9.1 run on this input): optional when the target
  // is optional and the requirer not; else dev when the target is dev and
  // the requirer not; else prod. Targets are found by walking up.
  auto lock = parse(R"({"lockfileVersion":1,"requires":true,"dependencies":{
    "a":{"version":"1.0.0","requires":{"b":"^2.0.0","c":"^1.0.0","d":"^1.0.0","e":"^1.0.0"},
         "dependencies":{"b":{"version":"2.0.0","optional":true}}},
    "c":{"version":"1.0.0","dev":true},
    "d":{"version":"1.0.0","dev":true,"optional":true},
    "e":{"version":"1.0.0"},
    "o":{"version":"1.0.0","optional":true,"requires":{"p":"1"}},
    "p":{"version":"1.0.0","optional":true},
    "t":{"version":"1.0.0","dev":true,"requires":{"c":"1","zz":"1"}}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(deps(entry(*lock, "node_modules/a")->pkg),
            (std::vector<std::string>{"optional:b@^2.0.0", "dev:c@^1.0.0", "optional:d@^1.0.0",
                                      "prod:e@^1.0.0"}));
  // both optional: a plain dependency
  EXPECT_EQ(deps(entry(*lock, "node_modules/o")->pkg), std::vector<std::string>{"prod:p@1"});
  // both dev, and a target that is not in the tree at all: prod
  EXPECT_EQ(deps(entry(*lock, "node_modules/t")->pkg),
            (std::vector<std::string>{"prod:c@1", "prod:zz@1"}));
  EXPECT_TRUE(entry(*lock, "node_modules/c")->pkg.has(kFlagDev));
  EXPECT_TRUE(entry(*lock, "node_modules/a/node_modules/b")->pkg.has(kFlagOptional));
}

TEST_F(LockfileTest, V1BundledBecomesInBundle) {
  // rule 10: `bundled` -> inBundle
  auto lock = parse(R"({"lockfileVersion":1,"requires":true,"dependencies":{
    "bb":{"version":"1.0.0","requires":{"inb":"1"},
          "dependencies":{"inb":{"version":"1.0.0","bundled":true}}}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_TRUE(entry(*lock, "node_modules/bb/node_modules/inb")->pkg.has(kFlagInBundle));
  EXPECT_FALSE(entry(*lock, "node_modules/bb")->pkg.has(kFlagInBundle));
}

TEST_F(LockfileTest, V1AliasAndTarballVersions) {
  // rule 10: alias `npm:x@1.2.3` -> name x, version 1.2.3; a `file:` tarball
  // -> root-relative resolved, version from `name-1.2.3.tgz`; a registry URL
  // -> name and version from its `/<name>/-/<base>.tgz` path (arborist
  // reports packageName "@s/real", version "2.3.4" for this input)
  auto lock = parse(R"({"lockfileVersion":1,"requires":true,"dependencies":{
    "al":{"version":"npm:lodash@4.17.21","integrity":"sha512-L"},
    "t":{"version":"file:vendor/t-1.2.3.tgz","integrity":"sha512-T"},
    "r":{"version":"https://registry.example.org/@s/real/-/real-2.3.4.tgz","integrity":"sha512-R"},
    "plain":{"version":"3.0.0","resolved":"https://registry.example.org/plain/-/plain-3.0.0.tgz",
             "integrity":"sha512-P"}}})");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  const Manifest& al = entry(*lock, "node_modules/al")->pkg;
  EXPECT_EQ(al.name, "lodash");
  EXPECT_EQ(al.version, "4.17.21");
  EXPECT_EQ(al.integrity, "sha512-L");
  const Manifest& t = entry(*lock, "node_modules/t")->pkg;
  EXPECT_EQ(t.version, "1.2.3");
  EXPECT_EQ(t.resolved, "file:vendor/t-1.2.3.tgz");
  const Manifest& r = entry(*lock, "node_modules/r")->pkg;
  EXPECT_EQ(r.name, "@s/real");
  EXPECT_EQ(r.version, "2.3.4");
  const Manifest& plain = entry(*lock, "node_modules/plain")->pkg;
  EXPECT_EQ(plain.version, "3.0.0");
  EXPECT_EQ(plain.resolved, "https://registry.example.org/plain/-/plain-3.0.0.tgz");
  EXPECT_EQ(plain.name, "");
}

TEST_F(LockfileTest, V1DevAndOptionalFlagsAreCopied) {
  auto lock = parse(R"({"lockfileVersion":1,"requires":true,"dependencies":{
    "d":{"version":"1.0.0","dev":true},"o":{"version":"1.0.0","optional":true}}})");
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(entry(*lock, "node_modules/d")->pkg.has(kFlagDev));
  EXPECT_FALSE(entry(*lock, "node_modules/d")->pkg.has(kFlagOptional));
  EXPECT_TRUE(entry(*lock, "node_modules/o")->pkg.has(kFlagOptional));
}

}  // namespace
}  // namespace lockcut::test
