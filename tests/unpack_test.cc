// unpack_test.cc: engine/unpack.cc.
//
// pacote's extraction rules on tarballs built here, and the hostile ones
// lockcut refuses: each must fail with nothing left beside the destination.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "fetch_support.h"
#include "lockcut/unpack.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;
using E = TarEntry;

unsigned mode_of(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

size_t entries_in(const std::string& dir) {
  return size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(Unpack, FollowsPacotesRules) {
  Scratch dir;
  make_tarball(dir / "a.tgz", {
      {E::file, "whatever/package.json", R"({"name":"a","bin":{"a":"./bin/a.js"}})"},
      {E::file, "whatever/bin/a.js", "#!/usr/bin/env node\n", 0644},
      {E::file, "whatever/run.sh", "echo", 0775},
      {E::file, "whatever/secret", "x", 0400},
      {E::file, "whatever/setuid", "x", 04755},
      {E::dir, "whatever/empty", "", 0700},
      {E::file, "whatever/lib/deep/x.js", "x"},
      {E::file, "whatever/.gitignore", "node_modules"},
      {E::symlink, "whatever/lib/link.js", "deep/x.js"},
      {E::hardlink, "whatever/lib/hard.js", "whatever/lib/deep/x.js"},
  });
  ASSERT_TRUE(unpack_tarball(dir / "a.tgz", dir / "out", "a@1.0.0")) ;
  std::string out = dir / "out";
  EXPECT_EQ(read_text(out + "/lib/deep/x.js"), "x");
  EXPECT_EQ(mode_of(out + "/package.json"), 0644u);
  EXPECT_EQ(mode_of(out + "/bin/a.js"), 0755u);  // package.json bin
  EXPECT_EQ(mode_of(out + "/run.sh"), 0755u);
  EXPECT_EQ(mode_of(out + "/secret"), 0644u);
  EXPECT_EQ(mode_of(out + "/setuid"), 0755u);
  EXPECT_EQ(mode_of(out + "/empty"), 0755u);
  EXPECT_EQ(mode_of(out + "/lib"), 0755u);
  // links are dropped, .gitignore becomes .npmignore
  EXPECT_FALSE(fs::exists(fs::symlink_status(out + "/lib/link.js")));
  EXPECT_FALSE(fs::exists(out + "/lib/hard.js"));
  EXPECT_EQ(read_text(out + "/.npmignore"), "node_modules");
  EXPECT_FALSE(fs::exists(out + "/.gitignore"));
  EXPECT_EQ(entries_in(dir.path()), 2u);  // a.tgz and out: no temporary left
}

TEST(Unpack, GitignoreStaysAsideWhenThereIsAnNpmignore) {
  Scratch dir;
  make_tarball(dir / "a.tgz", {{E::file, "package/.npmignore", "npm"},
                               {E::file, "package/.gitignore", "git"}});
  ASSERT_TRUE(unpack_tarball(dir / "a.tgz", dir / "out", "a@1.0.0"));
  EXPECT_EQ(read_text(dir / "out/.npmignore"), "npm");
}

TEST(Unpack, RefusesHostileTarballsAndLeavesNothing) {
  struct Case {
    const char* why;
    std::vector<E> entries;
    const char* message;
  };
  std::vector<Case> cases = {
      {"dot-dot", {{E::file, "package/../../evil", "x"}}, "'..'"},
      {"dot-dot first", {{E::file, "../evil", "x"}}, "'..'"},
      {"absolute", {{E::file, "/tmp/evil", "x"}}, "absolute"},
      {"symlink out", {{E::symlink, "package/link", "../../etc/passwd"}}, "outside the package"},
      {"absolute symlink", {{E::symlink, "package/lib/link", "/etc/passwd"}}, "outside the package"},
      {"symlink just out", {{E::symlink, "package/lib/link", "../../x"}}, "outside the package"},
      {"hard link out", {{E::hardlink, "package/h", "../outside"}}, "hard link"},
      {"fifo", {{E::fifo, "package/pipe"}}, "fifo"},
  };
  for (const Case& c : cases) {
    Scratch dir;
    std::vector<E> entries = {{E::file, "package/package.json", "{}"}};
    entries.insert(entries.end(), c.entries.begin(), c.entries.end());
    make_tarball(dir / "evil.tgz", entries);
    Status s = unpack_tarball(dir / "evil.tgz", dir / "out", "evil@6.6.6");
    ASSERT_FALSE(s) << c.why;
    EXPECT_NE(s.error().message.find("evil@6.6.6"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(c.message), std::string::npos) << c.why << ": " << s.error().message;
    EXPECT_EQ(entries_in(dir.path()), 1u) << c.why;  // only evil.tgz
  }
}

TEST(Unpack, LinksInsideThePackageAreDroppedNotRefused) {
  Scratch dir;
  make_tarball(dir / "a.tgz", {{E::file, "package/lib/x.js", "x"},
                               {E::symlink, "package/lib/up.js", "../lib/x.js"},
                               {E::symlink, "package/self", "."}});
  ASSERT_TRUE(unpack_tarball(dir / "a.tgz", dir / "out", "a@1.0.0"));
  EXPECT_EQ(entries_in(dir / "out/lib"), 1u);
}

TEST(Unpack, ExistingDestinationAndDamagedTarballsFail) {
  Scratch dir;
  make_tarball(dir / "a.tgz", {{E::file, "package/x", "x"}});
  fs::create_directory(dir / "out");
  EXPECT_FALSE(unpack_tarball(dir / "a.tgz", dir / "out", "a@1.0.0"));
  std::string bytes = read_text(dir / "a.tgz");
  write_text(dir / "cut.tgz", bytes.substr(0, bytes.size() / 2));
  Status s = unpack_tarball(dir / "cut.tgz", dir / "out2", "a@1.0.0");
  ASSERT_FALSE(s);
  EXPECT_FALSE(fs::exists(dir / "out2"));
  EXPECT_EQ(entries_in(dir.path()), 3u);
}

}  // namespace
}  // namespace lockcut::test
