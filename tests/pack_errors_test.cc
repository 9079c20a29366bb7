// pack_errors_test.cc: `lockcut pack` on bad input and bad luck.
//
// Every case asserts three things: a non-zero exit with a message that
// names the problem and says what to do, no output (not even a temporary
// one) left beside the destination, and the project untouched.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "e2e.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

// Names in a folder (to see that nothing was left behind).
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Every path with its size and mtime: the project must not change.
std::string fingerprint(const std::string& dir) {
  std::string out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st;
    ::lstat(it->path().c_str(), &st);
    out += it->path().string() + " " + std::to_string(st.st_size) + " " +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "\n";
  }
  return out;
}

// A writable copy of an installed corpus project.
struct Project {
  TempDir tmp;
  std::string dir = tmp.path() + "/project";
  std::string out = tmp.path() + "/out";
  explicit Project(const std::string& name) {
    copy_tree(installed_corpus(name), dir);
    fs::create_directories(out);
  }
};

// The output folder holds nothing (no output, no temporary output).
void expect_nothing_written(const std::string& out) {
  EXPECT_TRUE(listing(out).empty()) << "left behind: " << listing(out)[0];
}

TEST(PackErrors, TreeNotInstalled) {
  TempDir out;
  Outcome r = lockcut({"pack", fixtures() + "/corpus/orders-api", "--zip", out.path() + "/f.zip"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing is installed in '" + fixtures() + "/corpus/orders-api' (no node_modules)"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run `npm ci` in"), std::string::npos) << r.err;
  expect_nothing_written(out.path());
}

// lockcut opens libarchive only for a tar, and says it cannot before it
// does any work: here before it finds that the project is not installed.
TEST(PackErrors, TarWithoutLibarchive) {
  TempDir out;
  TempDir libs;
  // a library by that name the loader finds first, and cannot load
  std::ofstream(libs.path() + "/libarchive.so.13") << "not a library";
  Outcome r = run({"env", "LD_LIBRARY_PATH=" + libs.path(), LOCKCUT_BINARY, "pack",
                   fixtures() + "/corpus/orders-api", "--tar", out.path() + "/f.tar"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot load libarchive to write a tar"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("or write a zip (--zip)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("nothing is installed"), std::string::npos) << r.err;
  expect_nothing_written(out.path());
}

TEST(PackErrors, TreeOutOfSyncWithLockfile) {
  Project p("odd-specs-service");
  // another version of ms installed than the lockfile names, one package gone
  std::string pj = p.dir + "/node_modules/ms/package.json";
  std::string text = read_file(pj);
  size_t at = text.find("\"version\": \"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "\"version\": \"0.0.1-other\", \"x\": \"");
  std::ofstream(pj) << text;
  fs::remove_all(p.dir + "/node_modules/uuid");
  std::string before = fingerprint(p.dir);
  Outcome r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("(2 packages differ)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node_modules/ms: lockfile says ms@"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("installed is ms@0.0.1-other"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("node_modules/uuid: uuid@"), std::string::npos) << r.err;
  expect_nothing_written(p.out);
  EXPECT_EQ(fingerprint(p.dir), before) << "the project changed";
}

TEST(PackErrors, SymlinkEscapingTheProject) {
  Project p("odd-specs-service");
  fs::create_symlink("/etc/passwd", p.dir + "/node_modules/ms/passwd");
  Outcome r = lockcut({"pack", p.dir, "--zip", p.out + "/f.zip"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("node_modules/ms/passwd' -> '/etc/passwd' in package ms@"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("points outside the output"), std::string::npos) << r.err;
  expect_nothing_written(p.out);

  fs::remove(p.dir + "/node_modules/ms/passwd");
  fs::create_symlink("../../../../../../etc", p.dir + "/node_modules/ms/up");
  r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("points outside the output"), std::string::npos) << r.err;
  expect_nothing_written(p.out);

  // a link to a package that is not shipped would dangle
  fs::remove(p.dir + "/node_modules/ms/up");
  fs::create_symlink("../mocha", p.dir + "/node_modules/ms/dev");
  r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("which is not shipped"), std::string::npos) << r.err;

  // a cycle
  fs::remove(p.dir + "/node_modules/ms/dev");
  fs::create_symlink("..", p.dir + "/node_modules/ms/loop");
  r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("forms a cycle"), std::string::npos) << r.err;
  expect_nothing_written(p.out);

  // a link inside the package is kept as a link
  fs::remove(p.dir + "/node_modules/ms/loop");
  fs::create_symlink("index.js", p.dir + "/node_modules/ms/alias.js");
  r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::read_symlink(p.out + "/fn/node_modules/ms/alias.js"), "index.js");
}

TEST(PackErrors, OutputInsideTheInput) {
  Project p("odd-specs-service");
  std::string before = fingerprint(p.dir);
  Outcome r = lockcut({"pack", p.dir, "--out", p.dir + "/node_modules/ms/out"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("which lockcut reads"), std::string::npos) << r.err;
  r = lockcut({"pack", p.dir, "--out", p.dir + "/node_modules/.bin/fn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("inside the project's node_modules"), std::string::npos) << r.err;
  // the project itself, and a folder above it
  r = lockcut({"pack", p.dir, "--out", p.dir, "--force"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("contains the project"), std::string::npos) << r.err;
  r = lockcut({"pack", p.dir, "--out", p.tmp.path(), "--force"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("contains the project"), std::string::npos) << r.err;
  EXPECT_EQ(fingerprint(p.dir), before) << "the project changed";
  // inside the project but outside what is shipped is fine, and the output
  // is not packed into itself on the next run
  fs::create_directories(p.dir + "/dist");
  for (int i = 0; i < 2; ++i) {
    r = lockcut({"pack", p.dir, "--zip", p.dir + "/dist/fn.zip", "--force", "--dry-run", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("dist/fn.zip\",\"type\""), std::string::npos);
    r = lockcut({"pack", p.dir, "--zip", p.dir + "/dist/fn.zip", "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
}

TEST(PackErrors, ExistingOutputNeedsForce) {
  Project p("odd-specs-service");
  std::string fn = p.out + "/fn";
  fs::create_directories(fn);
  std::ofstream(fn + "/old-file") << "old";
  Outcome r = lockcut({"pack", p.dir, "--out", fn});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(fn + "/old-file"));
  r = lockcut({"pack", p.dir, "--out", fn, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(fn + "/old-file"));
  EXPECT_TRUE(fs::exists(fn + "/node_modules/ms/package.json"));
  EXPECT_EQ(listing(p.out), std::vector<std::string>{"fn"});
}

// A file size limit (RLIMIT_FSIZE) stands in for a full disk.
TEST(PackErrors, DiskFull) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir out;
  for (std::string flag : {"--zip", "--out", "--tar"}) {
    std::string cmd = "ulimit -f 2048; exec '" + std::string(LOCKCUT_BINARY) + "' pack '" + project +
                      "' " + flag + " '" + out.path() + "/fn'";
    Outcome r = run({"bash", "-c", cmd});
    EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.err;
    EXPECT_TRUE(r.err.find("File too large") != std::string::npos ||
                r.err.find("No space left") != std::string::npos)
        << flag << ": " << r.err;
    EXPECT_NE(r.err.find("full"), std::string::npos) << flag << ": " << r.err;
    expect_nothing_written(out.path());
  }
}

// SIGINT while copying: exit 130, no output, no temporary output.
TEST(PackErrors, InterruptedMidCopy) {
  std::string project = installed_corpus("storefront-web");
  TempDir out;
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    std::string dest = out.path() + "/fn";
    ::execl(LOCKCUT_BINARY, LOCKCUT_BINARY, "pack", project.c_str(), "--out", dest.c_str(), "-j", "1",
            nullptr);
    ::_exit(127);
  }
  // wait until the temporary output exists, i.e. copying has begun
  bool started = false;
  for (int i = 0; i < 2000 && !started; ++i) {
    started = !listing(out.path()).empty();
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(started) << "lockcut never started writing";
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  expect_nothing_written(out.path());
}

TEST(PackErrors, UsageErrors) {
  std::string project = fixtures() + "/corpus/orders-api";
  Outcome r = lockcut({"pack", project});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no output given"), std::string::npos) << r.err;
  r = lockcut({"pack", project, "--zip", "/tmp/a.zip", "--out", "/tmp/b"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("give one output"), std::string::npos) << r.err;
  r = lockcut({"pack", project, "--zip", "/nonexistent-folder/a.zip"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lockcut::test

namespace lockcut::test {
namespace {

// What install scripts leave beside and inside shipped packages is shipped,
// as `npm ci --omit=dev` would leave it; tool caches are not.
TEST(PackTree, ShipsInstallScriptOutput) {
  Project p("odd-specs-service");
  TempDir& t = p.tmp;
  t.write("project/node_modules/.prisma/client/index.js", "module.exports = {}\n");
  t.write("project/node_modules/.cache/babel/x.json", "{}");
  t.write("project/node_modules/ms/build/Release/addon.node", "\x7f" "ELF");
  Outcome r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(p.out + "/fn/node_modules/.prisma/client/index.js"));
  EXPECT_TRUE(fs::exists(p.out + "/fn/node_modules/ms/build/Release/addon.node"));
  EXPECT_FALSE(fs::exists(p.out + "/fn/node_modules/.cache"));
  EXPECT_FALSE(fs::exists(p.out + "/fn/node_modules/.package-lock.json"));
  EXPECT_FALSE(fs::exists(p.out + "/fn/node_modules/.bin"));
  // the plan says why each is there
  r = lockcut({"pack", p.dir, "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("{\"path\":\"node_modules/.prisma/client/index.js\",\"type\":\"file\""),
            std::string::npos);
  EXPECT_NE(r.out.find("\"package\":\"node_modules/.prisma\",\"reason\":\"hidden\""), std::string::npos);
}

}  // namespace
}  // namespace lockcut::test

namespace lockcut::test {
namespace {

// A workspace made a folder holds what `npm pack` in that workspace lists,
// and there the root's ignore files apply too (npm-packlist's workspace rule).
TEST(PackTree, WorkspaceFolderFollowsNpmPackRules) {
  Project p("acme-monorepo");
  p.tmp.write("project/.gitignore", "*.md\n/src/internal\n");
  p.tmp.write("project/packages/shared/NOTES.md", "notes\n");
  p.tmp.write("project/packages/shared/src/internal/secret.js", "1\n");
  p.tmp.write("project/packages/shared/src/public.js", "1\n");
  Outcome r = lockcut({"pack", p.dir, "--out", p.out + "/fn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> have;
  std::string shared = p.out + "/fn/node_modules/@acme/shared";
  for (auto it = fs::recursive_directory_iterator(shared); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file()) have.insert(it->path().lexically_relative(shared).string());
  }
  Outcome npm = run({"npm", "pack", "--dry-run", "--json", "--ignore-scripts"}, p.dir + "/packages/shared");
  ASSERT_EQ(npm.exit_code, 0) << npm.err;
  std::set<std::string> want;
  for (size_t at = npm.out.find("\"path\": \""); at != std::string::npos;
       at = npm.out.find("\"path\": \"", at + 1)) {
    size_t start = at + 9;
    want.insert(npm.out.substr(start, npm.out.find('"', start) - start));
  }
  EXPECT_EQ(have, want);
  EXPECT_TRUE(have.count("src/public.js"));
  EXPECT_FALSE(have.count("NOTES.md"));  // the root's *.md
}

}  // namespace
}  // namespace lockcut::test

namespace lockcut::test {
namespace {

// --link: the output's files are the installed files (hard links), so
// nothing is copied; modes and content are the installed ones by definition.
TEST(PackTree, LinkHardLinksTheInstalledFiles) {
  Project p("odd-specs-service");
  Outcome r = lockcut({"pack", p.dir, "--out", p.out + "/fn", "--link"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat a, b;
  ASSERT_EQ(::stat((p.out + "/fn/node_modules/ms/index.js").c_str(), &a), 0);
  ASSERT_EQ(::stat((p.dir + "/node_modules/ms/index.js").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_GE(a.st_nlink, 2u);
  r = lockcut({"pack", p.dir, "--zip", p.out + "/fn.zip", "--link"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--link works only with --out"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lockcut::test
