// cross_pack_test.cc: packing for Lambda from a tree installed for another
// platform, against what npm itself installs for the target.
//
// fixtures/cross-platform is installed as a Mac (arm64) would install it,
// with `npm ci --os=darwin --cpu=arm64`: sharp's, esbuild's and
// lightningcss's darwin binaries, none of linux's. `lockcut pack --target
// lambda-x64` (and arm64) must write exactly the tree that `npm ci
// --omit=dev --os=linux --cpu=<arch> --libc=glibc` writes, taking the
// missing linux packages from npm's cache, lockcut's cache or the registry;
// and node must load sharp from the x64 folder on this machine.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "e2e.h"
#include "tree.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

const char* kFixture = "cross-platform";

std::string darwin_tree() {
  return installed_fixture(kFixture, "cross-platform-darwin-arm64", {"--os=darwin", "--cpu=arm64"});
}

// npm's production tree for a linux target, without npm's own metadata
Tree npm_linux_tree(const std::string& cpu) {
  std::string dir = installed_fixture(kFixture, "cross-platform-linux-" + cpu,
                                      {"--omit=dev", "--os=linux", "--cpu=" + cpu, "--libc=glibc"});
  Tree tree = read_tree(dir + "/node_modules");
  std::erase_if(tree, [](const auto& e) {
    return e.first == ".package-lock.json" || e.first.rfind(".bin/", 0) == 0;
  });
  return tree;
}

class CrossPack : public testing::TestWithParam<std::string> {};

TEST_P(CrossPack, DarwinTreePacksAsNpmInstallsForLinux) {
  const std::string cpu = GetParam();
  std::string mac = darwin_tree();
  ASSERT_TRUE(fs::exists(mac + "/node_modules/@img/sharp-darwin-arm64"));
  ASSERT_FALSE(fs::exists(mac + "/node_modules/@img/sharp-linux-" + cpu));
  TempDir tmp;
  std::string out = tmp.path() + "/out";
  Outcome r = lockcut({"pack", mac, "--target", "lambda-" + cpu, "--out", out, "--cache",
                       tmp.path() + "/cache"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same(npm_linux_tree(cpu), read_tree(out + "/node_modules"), "lambda-" + cpu);
  // the installed tree was only read
  EXPECT_FALSE(fs::exists(mac + "/node_modules/@img/sharp-linux-" + cpu));
}

INSTANTIATE_TEST_SUITE_P(Lambda, CrossPack, testing::Values("x64", "arm64"));

TEST(CrossPackRuns, NodeLoadsSharpFromThePackedFolder) {
  TempDir tmp;
  std::string out = tmp.path() + "/fn";
  Outcome r = lockcut({"pack", darwin_tree(), "--target", "lambda-x64", "--out", out, "--cache",
                       tmp.path() + "/cache"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Outcome node = run({"node", out + "/index.js"}, tmp.path());
  ASSERT_EQ(node.exit_code, 0) << node.err;
  EXPECT_EQ(node.out, "{\"thumb\":\"jpeg 16x12\",\"js\":\"let answer=42;\",\"css\":\"a{color:red}\"}\n");
}

// lockcut with npm's cache moved to `npm_cache` (empty: nothing to find there)
Outcome lockcut_with_npm_cache(const std::string& npm_cache, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env", "npm_config_cache=" + npm_cache, LOCKCUT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

// With no cache holding them, --offline names what is missing; `fetch`
// downloads them from the registry npm is configured with; then an offline
// pack takes them from lockcut's cache.
TEST(CrossPackFetch, OfflineNeedsAFetchFirst) {
  TempDir tmp;
  std::string mac = darwin_tree(), cache = tmp.path() + "/cache", npm_cache = tmp.path() + "/npm-cache";
  Outcome offline = lockcut_with_npm_cache(
      npm_cache, {"pack", mac, "--target", "lambda-arm64", "--zip", tmp.path() + "/fn.zip", "--cache", cache, "--offline"});
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_NE(offline.err.find("@img/sharp-linux-arm64@0.34.5"), std::string::npos) << offline.err;
  EXPECT_NE(offline.err.find("lockcut fetch"), std::string::npos) << offline.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/fn.zip"));

  Outcome fetch = lockcut_with_npm_cache(npm_cache, {"fetch", mac, "--target", "lambda-arm64", "--cache", cache});
  ASSERT_EQ(fetch.exit_code, 0) << fetch.err;
  for (const char* pkg : {"@img/sharp-linux-arm64@0.34.5  (registry)", "@esbuild/linux-arm64@0.25.12  (registry)",
                          "lightningcss-linux-arm64-gnu@1.30.2  (registry)"}) {
    EXPECT_NE(fetch.out.find(pkg), std::string::npos) << fetch.out;
  }
  Outcome pack = lockcut_with_npm_cache(
      npm_cache, {"pack", mac, "--target", "lambda-arm64", "--out", tmp.path() + "/fn", "--cache", cache, "--offline"});
  ASSERT_EQ(pack.exit_code, 0) << pack.err;
  EXPECT_NE(pack.err.find("from lockcut-cache"), std::string::npos) << pack.err;
  expect_same(npm_linux_tree("arm64"), read_tree(tmp.path() + "/fn/node_modules"), "offline lambda-arm64");
  EXPECT_FALSE(fs::exists(npm_cache + "/_cacache")) << "lockcut never writes npm's cache";
}

// A copy of npm's linux-x64 tree with one binary planted where the target
// cannot load it.
std::string planted_tree(const TempDir& tmp, const std::string& from, const std::string& to) {
  std::string dir = tmp.path() + "/project";
  copy_tree(installed_fixture(kFixture, "cross-platform-linux-x64",
                              {"--omit=dev", "--os=linux", "--cpu=x64", "--libc=glibc"}),
            dir);
  if (!from.empty()) {
    fs::create_directories(fs::path(dir + "/" + to).parent_path());
    fs::copy_file(from, dir + "/" + to);
  }
  return dir;
}

TEST(CrossCheck, SilentOnNpmsLinuxTree) {
  TempDir tmp;
  std::string dir = planted_tree(tmp, "", "");
  Outcome r = lockcut({"check", dir, "--target", "lambda-x64", "--runtime", "nodejs20.x"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("0 errors, 0 warnings"), std::string::npos) << r.err;
}

TEST(CrossCheck, HostBuiltAddonOnAnArm64TargetStopsThePack) {
  TempDir tmp;
  std::string x64_node = installed_fixture(kFixture, "cross-platform-linux-x64",
                                           {"--omit=dev", "--os=linux", "--cpu=x64", "--libc=glibc"}) +
                         "/node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node";
  std::string dir = planted_tree(tmp, x64_node, "node_modules/sharp/build/Release/sharp.node");
  Outcome check = lockcut({"check", dir, "--target", "lambda-arm64", "--json"});
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_NE(check.out.find("\"file\":\"node_modules/sharp/build/Release/sharp.node\""), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("\"package\":\"sharp@0.34.5\""), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("x86-64"), std::string::npos) << check.out;

  Outcome pack = lockcut({"pack", dir, "--target", "lambda-arm64", "--zip", tmp.path() + "/fn.zip"});
  EXPECT_EQ(pack.exit_code, 1);
  EXPECT_NE(pack.err.find("sharp/build/Release/sharp.node"), std::string::npos) << pack.err;
  EXPECT_NE(pack.err.find("--allow-native-mismatch"), std::string::npos) << pack.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/fn.zip"));

  Outcome forced = lockcut({"pack", dir, "--target", "lambda-arm64", "--zip", tmp.path() + "/fn.zip",
                            "--allow-native-mismatch"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(fs::exists(tmp.path() + "/fn.zip"));
}

TEST(CrossCheck, MacBinaryInALinuxPackage) {
  TempDir tmp;
  std::string macho = darwin_tree() + "/node_modules/@img/sharp-darwin-arm64/lib/sharp-darwin-arm64.node";
  std::string dir = planted_tree(tmp, macho, "node_modules/sharp/lib/sharp.node");
  Outcome check = lockcut({"check", dir, "--target", "lambda-x64"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("node_modules/sharp/lib/sharp.node"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("Mach-O"), std::string::npos) << check.out;
}

// bufferutil and utf-8-validate ship prebuilds for five platforms;
// node-gyp-build on Lambda x64 only ever loads prebuilds/linux-x64/*.node
// (glibc), so the others are reported as dead weight and can be left out.
TEST(CrossCheck, ForeignPrebuildsAreWarningsAndCanBeStripped) {
  std::string dir = installed_corpus("storefront-web");
  Outcome check = lockcut({"check", dir, "--target", "lambda-x64", "--json"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("\"file\":\"node_modules/bufferutil/prebuilds/darwin-arm64/bufferutil.node\""),
            std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("\"severity\":\"error\""), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("prebuilds/linux-x64/bufferutil.node"), std::string::npos) << check.out;

  Outcome plan = lockcut({"pack", dir, "--target", "lambda-x64", "--strip-foreign-prebuilds", "--dry-run", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  for (const char* kept : {"bufferutil/prebuilds/linux-x64/bufferutil.node",
                           "utf-8-validate/prebuilds/linux-x64/utf-8-validate.node"}) {
    EXPECT_NE(plan.out.find(kept), std::string::npos) << kept;
  }
  for (const char* gone : {"prebuilds/darwin-", "prebuilds/win32-", "utf-8-validate.musl.node"}) {
    EXPECT_EQ(plan.out.find(gone), std::string::npos) << gone;
  }
  EXPECT_NE(plan.err.find("left out 9 files of prebuilds for other platforms"), std::string::npos) << plan.err;

  // no linux-arm64 prebuild at all: a warning naming the package
  Outcome arm = lockcut({"check", dir, "--target", "lambda-arm64", "--json"});
  ASSERT_EQ(arm.exit_code, 0) << arm.err;
  EXPECT_NE(arm.out.find("\"file\":\"node_modules/bufferutil/prebuilds/\",\"problem\":\"no prebuild for "
                         "linux-arm64 glibc"), std::string::npos) << arm.out;
  Outcome x64 = lockcut({"check", dir, "--target", "lambda-x64"});
  EXPECT_EQ(x64.out.find("no prebuild"), std::string::npos) << x64.out;
}

}  // namespace
}  // namespace lockcut::test
