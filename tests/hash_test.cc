// hash_test.cc: `lockcut hash` changes when, and only when, what `pack`
// would ship changes.
//
// Each test copies a corpus project's package.json and lockfile (no
// node_modules: the key must not need the installed tree) into a temporary
// folder, adds own files, and compares the keys before and after one edit.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

const char* kSharpIntegrity =
    "sha512-Ou9I5Ft9WNcCbXrU9cMgPBcCK8LiwLqcbywW3t4oDV37n1pzpuNLsYiAV8eODnjbtQlSDwZ2cUEeQz4E54Hltg==";

// Replaces the one occurrence of `from` in the file at `path`.
void edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << from << " twice in " << path;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary) << text;
}

// img-thumbnail-lambda with a handler (its `main`) and a test that
// .npmignore keeps out of the package.
std::string lambda_copy(const TempDir& tmp, const std::string& name = "proj") {
  std::string src = fixtures() + "/corpus/img-thumbnail-lambda";
  tmp.write(name + "/package.json", read_file(src + "/package.json"));
  tmp.write(name + "/package-lock.json", read_file(src + "/package-lock.json"));
  tmp.write(name + "/dist/handler.js", "exports.handler = async () => 'thumb';\n");
  tmp.write(name + "/test/handler.test.js", "test('thumb', () => {});\n");
  tmp.write(name + "/.npmignore", "test/\n");
  return tmp.path() + "/" + name;
}

std::string key(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"hash"};
  argv.insert(argv.end(), args.begin(), args.end());
  Outcome r = lockcut(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("lockcut-1:[0-9a-f]{64}\n"))) << r.out;
  return r.out;
}

TEST(HashKey, StableAcrossRunsAndFolders) {
  TempDir tmp;
  std::string a = lambda_copy(tmp, "a"), b = lambda_copy(tmp, "elsewhere/b");
  std::string k = key({a});
  EXPECT_EQ(key({a}), k);
  EXPECT_EQ(key({b}), k);
}

TEST(HashKey, ProdLockfileChangeChangesIt) {
  TempDir tmp;
  std::string p = lambda_copy(tmp);
  std::string k = key({p});
  edit(p + "/package-lock.json", kSharpIntegrity, std::string(kSharpIntegrity).replace(7, 4, "AAAA"));
  std::string k2 = key({p});
  EXPECT_NE(k2, k);
  edit(p + "/package-lock.json", "\"version\": \"0.34.5\",\n      \"integrity\": \"sha512-AAAA",
       "\"version\": \"0.34.6\",\n      \"integrity\": \"sha512-AAAA");
  EXPECT_NE(key({p}), k2);
}

TEST(HashKey, DevOnlyLockfileChangeKeepsIt) {
  TempDir tmp;
  std::string p = lambda_copy(tmp);
  std::string k = key({p});
  // typescript is a devDependency: bump it in the lockfile only
  edit(p + "/package-lock.json", "\"version\": \"7.0.2\",\n      \"integrity\": \"sha512-8FYau96o",
       "\"version\": \"7.0.3\",\n      \"integrity\": \"sha512-9FYau96o");
  EXPECT_EQ(key({p}), k);
}

TEST(HashKey, OwnFilesCountOnlyWhenPacked) {
  TempDir tmp;
  std::string p = lambda_copy(tmp);
  std::string k = key({p});
  tmp.write("proj/test/handler.test.js", "test('thumb', () => { expect(1).toBe(1); });\n");
  tmp.write("proj/test/more.test.js", "test('more', () => {});\n");
  EXPECT_EQ(key({p}), k) << ".npmignore keeps test/ out of the package";
  std::string no_own = key({p, "--no-own-files"});
  tmp.write("proj/dist/handler.js", "exports.handler = async () => 'thumbnail';\n");
  std::string k2 = key({p});
  EXPECT_NE(k2, k);
  EXPECT_EQ(key({p, "--no-own-files"}), no_own);
  // package.json always ships: a devDependencies edit changes what is shipped
  edit(p + "/package.json", "\"jest\": \"^30.0.0\"", "\"jest\": \"^30.0.1\"");
  EXPECT_NE(key({p}), k2);
}

TEST(HashKey, TargetAndOptionsChangeIt) {
  TempDir tmp;
  std::string p = lambda_copy(tmp);
  std::string x64 = key({p, "--target", "lambda-x64"});
  EXPECT_NE(key({p, "--target", "lambda-arm64"}), x64);
  EXPECT_NE(key({p, "--target", "lambda-x64", "--runtime", "nodejs20.x"}), x64);
  EXPECT_NE(key({p, "--target", "lambda-x64", "--bin"}), x64);
  EXPECT_NE(key({p, "--target", "lambda-x64", "--no-own-files"}), x64);
  EXPECT_NE(key({p, "--target", "lambda-x64", "--layer"}),
            key({p, "--target", "lambda-x64", "--no-own-files"}));
}

std::string monorepo_copy(const TempDir& tmp) {
  std::string src = fixtures() + "/corpus/acme-monorepo", dst = tmp.path() + "/mono";
  fs::create_directories(dst);
  for (const char* f : {"package.json", "package-lock.json"}) fs::copy(src + "/" + f, dst + "/" + f);
  for (const char* d : {"packages", "vendor"}) copy_tree(src + "/" + d, dst + "/" + d);
  return dst;
}

TEST(HashKey, WorkspacesHashTheirPackedFiles) {
  TempDir tmp;
  std::string p = monorepo_copy(tmp);
  std::string thumb = key({p, "-w", "@acme/thumbnail-fn"});
  std::string cli = key({p, "-w", "@acme/admin-cli"});
  EXPECT_NE(thumb, cli);
  EXPECT_EQ(key({p, "-w", "packages/thumbnail-fn"}), thumb) << "a workspace by folder or by name";
  // a source file of the workspace ships with it; another workspace's does not
  std::string src = p + "/packages/thumbnail-fn/src";
  ASSERT_TRUE(fs::is_directory(src));
  tmp.write("mono/packages/thumbnail-fn/src/extra.js", "module.exports = 1;\n");
  EXPECT_NE(key({p, "-w", "@acme/thumbnail-fn"}), thumb);
  EXPECT_EQ(key({p, "-w", "@acme/admin-cli"}), cli);
}

TEST(HashJson, ListsEveryPart) {
  TempDir tmp;
  std::string p = lambda_copy(tmp);
  Outcome r = lockcut({"hash", p, "--target", "lambda-arm64", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json).get(doc)) << r.out;
  EXPECT_EQ(int64_t(doc["schema"]), 1);
  EXPECT_EQ(std::string(std::string_view(doc["key"])) + "\n", key({p, "--target", "lambda-arm64"}));
  EXPECT_EQ(std::string_view(doc["target"]["cpu"]), "arm64");
  EXPECT_EQ(std::string_view(doc["target"]["runtime"]), "nodejs22.x");
  EXPECT_TRUE(bool(doc["options"]["ownFiles"]));
  bool sharp = false, arm = false, x64 = false;
  for (simdjson::dom::element pkg : doc["packages"].get_array()) {
    std::string_view loc = pkg["location"];
    if (loc == "node_modules/sharp") {
      sharp = true;
      EXPECT_EQ(std::string_view(pkg["integrity"]), kSharpIntegrity);
    }
    arm |= loc == "node_modules/@img/sharp-linux-arm64";
    x64 |= loc == "node_modules/@img/sharp-linux-x64";
    EXPECT_NE(loc, "node_modules/typescript");
  }
  EXPECT_TRUE(sharp && arm);
  EXPECT_FALSE(x64);
  std::vector<std::string> own;
  for (simdjson::dom::element f : doc["ownFiles"].get_array()) own.emplace_back(std::string_view(f["path"]));
  EXPECT_EQ(own, (std::vector<std::string>{"dist/handler.js", "package.json"}));
}

}  // namespace
}  // namespace lockcut::test
