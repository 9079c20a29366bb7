// packlist_test.cc: tests for engine/packlist.cc and engine/ignore*.cc.
//
// PacklistIgnore checks the pattern matcher against minimatch itself (the
// copy inside the npm on this machine, run by node) on a grid of patterns
// and paths. PacklistRules builds small packages in temp folders and checks
// what lockcut alone decides (errors, the node_modules difference).
// PacklistLive builds a package per case in a temp folder (or copies a
// corpus project there) and asserts lockcut's list equals what
// `npm pack --dry-run --json` lists for it; npm runs offline with its own
// cache and an empty user config, and never inside the repository.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"
#include "lockcut/ignore.h"
#include "lockcut/packlist.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

// A package folder under construction.
class Pkg {
 public:
  explicit Pkg(const std::string& package_json, const std::string& sub = "pkg")
      : dir_(tmp_.path() + "/" + sub) {
    fs::create_directories(dir_);
    if (!package_json.empty()) file("package.json", package_json);
  }
  const std::string& dir() const { return dir_; }
  const Pkg& file(const std::string& rel, const std::string& content = "x\n") const {
    fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    tmp_.write(fs::relative(p, tmp_.path()).string(), content);
    return *this;
  }
  const Pkg& folder(const std::string& rel) const {
    fs::create_directories(fs::path(dir_) / rel);
    return *this;
  }
  const Pkg& link(const std::string& rel, const std::string& target) const {
    fs::path p = fs::path(dir_) / rel;
    fs::create_directories(p.parent_path());
    fs::create_symlink(target, p);
    return *this;
  }

 private:
  TempDir tmp_;
  std::string dir_;
};

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Everything npm needs to stay out of the user's config, cache and network.
std::vector<std::string> npm_env() {
  static TempDir home;
  return {"env",
          "npm_config_cache=" + home.path() + "/cache",
          "npm_config_userconfig=" + home.path() + "/npmrc",
          "npm_config_update_notifier=false",
          "npm_config_offline=true",
          "npm_config_fund=false",
          "npm_config_audit=false",
          "npm_config_loglevel=error"};
}

// `npm pack --dry-run --json` run in `cwd`: `[0].files[].path`, sorted.
std::vector<std::string> npm_pack(const std::string& cwd) {
  std::vector<std::string> argv = npm_env();
  for (const char* a : {"npm", "pack", "--dry-run", "--json", "--ignore-scripts"}) argv.push_back(a);
  Outcome o = run(argv, cwd);
  EXPECT_EQ(o.exit_code, 0) << "npm pack failed in " << cwd << ":\n" << o.err;
  std::vector<std::string> files;
  simdjson::dom::parser parser;
  simdjson::padded_string text(o.out);
  simdjson::dom::array packs, list;
  if (parser.parse(text).get(packs) || packs.size() == 0 || packs.at(0)["files"].get(list)) {
    ADD_FAILURE() << "npm printed no file list:\n" << o.out << o.err;
    return files;
  }
  for (auto f : list) {
    std::string_view path;
    if (!f["path"].get(path)) files.emplace_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> ours(const std::string& dir, const PackOptions& options = {}) {
  auto r = pack_list(dir, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::vector<std::string>{};
}

// The live comparison: lockcut's list equals npm's, and npm packed something.
void expect_npm_list(const std::string& dir, const PackOptions& options = {}) {
  std::vector<std::string> want = npm_pack(dir);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ours(dir, options), want) << "in " << dir;
}

// The node_modules folder inside the npm on this machine (minimatch is there).
std::string node_modules_dir() {
  std::vector<std::string> argv = npm_env();
  argv.insert(argv.end(), {"npm", "root", "-g"});
  Outcome o = run(argv);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  while (!o.out.empty() && (o.out.back() == '\n' || o.out.back() == '\r')) o.out.pop_back();
  return o.out + "/npm/node_modules";
}

// ---- the matcher against minimatch ------------------------------------------

const std::vector<std::string> kPatterns = {
    "*.js", "*.JS", "lib", "/lib", "lib/", "/lib/", "lib/**", "lib/**/*.js", "**/*.js",
    "**/test/**", "a/**/b", "a/**/b/**/c", "*", "**", "?.md", "???", ".*", ".*.swp", "*.*",
    "._*", "**/._*/**", "readme{,.*[^~$]}", "/readme{,.*[^~$]}", "{a,b}/c", "{a,b,{c,d}}",
    "x{1..3}", "x{a..c}", "x{01..03}", "{}x", "a{b}c", "[abc].js", "[!abc].js", "[^a-c]*",
    "[a-]x", "[]a]", "[[:digit:]]*", "[[:alpha:]].txt", "[z-a]", "[[:graph:]]", "@(a|b).js",
    "+(a|b)", "*(a|b)c", "?(x)y", "x!(a)", "a!(b)c", "a\\*b", "\\#x", "a\\", "!lib", "!!lib",
    "#comment", "docs/*.md", "a/../b", "a//b", "/build/config.gypi", "**/.git", "**/.git/**",
    "*.orig", "/.wafpickle-*", "\\!x", "**/node_modules/**", "src/*", "src/**", "*/x",
    "x*y*z", "*a*a*b", "*\\.js", "[a-c]?", "!(x)*", "/", "a/", "**/", "lib/*/", "@()", "A[B]C",
    "{lib,src}/**", "*.{js,md}", "!/README*", "\\\\{a,b}", "x/**/", "[.]x", "[[:upper:]]*",
    "+(a|?(x))", "*(a|!(b))", "@(x!(a)y)z", "!(*)", "x!(a|b)*", "@(@())", "?(a|*(b))c", "*(?)",
    "@(!(a))x", "+(a|*(b))", "a+(b|!(c))d"};

const std::vector<std::string> kPaths = {
    "a.js", "lib", "lib/", "/lib", "/lib/", "lib/a.js", "/lib/a.js", "lib/sub/a.js",
    "/lib/sub/b.JS", "test/x", "/a/test/b", "a/b", "a/x/b", "a/x/y/b", "/a/b/c", "a/x/b/y/c",
    "README.md", "/README.md", "readme.md~", "/Readme", ".x.swp", "._foo", "/x/._foo/bar",
    "b/c", "x2", "xb", "x02", "b.js", "d.js", "A", "-x", "]", "9lives", "\xC3\xA9.txt", "ab",
    "aab", "c", "y", "xy", "abc", "acc", "a*b", "a\\b", "#x", "a", "docs/x.md", "/docs/x.md",
    "/sub/docs/x.md", "b", "/build/config.gypi", "/.git", "/sub/.git/HEAD", "x.orig",
    "/.wafpickle-7", "!x", "/node_modules/x", "src/a", "/src/a/b", "q/x", "xayaz", "xaaab",
    "x.js", "x\\.js", "aq", "lib/x/", "x/y/", "/x/", "ABC", "abc", ".x", "Lib/A.JS", "/md/a.md",
    "/", "ba", "xyz", "xaz", "xbz", "xy", "bbc", "abcd", "abbd", "acd", ".", ".."};

TEST(PacklistIgnore, MatchesMinimatch) {
  TempDir t;
  std::string json = "{\"patterns\":[";
  for (size_t i = 0; i < kPatterns.size(); ++i) json += (i ? "," : "") + json_quote(kPatterns[i]);
  json += "],\"paths\":[";
  for (size_t i = 0; i < kPaths.size(); ++i) json += (i ? "," : "") + json_quote(kPaths[i]);
  json += "]}";
  t.write("grid.json", json);
  const char* script = R"(
    const { Minimatch } = require(process.argv[1] + '/minimatch')
    const { patterns, paths } = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'))
    const opts = { matchBase: true, dot: true, flipNegate: true, nocase: true }
    for (const p of patterns) {
      const m = new Minimatch(p, opts)
      const rel = m.globParts.some(part => part.length <= (part.slice(-1)[0] ? 1 : 2))
      let line = (m.negate ? '1' : '0') + (rel ? '1' : '0') + ' '
      for (const f of paths) line += (m.match(f) ? '1' : '0') + (m.match(f, true) ? '1' : '0')
      console.log(line)
    })";
  Outcome o = run({"node", "-e", script, node_modules_dir(), t.path() + "/grid.json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::vector<std::string> lines;
  for (size_t i = 0, j; (j = o.out.find('\n', i)) != std::string::npos; i = j + 1) {
    lines.push_back(o.out.substr(i, j - i));
  }
  ASSERT_EQ(lines.size(), kPatterns.size());
  for (size_t i = 0; i < kPatterns.size(); ++i) {
    IgnoreRule rule(kPatterns[i]);
    std::string got = std::string(rule.negate() ? "1" : "0") + (rule.relative() ? "1" : "0") + " ";
    for (const auto& f : kPaths) got += std::string(rule.match(f) ? "1" : "0") + (rule.match(f, true) ? "1" : "0");
    if (got == lines[i]) continue;
    std::string diff;
    for (size_t k = 0; k < kPaths.size(); ++k) {
      if (got.substr(3 + 2 * k, 2) != lines[i].substr(3 + 2 * k, 2)) {
        diff += " '" + kPaths[k] + "' (minimatch " + lines[i].substr(3 + 2 * k, 2) + ", ours " +
                got.substr(3 + 2 * k, 2) + ")";
      }
    }
    ADD_FAILURE() << "pattern '" << kPatterns[i] << "' flags minimatch " << lines[i].substr(0, 2)
                  << " ours " << got.substr(0, 2) << ";" << diff;
  }
}

TEST(PacklistIgnore, BraceExpansionMatchesMinimatch) {
  const std::vector<std::string> patterns = {
      "a{b,c}d", "a{b,}c", "{a,b}{c,d}", "a{b,c{d,e}f}g", "x{0..3}", "x{3..0}", "x{0..10..5}",
      "x{a..e..2}", "x{08..10}", "x{-1..1}", "{}a,b}", "a{},b}c", "a{b}c", "${a,b}", "{a},b}",
      "a\\{b,c}", "a\\\\{b,c}", "a{b\\,c,d}", "{,a}", "{a,}", "{,}", "{{a,b}}", "a{1..2}{x,y}",
      "no braces", "{a..\\}", "a{.,b}"};
  TempDir t;
  std::string json = "[";
  for (size_t i = 0; i < patterns.size(); ++i) json += (i ? "," : "") + json_quote(patterns[i]);
  t.write("p.json", json + "]");
  const char* script = R"(
    const { braceExpand } = require(process.argv[1] + '/minimatch')
    const ps = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'))
    for (const p of ps) console.log(JSON.stringify(braceExpand(p))))";
  Outcome o = run({"node", "-e", script, node_modules_dir(), t.path() + "/p.json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  size_t i = 0, line = 0;
  for (size_t j; (j = o.out.find('\n', i)) != std::string::npos; i = j + 1, ++line) {
    ASSERT_LT(line, patterns.size());
    std::string got = "[";
    for (const auto& e : brace_expand(patterns[line])) got += (got.size() > 1 ? "," : "") + json_quote(e);
    EXPECT_EQ(got + "]", o.out.substr(i, j - i)) << "pattern " << patterns[line];
  }
  EXPECT_EQ(line, patterns.size());
}

TEST(PacklistIgnore, IgnoreFileLines) {
  std::vector<IgnoreRule> rules =
      parse_ignore_rules("\xEF\xBB\xBF# comment\r\n\r\n  dist/  \n\t*.log\r\n!keep.log\n   #not\n");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_TRUE(rules[0].match("dist/"));
  EXPECT_TRUE(rules[1].match("/a/b.LOG"));
  EXPECT_TRUE(rules[2].negate());
}

// ---- what lockcut decides on its own ---------------------------------------

TEST(PacklistRules, NoPackageJsonIsAnError) {
  Pkg p("");
  p.file("index.js");
  auto r = pack_list(p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("package.json"), std::string::npos) << r.error().message;
  EXPECT_FALSE(r.error().hints.empty());
}

TEST(PacklistRules, FilesThatIsNotAListIsAnError) {
  Pkg p(R"({"name":"a","version":"1.0.0","files":["lib", 5]})");
  auto r = pack_list(p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"files\""), std::string::npos) << r.error().message;
  Pkg q(R"({"name":"a","version":"1.0.0","files":{"lib":true}})");
  EXPECT_FALSE(pack_list(q.dir()).ok());
  Pkg m(R"({"name":"a",)");
  EXPECT_FALSE(pack_list(m.dir()).ok());
}

TEST(PacklistRules, AnIgnoreFileThatIsAFolderIsAnError) {
  Pkg p(R"({"name":"a","version":"1.0.0"})");
  p.folder(".npmignore/x");
  auto r = pack_list(p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(".npmignore"), std::string::npos) << r.error().message;
}

TEST(PacklistRules, NodeModulesIsNeverEntered) {
  Pkg p(R"({"name":"a","version":"1.0.0","files":["lib","node_modules"],
            "bundleDependencies":["dep"],"dependencies":{"dep":"1.0.0"}})");
  p.file("lib/index.js").file("lib/node_modules/x/i.js").file("node_modules/dep/package.json", "{}");
  EXPECT_EQ(ours(p.dir()), (std::vector<std::string>{"lib/index.js", "package.json"}));
}

TEST(PacklistRules, WorkspaceRootIgnoredWhenNotAWorkspace) {
  Pkg root(R"({"name":"r","version":"1.0.0","workspaces":["packages/*"]})", "root");
  root.file(".gitignore", "*.md\n").file("packages/a/package.json", R"({"name":"a","version":"1.0.0"})");
  root.file("packages/a/x.md").file("tools/t/package.json", R"({"name":"t","version":"1.0.0"})");
  root.file("tools/t/x.md");
  PackOptions with_root{root.dir()};
  std::vector<std::string> member = {"package.json"};
  std::vector<std::string> alone = {"package.json", "x.md"};
  EXPECT_EQ(ours(root.dir() + "/packages/a", with_root), member);
  EXPECT_EQ(ours(root.dir() + "/packages/a"), alone);
  EXPECT_EQ(ours(root.dir() + "/tools/t", with_root), alone);
}

// ---- live comparisons with npm ----------------------------------------------

TEST(PacklistLive, NoFilesField) {
  Pkg p(R"({"name":"plain","version":"1.0.0","main":"index.js"})");
  p.file("index.js").file("lib/a.js").file("lib/deep/b.js").file("test/a.test.js");
  p.file("docs/guide.md").file("CHANGELOG.md").file("tsconfig.json").file("@scoped.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesWithFoldersAndGlobs) {
  Pkg p(R"({"name":"globs","version":"1.0.0","files":["lib/**/*.js","*.md","types","bin/"]})");
  p.file("lib/a.js").file("lib/a.js.map").file("lib/deep/b.js").file("lib/deep/b.ts");
  p.file("types/index.d.ts").file("types/sub/x.d.ts").file("bin/run").file("NOTES.md");
  p.file("docs/x.md").file("src/a.js").file("index.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesWithNegations) {
  Pkg p(R"({"name":"neg","version":"1.0.0",
            "files":["lib","!lib/test","!**/*.spec.js","src/*","./dist","!lib/secret.js","!README.md"]})");
  p.file("lib/a.js").file("lib/a.spec.js").file("lib/test/t.js").file("lib/sub/test/u.js");
  p.file("lib/secret.js").file("README.md");
  p.file("src/x.js").file("src/deep/y.js").file("dist/out.js").file("other.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesWithNestedNpmignore) {
  Pkg p(R"({"name":"nested","version":"1.0.0","files":["lib","extra.js","lib/direct.js","lib/sub/deep.js"]})");
  p.file("lib/direct.js").file("lib/sub/deep.js").file("lib/sub/.npmignore", "deep.js\n");
  p.file(".npmignore", "lib\n").file(".gitignore", "lib\n");
  p.file("lib/.npmignore", "*.map\nfixtures/\ndirect.js\n").file("lib/a.js").file("lib/a.js.map");
  p.file("lib/fixtures/f.json").file("lib/sub/b.js.map").file("lib/sub/.gitignore", "b.js\n");
  p.file("lib/sub/b.js").file("extra.js").file("lib/keep/.npmignore", "extra.js\n");
  p.file(".npmignore", "lib\ndirect.js\n");
  p.file("lib/keep/extra.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, RootNpmignoreOverGitignore) {
  Pkg p(R"({"name":"ig","version":"1.0.0"})");
  p.file(".npmignore", "test/\n# comment\n*.log\n").file(".gitignore", "dist/\nnode_modules/\n");
  p.file("dist/out.js").file("test/t.js").file("debug.log").file("src/a.js").file("src/b.log");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, NestedGitignores) {
  Pkg p(R"({"name":"git","version":"1.0.0"})");
  p.file(".gitignore", "dist/\n/build\ncoverage\n!dist/keep.js\n").file("dist/a.js").file("dist/keep.js");
  p.file("build/b.js").file("src/build/c.js").file("src/coverage/lcov.info");
  p.file("src/.gitignore", "*.tmp\n/local.js\n").file("src/x.tmp").file("src/local.js");
  p.file("src/deep/local.js").file("src/deep/y.tmp");
  p.file("pkg2/.npmignore", "").file("pkg2/.gitignore", "*.js\n").file("pkg2/z.js");
  p.file("pkg3/.npmignore", "# only comments\n").file("pkg3/.gitignore", "*.js\n").file("pkg3/w.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, ReadmeAndLicenseInAnyCase) {
  Pkg p(R"({"name":"docs","version":"1.0.0","files":["lib"]})");
  p.file("lib/a.js").file("readme.MD").file("LICENCE.txt").file("Copying").file("License-MIT");
  p.file("README.md~").file("CHANGELOG.md").file("docs/README.md").file("licence.").file("LICENSE$");
  p.file(".npmignore", "readme*\nLICEN*\n");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, MainBinBrowserOutsideFiles) {
  Pkg p(R"({"name":"forced","version":"1.0.0","files":["lib"],"main":"index.js",
            "browser":"browser.js","bin":{"forced":"./bin/cli.js","other":"bin\\win.js","../up":"up.js"}})");
  p.file("lib/a.js").file("index.js").file("browser.js").file("bin/cli.js").file("bin/win.js");
  p.file("up.js").file("bin/unused.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, MainAndBrowserAreTakenVerbatim) {
  Pkg p(R"({"name":"verbatim","version":"1.0.0","files":["lib"],"main":"./index.js",
            "browser":{"./index.js":"./web.js"},"bin":"./cli.js"})");
  p.file("lib/a.js").file("index.js").file("web.js").file("cli.js").file("b").file("o").file("z");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, AlwaysExcludedFiles) {
  Pkg p(R"({"name":"excluded","version":"1.0.0"})");
  p.file(".npmrc").file("package-lock.json").file("yarn.lock").file("pnpm-lock.yaml").file("bun.lockb");
  p.file("npm-shrinkwrap.json").file(".DS_Store").file("x.orig").file("._x").file(".x.swp");
  p.file("npm-debug.log").file(".git/HEAD").file("sub/.svn/entries").file("sub/CVS/Root");
  p.file("sub/.hg/store").file("sub/package-lock.json").file("sub/yarn.lock").file("sub/.npmrc");
  p.file("build/config.gypi").file("sub/build/config.gypi").file("build/other.js");
  p.file(".lock-wscript").file("sub/.lock-wscript").file(".wafpickle-7").file("archived-packages/a.tgz");
  p.file("sub/archived-packages/b.tgz").file("st*ar.js").file("sub/._dir/x").file("index.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesNamingExcludedFiles) {
  Pkg p(R"({"name":"forcing","version":"1.0.0",
            "files":[".npmrc","package-lock.json","yarn.lock",".DS_Store","x.orig",".gitignore","lib/.npmrc","lib"]})");
  p.file(".npmrc").file("package-lock.json").file("yarn.lock").file(".DS_Store").file("x.orig");
  p.file(".gitignore", "lib\n").file("lib/.npmrc").file("lib/a.js").file("lib/.npmignore", "a.js\n");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, Dotfiles) {
  Pkg p(R"({"name":"dots","version":"1.0.0"})");
  p.file(".eslintrc.json").file(".github/workflows/ci.yml").file(".env").file(".prettierrc");
  p.file("lib/.hidden").file("lib/a.js").file(".config/x/.keep").file(".npmignore", ".env\n.github\n");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, EmptyFolders) {
  Pkg p(R"({"name":"empty","version":"1.0.0","files":["lib","assets"]})");
  p.folder("lib/empty").folder("assets").folder("unlisted/empty").file("lib/a.js");
  p.file("lib/only-ignored/.npmignore", "*\n").file("lib/only-ignored/x.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, Symlinks) {
  Pkg p(R"({"name":"links","version":"1.0.0","files":["lib","linked.js","linkdir"],"main":"linked.js"})");
  p.file("lib/a.js").file("real/r.js").link("lib/to-file.js", "a.js").link("lib/to-dir", "../real");
  p.link("linked.js", "lib/a.js").link("linkdir", "real").link("lib/dangling", "nowhere");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, CaseInsensitiveRules) {
  Pkg p(R"({"name":"case","version":"1.0.0"})");
  p.file(".npmignore", "DOCS\n*.TXT\nTest/\n").file("docs/a.md").file("notes.txt").file("Notes.Txt2");
  p.file("test/t.js").file("src/TEST/u.js").file("src/a.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, AnchoredAndRelativeRules) {
  Pkg p(R"({"name":"anchors","version":"1.0.0"})");
  p.file(".npmignore", "/build\ntemp\ndocs/*.md\nsrc/**/gen\n*.d.ts\n!keep.d.ts\n");
  p.file("build/a.js").file("lib/build/b.js").file("temp/x").file("lib/temp/y").file("docs/a.md");
  p.file("docs/img.png").file("lib/docs/b.md").file("src/a/gen/g.js").file("src/gen/h.js");
  p.file("x.d.ts").file("lib/keep.d.ts").file("lib/y.d.ts");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, GlobSyntaxInFiles) {
  Pkg p(R"({"name":"syntax","version":"1.0.0",
            "files":["{lib,src}/**","[ab]*.js","+(x|y).cjs","?.mjs","dist/*","\\[c\\].js","!src/*.bak"]})");
  p.file("lib/a.js").file("src/b.js").file("src/c.bak").file("a1.js").file("b2.js").file("c3.js");
  p.file("x.cjs").file("xy.cjs").file("z.cjs").file("q.mjs").file("qq.mjs").file("dist/d.js");
  p.file("dist/sub/e.js").file("[c].js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesOddEntries) {
  Pkg p(R"({"name":"odd","version":"1.0.0",
            "files":["./lib/","/top.js","docs/*","  spaced.js  ","#comment.js","missing/**","linkdir","a\nb.js"]})");
  p.file("lib/a.js").file("top.js").file("sub/top.js").file("docs/a.md").file("docs/deep/b.md");
  p.file("spaced.js").file("#comment.js").file("a").file("b.js").file("real/r.js").link("linkdir", "real");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesEmptyList) {
  Pkg p(R"({"name":"nothing","version":"1.0.0","files":[],"main":"lib/main.js"})");
  p.file("lib/main.js").file("lib/other.js").file("README").file("LICENSE.md").file("index.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, FilesAsAString) {
  Pkg p(R"({"name":"stringfiles","version":"1.0.0","files":"lib"})");
  p.file("lib/a.js").file("l").file("i").file("b").file("q");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, BinDirectory) {
  Pkg p(R"({"name":"bindir","version":"1.0.0","files":["lib"],"directories":{"bin":"./tools"}})");
  p.file("lib/a.js").file("tools/one").file("tools/sub/two").file("tools/.hidden").file("other");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, WorkspaceRoot) {
  Pkg p(R"({"name":"root","version":"1.0.0","workspaces":["packages/*"]})");
  p.file(".gitignore", "secret\n").file("packages/a/package.json", R"({"name":"a","version":"1.0.0"})");
  p.file("packages/a/.npmignore", "dist\n").file("packages/a/dist/d.js").file("packages/a/i.js");
  p.file("packages/a/secret/s.js").file("other/.npmignore", "z.js\n").file("other/x/z.js");
  p.file("other/x/.npmignore", "y.js\n").file("other/x/y.js").file("other/x/.ignore");
  p.file("other/x/package.json", "{\"name\":\"notws\",\n\"files\": [\"q\"],\n\"private\": true}\n");
  p.file("other/y/.npmignore", "y.js\n").file("other/y/y.js");
  // a one-line package.json, read as an ignore file, is brace-expanded
  p.file("packages/b/package.json", R"({"name":"b","version":"1.0.0","main":"x.js"})");
  p.file("packages/b/x.js").file("packages/b/\"main\":\"x.js\"").file("packages/b/.gitignore", "x.js\n");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, WorkspacesFieldThatFindsNothing) {
  Pkg p(R"({"name":"nows","version":"1.0.0","workspaces":["nothing/*"]})");
  p.file("sub/package.json", R"({"name":"s"})").file("sub/.npmignore", "a.js\n").file("sub/a.js");
  p.file("sub/b.js").file(".npmignore", "\xEF\xBB\xBF*.log\r\ntest/\r\n").file("x.log").file("test/t.js");
  expect_npm_list(p.dir());
}

TEST(PacklistLive, WorkspaceWithIgnoreFilesAbove) {
  Pkg p("", "acme");
  fs::remove_all(p.dir());
  copy_tree(fixtures() + "/corpus/acme-monorepo", p.dir());
  p.file(".gitignore", "*.log\n/src\nfixtures/\n").file("packages/.npmignore", "*.tmp\n");
  p.file("packages/shared/debug.log").file("packages/shared/x.tmp").file("packages/shared/fixtures/f.json");
  p.file("packages/shared/src/extra.js").file("packages/shared/.npmignore", "*.bak\n");
  p.file("packages/shared/y.bak");
  expect_npm_list(p.dir() + "/packages/shared", {p.dir()});
}

class PacklistLinkTarget : public ::testing::TestWithParam<const char*> {};

// The corpus projects' workspaces and `file:` targets, packed from inside a
// copy of their project as `npm pack` run in the folder does.
TEST_P(PacklistLinkTarget, MatchesNpm) {
  std::string target = GetParam();
  std::string project = target.substr(0, target.find('/'));
  ASSERT_TRUE(fs::exists(fixtures() + "/corpus/" + target + "/package.json")) << target;
  TempDir t;
  copy_tree(fixtures() + "/corpus/" + project, t.path() + "/" + project);
  expect_npm_list(t.path() + "/" + target, {t.path() + "/" + project});
}

INSTANTIATE_TEST_SUITE_P(PacklistCorpus, PacklistLinkTarget,
                         ::testing::Values("acme-monorepo/packages/shared",
                                           "acme-monorepo/packages/thumbnail-fn",
                                           "acme-monorepo/packages/admin-cli",
                                           "acme-monorepo/vendor/legacy-config",
                                           "odd-specs-service/libs/config"));

TEST(PacklistLive, NestedNodeModulesIsTheOneDifference) {
  Pkg p(R"({"name":"nm","version":"1.0.0"})");
  p.file("lib/a.js").file("lib/node_modules/x/i.js").file("node_modules/y/j.js");
  std::vector<std::string> want = npm_pack(p.dir());
  EXPECT_NE(std::find(want.begin(), want.end(), "lib/node_modules/x/i.js"), want.end());
  std::erase_if(want, [](const std::string& f) { return f.find("node_modules/") != std::string::npos; });
  EXPECT_EQ(ours(p.dir()), want);
}

}  // namespace
}  // namespace lockcut::test
