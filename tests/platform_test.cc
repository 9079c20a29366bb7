// platform_test.cc: engine/platform.cc.
//
// npm-install-checks as npm 11.19.1 ships it (npm-semantics.md §4.4):
// checkList for os/cpu/libc, libc only known on linux, engines with
// prereleases included.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "lockcut/manifest.h"
#include "lockcut/platform.h"

namespace lockcut::test {
namespace {

class PlatformTest : public ::testing::Test {
 protected:
  /// A manifest from JSON text (as a lockfile entry or package.json reads).
  Manifest pkg(const std::string& json) {
    const simdjson::padded_string& text = store_.keep(simdjson::padded_string(json));
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    EXPECT_EQ(parser.iterate(text).get(doc), simdjson::SUCCESS);
    simdjson::ondemand::object obj;
    EXPECT_EQ(doc.get_object().get(obj), simdjson::SUCCESS);
    auto m = parse_manifest(obj, store_, JsonWhere{"test.json", {}, text.data()});
    EXPECT_TRUE(m.ok()) << json;
    return m.ok() ? m.value() : Manifest{};
  }

  bool ok_on(const std::string& json, const Target& t) { return platform_ok(pkg(json), store_, t); }

  static Target linux_x64() { return Target{"linux", "x64", "glibc", "", ""}; }

  ManifestStore store_;
};

TEST_F(PlatformTest, NoConstraintsFitAnything) {
  EXPECT_TRUE(ok_on(R"({"version":"1.0.0"})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"version":"1.0.0"})", Target{"aix", "ppc64", "", "", ""}));
}

TEST_F(PlatformTest, PlainEntriesNeedAMatch) {
  // §4.4 rule 11: pass if some non-negated entry equals the value
  EXPECT_TRUE(ok_on(R"({"os":["darwin","linux"]})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"os":["darwin"]})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"cpu":["arm64"]})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"cpu":["arm64","x64"]})", linux_x64()));
  // exact and case-sensitive
  EXPECT_FALSE(ok_on(R"({"os":["Linux"]})", linux_x64()));
}

TEST_F(PlatformTest, NegationsExcludeAndAllNegatedPasses) {
  // §4.4 rule 11: any `!x` equal to the value fails; a list of negations
  // only passes everything else
  EXPECT_TRUE(ok_on(R"({"os":["!win32"]})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"os":["!win32"]})", Target{"win32", "x64", "", "", ""}));
  EXPECT_FALSE(ok_on(R"({"os":["linux","!linux"]})", linux_x64()));
  // a negation plus a plain entry that does not match: no match
  EXPECT_FALSE(ok_on(R"({"os":["!win32","darwin"]})", linux_x64()));
}

TEST_F(PlatformTest, AnyOnlyWhenAlone) {
  // §4.4 rule 11: `["any"]` passes; "any" inside a longer list is a plain
  // entry (npm-install-checks tests list.length === 1)
  EXPECT_TRUE(ok_on(R"({"os":["any"]})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"cpu":"any"})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"os":["any","darwin"]})", linux_x64()));
}

TEST_F(PlatformTest, StringIsAOneElementListAndEmptyListPasses) {
  // §4.4 rule 11: a string is [string]; [] passes (every entry negated)
  EXPECT_TRUE(ok_on(R"({"os":"linux"})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"os":"darwin"})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"os":"!darwin"})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"os":[],"cpu":[]})", linux_x64()));
  // `if (target.os)`: an empty string is no constraint at all
  EXPECT_TRUE(ok_on(R"({"os":""})", linux_x64()));
}

TEST_F(PlatformTest, LibcNeedsLinux) {
  // §4.4 rules 10 and 12, §10 case 9: off linux the host libc is unknown, so
  // any libc field fails, even a negation or an empty list
  Target darwin{"darwin", "arm64", "", "", ""};
  EXPECT_FALSE(ok_on(R"({"libc":["glibc"]})", darwin));
  EXPECT_FALSE(ok_on(R"({"libc":["!musl"]})", darwin));
  EXPECT_FALSE(ok_on(R"({"libc":[]})", darwin));
  EXPECT_TRUE(ok_on(R"({"libc":["glibc"]})", linux_x64()));
  EXPECT_FALSE(ok_on(R"({"libc":["musl"]})", linux_x64()));
  EXPECT_TRUE(ok_on(R"({"libc":["!musl"]})", linux_x64()));
  Target musl{"linux", "x64", "musl", "", ""};
  EXPECT_TRUE(ok_on(R"({"libc":"musl"})", musl));
  // currentEnv.libc(os) is undefined unless os is linux
  EXPECT_EQ(host_libc("darwin"), "");
  EXPECT_EQ(host_libc("win32"), "");
}

TEST_F(PlatformTest, AllThreeFieldsMustPass) {
  const std::string napi =
      R"({"os":["linux"],"cpu":["x64"],"libc":["glibc"]})";
  EXPECT_TRUE(ok_on(napi, linux_x64()));
  EXPECT_FALSE(ok_on(napi, Target{"linux", "arm64", "glibc", "", ""}));
  EXPECT_FALSE(ok_on(napi, Target{"linux", "x64", "musl", "", ""}));
  EXPECT_FALSE(ok_on(napi, Target{"darwin", "x64", "", "", ""}));
}

TEST_F(PlatformTest, EnginesIncludePrereleases) {
  // §4.4 rule 13: semver.satisfies(..., {includePrerelease: true})
  Manifest m = pkg(R"({"engines":{"node":">=20","npm":">=10"}})");
  Target t = linux_x64();
  t.node_version = "21.0.0-nightly.20240101";
  EXPECT_TRUE(engines_ok(m, t));
  t.node_version = "18.19.0";
  EXPECT_FALSE(engines_ok(m, t));
  t.node_version = "20.20.2";
  t.npm_version = "9.9.9";
  EXPECT_FALSE(engines_ok(m, t));
  t.npm_version = "11.19.1";
  EXPECT_TRUE(engines_ok(m, t));
}

TEST_F(PlatformTest, EnginesOfTheNapiPackageOnNode20) {
  // §10 case 10: `^22.20 || >=25` excludes node 20
  Manifest m = pkg(R"({"engines":{"node":"^22.20 || >=25"}})");
  Target t = linux_x64();
  t.node_version = "20.20.2";
  EXPECT_FALSE(engines_ok(m, t));
  t.node_version = "22.21.0";
  EXPECT_TRUE(engines_ok(m, t));
  t.node_version = "25.0.0-rc.1";
  EXPECT_TRUE(engines_ok(m, t));
}

TEST_F(PlatformTest, UnknownVersionsAndOldEnginesArraysAreNotChecked) {
  Target t = linux_x64();  // no node or npm version known
  EXPECT_TRUE(engines_ok(pkg(R"({"engines":{"node":">=99"}})"), t));
  // old packages wrote engines as an array: npm ignores it
  t.node_version = "20.0.0";
  EXPECT_TRUE(engines_ok(pkg(R"({"engines":["node >= 99"]})"), t));
}

TEST_F(PlatformTest, MismatchNamesTheFirstFailingField) {
  Target t = linux_x64();
  t.node_version = "20.20.2";
  EXPECT_EQ(platform_mismatch(pkg(R"({"os":["darwin","win32"]})"), store_, t),
            "os darwin,win32, target linux");
  EXPECT_EQ(platform_mismatch(pkg(R"({"cpu":"arm64"})"), store_, t), "cpu arm64, target x64");
  EXPECT_EQ(platform_mismatch(pkg(R"({"libc":["glibc"]})"), store_,
                              Target{"darwin", "x64", "", "", ""}),
            "libc glibc, target none (darwin)");
  EXPECT_EQ(platform_mismatch(pkg(R"({"engines":{"node":">=22"}})"), store_, t),
            "engines.node >=22, target node 20.20.2");
  EXPECT_EQ(platform_mismatch(pkg(R"({"os":["linux"]})"), store_, t), "");
}

// What `cmd` prints, trimmed, without a leading `v`.
std::string version_from(const char* cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd, "r")) {
    char buf[128];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!out.empty() && out[0] == 'v') out.erase(0, 1);
  return out;
}

// lockcut reads the versions from node's header and npm's package.json
// instead of starting them (~20 ms and ~200 ms); the answer must be theirs.
TEST(DetectVersions, EqualWhatNodeAndNpmSay) {
  EXPECT_EQ(detect_node_version(), version_from("node --version"));
  EXPECT_EQ(detect_npm_version(), version_from("npm --version"));
  EXPECT_FALSE(detect_npm_version().empty());
}

}  // namespace
}  // namespace lockcut::test
