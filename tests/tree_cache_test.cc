// tree_cache_test.cc: the folder-listing snapshot between runs
// (engine/tree_cache.cc). The end-to-end behaviour (what a warm pack relists)
// is in incremental_test.cc; these check the snapshot itself.
#include "lockcut/tree_cache.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "e2e.h"

namespace lockcut {
namespace {

using test::TempDir;

FolderListing listing(const std::string& name, uint64_t size) {
  FolderListing l;
  l.made_ns = 1'700'000'000'000'000'000ull;
  l.manifest.known = true;
  l.manifest.has_name = true;
  l.manifest.name = name;
  l.manifest.has_version = true;
  l.manifest.version = "1.0.0";
  l.manifest.bins.emplace_back(name + "-cli", "bin/cli.js");
  l.dirs.push_back(ListedDir{"", 11, 12, 13});
  l.dirs.push_back(ListedDir{"lib", 21, 22, 23});
  l.files.push_back(ListedFile{"lib/index.js", "", size, 31, 32, 0644, EntryType::file});
  l.files.push_back(ListedFile{"current", "lib/index.js", 0, 41, 42, 0777, EntryType::symlink});
  return l;
}

void expect_same(const FolderListing& want, const FolderListing* got) {
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->made_ns, want.made_ns);
  EXPECT_EQ(got->manifest.name, want.manifest.name);
  EXPECT_EQ(got->manifest.version, want.manifest.version);
  EXPECT_EQ(got->manifest.bins, want.manifest.bins);
  ASSERT_EQ(got->dirs.size(), want.dirs.size());
  for (size_t i = 0; i < want.dirs.size(); ++i) {
    EXPECT_EQ(got->dirs[i].path, want.dirs[i].path);
    EXPECT_EQ(got->dirs[i].ino, want.dirs[i].ino);
  }
  ASSERT_EQ(got->files.size(), want.files.size());
  for (size_t i = 0; i < want.files.size(); ++i) {
    EXPECT_EQ(got->files[i].path, want.files[i].path);
    EXPECT_EQ(got->files[i].target, want.files[i].target);
    EXPECT_EQ(got->files[i].size, want.files[i].size);
    EXPECT_EQ(got->files[i].mode, want.files[i].mode);
    EXPECT_EQ(got->files[i].type, want.files[i].type);
  }
}

// A run parses only the listings of the packages it plans; the others must
// reach the next snapshot unchanged.
TEST(TreeCacheSnapshot, ListingsNotUsedInARunAreKeptAsTheyWere) {
  TempDir tmp;
  const std::string root = "/project";
  {
    TreeCache cache(tmp.path(), root);
    ASSERT_TRUE(cache.load());
    cache.put(root + "/node_modules/a", listing("a", 100));
    cache.put(root + "/node_modules/b", listing("b", 200));
    ASSERT_TRUE(cache.store());
  }
  {
    TreeCache cache(tmp.path(), root);
    ASSERT_TRUE(cache.load());
    FolderListing* a = cache.find(root + "/node_modules/a");
    expect_same(listing("a", 100), a);
    a->files[0].size = 150;  // as revalidate() refreshes a file's stat
    cache.touch();
    ASSERT_TRUE(cache.store());
  }
  TreeCache cache(tmp.path(), root);
  ASSERT_TRUE(cache.load());
  expect_same(listing("a", 150), cache.find(root + "/node_modules/a"));
  expect_same(listing("b", 200), cache.find(root + "/node_modules/b"));
  EXPECT_EQ(cache.find(root + "/node_modules/c"), nullptr);
}

// A snapshot under another project's name (copied by hand, or a hash
// collision) names its own root inside, and is not believed.
TEST(TreeCacheSnapshot, AnotherProjectsSnapshotIsNotBelieved) {
  TempDir tmp;
  TreeCache one(tmp.path(), "/one");
  one.put("/one/node_modules/a", listing("a", 1));
  ASSERT_TRUE(one.store());
  TreeCache two(tmp.path(), "/two");
  ASSERT_NE(two.path(), one.path());
  std::filesystem::copy_file(one.path(), two.path());
  EXPECT_FALSE(two.load());  // damaged: removed
  EXPECT_FALSE(std::filesystem::exists(two.path()));
  EXPECT_EQ(two.find("/one/node_modules/a"), nullptr);
  ASSERT_TRUE(one.load());
  expect_same(listing("a", 1), one.find("/one/node_modules/a"));
}

}  // namespace
}  // namespace lockcut
