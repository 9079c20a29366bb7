// npm_config_test.cc: engine/npm_config.cc.
//
// .npmrc as npm's `ini` reads it, and @npmcli/config's precedence: user
// config < project .npmrc < npm_config_* variables (npm-semantics.md §4.1,
// §5 rule 6). Expected values were checked against npm 11.19.1's own config
// loader on the same files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "lockcut/npm_config.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

using Strings = std::vector<std::string>;

/// Sets an environment variable for the scope, restoring the old value.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

NpmConfig parse(const std::string& text) {
  NpmConfig c;
  parse_npmrc(text, "/p/.npmrc", c);
  return c;
}

TEST(Npmrc, ArrayKeysCollectValues) {
  NpmConfig c = parse("omit[]=dev\nomit[] = optional\n");
  EXPECT_EQ(c.list("omit"), (Strings{"dev", "optional"}));
  EXPECT_EQ(c.source["omit"], "/p/.npmrc");
  // ini: a plain key after an array key is pushed onto it, and the other way
  EXPECT_EQ(parse("omit[]=dev\nomit=peer\n").list("omit"), (Strings{"dev", "peer"}));
  EXPECT_EQ(parse("omit=dev\nomit[]=peer\n").list("omit"), (Strings{"dev", "peer"}));
  EXPECT_TRUE(parse("").list("omit").empty());
  // a repeated plain setting: the last one wins
  EXPECT_EQ(parse("os=linux\nos=darwin\n").get("os"), "darwin");
}

TEST(Npmrc, LaterFilesReplaceAListInsteadOfAppending) {
  NpmConfig c;
  parse_npmrc("omit[]=dev\nomit[]=optional\n", "user", c);
  parse_npmrc("omit[]=peer\n", "project", c);
  EXPECT_EQ(c.list("omit"), Strings{"peer"});
  EXPECT_EQ(c.source["omit"], "project");
}

TEST(Npmrc, CommentsAndBlankLinesAreSkipped) {
  NpmConfig c = parse("; a comment\n# another\n\n   \n  ; indented\nos=darwin\n");
  EXPECT_EQ(c.get("os"), "darwin");
  EXPECT_EQ(c.values.size(), 1u);
}

TEST(Npmrc, QuotesAreStrippedAndSpacesTrimmed) {
  NpmConfig c = parse("cpu = \"arm64\"\nos='linux'\n  libc   =   musl  \n");
  EXPECT_EQ(c.get("cpu"), "arm64");
  EXPECT_EQ(c.get("os"), "linux");
  EXPECT_EQ(c.get("libc"), "musl");
}

TEST(Npmrc, EnvironmentVariablesAreExpanded) {
  ScopedEnv os("LOCKCUT_TEST_OS", "freebsd");
  ScopedEnv key("LOCKCUT_TEST_KEY", "cpu");
  NpmConfig c = parse("os=${LOCKCUT_TEST_OS}\n${LOCKCUT_TEST_KEY}=x-${LOCKCUT_TEST_OS}-y\n");
  EXPECT_EQ(c.get("os"), "freebsd");
  EXPECT_EQ(c.get("cpu"), "x-freebsd-y");
}

TEST(Npmrc, FlagsAndEmptyValues) {
  NpmConfig c = parse("legacy-peer-deps=true\nengine-strict=false\nforce\nnode-version=\n"
                      "libc=null\n");
  EXPECT_EQ(c.flag("legacy-peer-deps"), true);
  EXPECT_EQ(c.flag("engine-strict"), false);
  EXPECT_EQ(c.flag("force"), true);  // a bare key is `true` (ini)
  EXPECT_EQ(c.flag("missing"), std::nullopt);
  EXPECT_EQ(c.get("node-version"), std::nullopt);
  EXPECT_EQ(c.get("libc"), std::nullopt);
}

class NpmConfigFiles : public ::testing::Test {
 protected:
  NpmConfigFiles()
      : p_({.files = {{"home/.npmrc", "legacy-peer-deps=true\nomit[]=optional\nos=darwin\ncpu=arm64\n"},
                      {"proj/.npmrc", "legacy-peer-deps=false\ncpu=ia32\n"}}}) {}

  NpmConfigSources sources(bool env) const {
    return NpmConfigSources{p_.dir() + "/proj", p_.dir() + "/home/.npmrc", env};
  }

  TestProject p_;
};

TEST_F(NpmConfigFiles, ProjectOverridesUser) {
  NpmConfig c = load_npm_config(sources(false));
  EXPECT_EQ(c.flag("legacy-peer-deps"), false);
  EXPECT_EQ(c.source["legacy-peer-deps"], p_.dir() + "/proj/.npmrc");
  EXPECT_EQ(c.get("cpu"), "ia32");
  // what the project does not set comes from the user config
  EXPECT_EQ(c.get("os"), "darwin");
  EXPECT_EQ(c.list("omit"), Strings{"optional"});
  EXPECT_EQ(c.source["os"], p_.dir() + "/home/.npmrc");
}

TEST_F(NpmConfigFiles, EnvironmentOverridesBothFiles) {
  // npm_config_* is case-insensitive, `_` becomes `-` (@npmcli/config loadEnv)
  ScopedEnv os("npm_config_os", "win32");
  ScopedEnv lpd("NPM_CONFIG_LEGACY_PEER_DEPS", "true");
  ScopedEnv omit("npm_config_omit", "peer");
  NpmConfig c = load_npm_config(sources(true));
  EXPECT_EQ(c.get("os"), "win32");
  EXPECT_EQ(c.source["os"], "npm_config_os");
  EXPECT_EQ(c.flag("legacy-peer-deps"), true);
  EXPECT_EQ(c.list("omit"), Strings{"peer"});
  EXPECT_EQ(c.get("cpu"), "ia32");

  NpmConfig files_only = load_npm_config(sources(false));
  EXPECT_EQ(files_only.get("os"), "darwin");
  EXPECT_EQ(files_only.flag("legacy-peer-deps"), false);
}

TEST_F(NpmConfigFiles, UnreadableFilesAreSkipped) {
  NpmConfig c = load_npm_config(NpmConfigSources{p_.dir() + "/nowhere", p_.dir() + "/none", false});
  EXPECT_TRUE(c.values.empty());
  EXPECT_TRUE(c.lists.empty());
}

TEST(NpmConfigAnalysis, ProjectNpmrcChangesTheAnalysis) {
  // §5 rule 6: legacy-peer-deps=true in .npmrc drops peer edges, so a
  // peer-only package becomes extraneous; omit[]=optional adds to the omit
  // set. The user config is pointed at an empty file for the test.
  const char* root = R"({"name":"app","dependencies":{"a":"^1"},"optionalDependencies":{"o":"^1"}})";
  TestProject p({.package_json = root,
                 .package_lock = lock_v3(std::string(R"("":)") + root + R"(,
                   "node_modules/a":{"version":"1.0.0","peerDependencies":{"react":"^18"}},
                   "node_modules/react":{"version":"18.3.1","peer":true},
                   "node_modules/o":{"version":"1.0.0","optional":true})"),
                 .npmrc = "legacy-peer-deps=true\nomit[]=optional\n",
                 .files = {{"user/.npmrc", "; nothing\n"}}});
  ScopedEnv user("npm_config_userconfig", p.dir() + "/user/.npmrc");
  AnalysisOptions o = fixed_options();
  o.read_npm_config = true;
  o.legacy_peer_deps = -1;
  auto r = analyze_project(p.dir(), o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Analysis& a = *r.value();
  EXPECT_TRUE(a.legacy_peer_deps);
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes[0].find(p.dir() + "/.npmrc"), std::string::npos) << a.notes[0];
  EXPECT_EQ(a.select_options.omit, kOmitDev | kOmitOptional);
  EXPECT_EQ(kept(a), Strings{"node_modules/a"});

  // the command line wins over the file
  o.legacy_peer_deps = 0;
  o.include = {"optional"};
  auto cli = analyze_project(p.dir(), o);
  ASSERT_TRUE(cli.ok()) << cli.error().message;
  EXPECT_EQ(kept(*cli.value()), (Strings{"node_modules/a", "node_modules/o", "node_modules/react"}));
}

// --- where lockcut reads .npmrc differently from npm 11.19.1 ----------------

TEST(NpmrcAsNpmReadsIt, InlineCommentsEndAValue) {
  // npm 11.19.1: npm's ini cuts an unquoted value at the first unescaped `;`
  // or `#` (ini `unsafe`): npm reads `legacy-peer-deps=true ; c` as true and
  // `omit=dev # prod` as [dev]. lockcut used to keep the comment: the flag reads as
  // unset, and the list becomes dev, #, prod (analyze then fails with
  // "unknown value '#' for --omit").
  NpmConfig c = parse("legacy-peer-deps=true ; c\nomit=dev # prod\nos=\"a;b\"\n");
  EXPECT_EQ(c.flag("legacy-peer-deps"), true);
  EXPECT_EQ(c.list("omit"), Strings{"dev"});
  EXPECT_EQ(c.get("os"), "a;b");  // quoted: kept
}

TEST(NpmrcAsNpmReadsIt, EmptyEnvironmentValuesAreIgnored) {
  // npm 11.19.1: @npmcli/config loadEnv skips `npm_config_x=` (empty value);
  // lockcut used to store "", which flag() reads as true and which hides the
  // project's value from get(): with `os=darwin` in .npmrc and
  // `npm_config_os=` npm keeps darwin; with `npm_config_legacy_peer_deps=`
  // npm keeps false.
  TestProject p({.npmrc = "os=darwin\n", .files = {{"user/.npmrc", ""}}});
  ScopedEnv os("npm_config_os", "");
  ScopedEnv lpd("npm_config_legacy_peer_deps", "");
  NpmConfig c = load_npm_config(NpmConfigSources{p.dir(), p.dir() + "/user/.npmrc", true});
  EXPECT_EQ(c.get("os"), "darwin");
  EXPECT_EQ(c.flag("legacy-peer-deps"), std::nullopt);
}

TEST(NpmrcAsNpmReadsIt, FileKeysAreNotNormalized) {
  // npm 11.19.1: npm normalizes only npm_config_* variable names; in a file
  // `LEGACY_PEER_DEPS=true` is an unknown key ("Unknown project config") and
  // legacy-peer-deps stays false. lockcut used to lowercase it and turns `_` to `-`.
  NpmConfig c = parse("LEGACY_PEER_DEPS=true\n");
  EXPECT_EQ(c.flag("legacy-peer-deps"), std::nullopt);
}

TEST(NpmrcAsNpmReadsIt, CommaOrSpaceSeparatedOmitIsNotAList) {
  // npm rejects `omit=dev,optional` and `omit=dev optional` as invalid
  // values and omits nothing from them; lockcut used to split them, leaving
  // out optional packages that `npm ci` installs. The config keeps the value
  // whole; analyze() ignores it as npm does (with a note).
  EXPECT_EQ(parse("omit=dev,optional\n").list("omit"), Strings{"dev,optional"});
  EXPECT_EQ(parse("omit=dev optional\n").list("omit"), Strings{"dev optional"});
}

TEST(NpmrcAsNpmReadsIt, KeysUnderASectionAreNotTopLevel) {
  // npm 11.19.1: ini nests the keys after `[section]` under that section, so
  // npm never sees `os` here; lockcut used to skip the header and read os=darwin.
  NpmConfig c = parse("[section]\nos=darwin\n");
  EXPECT_EQ(c.get("os"), std::nullopt);
}

TEST(NpmrcAsNpmReadsIt, RepeatedPlainListKeyKeepsTheLastValue) {
  // npm 11.19.1: ini gives a repeated key without `[]` its last value, so npm
  // reads `omit=dev` then `omit=peer` as [peer]; lockcut used to append: [dev, peer]
  EXPECT_EQ(parse("omit=dev\nomit=peer\n").list("omit"), Strings{"peer"});
}

TEST(NpmrcAsNpmReadsIt, UnsetVariableStaysLiteral) {
  // npm 11.19.1: @npmcli/config env-replace leaves `${UNSET}` as written and
  // gives "" only for `${UNSET?}`; lockcut used to give "" for both.
  ::unsetenv("LOCKCUT_TEST_UNSET_VAR");
  NpmConfig c = parse("os=a${LOCKCUT_TEST_UNSET_VAR}b\ncpu=a${LOCKCUT_TEST_UNSET_VAR?}b\n");
  EXPECT_EQ(c.get("os"), "a${LOCKCUT_TEST_UNSET_VAR}b");
  EXPECT_EQ(c.get("cpu"), "ab");
}

}  // namespace
}  // namespace lockcut::test
