// tree_cache_test.cc: the folder-listing snapshot between runs
// (engine/tree_cache.cc). The end-to-end behaviour (what a warm pack relists)
// is in incremental_test.cc; these check the snapshot itself.
#include "lockcut/tree_cache.h"

#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "e2e.h"

namespace lockcut {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

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
  // as if the two names collided (key_name): not damage, and not removed
  std::filesystem::copy_file(one.path(), two.path());
  EXPECT_TRUE(two.load());
  EXPECT_TRUE(std::filesystem::exists(two.path()));
  EXPECT_EQ(two.find("/one/node_modules/a"), nullptr);
  two.put("/two/node_modules/b", listing("b", 2));
  ASSERT_TRUE(two.store());  // takes the name over
  ASSERT_TRUE(two.load());
  expect_same(listing("b", 2), two.find("/two/node_modules/b"));
  EXPECT_EQ(two.find("/one/node_modules/a"), nullptr);
  ASSERT_TRUE(one.load());
  expect_same(listing("a", 1), one.find("/one/node_modules/a"));
}

// The prefetch (started before the lockfile is read) checks every kept
// listing against the disk: a package folder changed since its listing is
// found not to hold, an unchanged one to hold, and the cache is handed only
// to a plan of the same project and cache folder.
TEST(TreePrefetch, ChecksEveryListingAgainstTheDisk) {
  TempDir tmp;
  tmp.write("project/node_modules/a/package.json", "{}");
  tmp.write("project/node_modules/a/lib/index.js", "a");
  tmp.write("project/node_modules/b/package.json", "{}");
  const std::string cache_dir = tmp.path() + "/trees";
  const std::string root = project_root(tmp.path() + "/project/");
  ASSERT_EQ(root, tmp.path() + "/project");
  {
    TreeCache cache(cache_dir, root);
    ASSERT_TRUE(cache.load());
    for (const char* name : {"a", "b"}) {
      FolderListing l;
      ASSERT_TRUE(list_folder(root + "/node_modules/" + name, true, l));
      // as if listed long after the folders last changed (kRacyWindowNs)
      l.made_ns = wall_clock_ns() + 10'000'000'000ull;
      cache.put(root + "/node_modules/" + name, std::move(l));
    }
    ASSERT_TRUE(cache.store());
  }
  tmp.write("project/node_modules/b/extra.js", "b");  // b's folder changes

  TreePrefetch prefetch(cache_dir, tmp.path() + "/project");
  bool loaded = false;
  TreeCache* cache = prefetch.take(cache_dir, root, loaded);
  ASSERT_NE(cache, nullptr);
  EXPECT_TRUE(loaded);
  std::optional<bool> held;
  FolderListing* a = cache->find(root + "/node_modules/a", &held);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(held, std::optional<bool>(true));
  EXPECT_EQ(a->files.size(), 2u);
  ASSERT_NE(cache->find(root + "/node_modules/b", &held), nullptr);
  EXPECT_EQ(held, std::optional<bool>(false));
  // a listing put after the check was not checked
  cache->put(root + "/node_modules/c", FolderListing{});
  ASSERT_NE(cache->find(root + "/node_modules/c", &held), nullptr);
  EXPECT_FALSE(held.has_value());

  TreePrefetch other(cache_dir, tmp.path() + "/project");
  EXPECT_EQ(other.take(cache_dir, tmp.path() + "/elsewhere", loaded), nullptr);
  EXPECT_EQ(other.take(tmp.path() + "/other-trees", root, loaded), nullptr);
  TreePrefetch none("", tmp.path() + "/project");
  EXPECT_EQ(none.take(cache_dir, root, loaded), nullptr);
}

// A package removed from node_modules since the last run: the check finds
// no folder, and its listing leaves the snapshot instead of being checked
// (and failing) on every run after.
TEST(TreePrefetch, DropsTheListingOfARemovedPackage) {
  TempDir tmp;
  tmp.write("project/node_modules/a/package.json", "{}");
  tmp.write("project/node_modules/b/package.json", "{}");
  const std::string cache_dir = tmp.path() + "/trees";
  const std::string root = project_root(tmp.path() + "/project");
  {
    TreeCache cache(cache_dir, root);
    ASSERT_TRUE(cache.load());
    for (const char* name : {"a", "b"}) {
      FolderListing l;
      ASSERT_TRUE(list_folder(root + "/node_modules/" + name, true, l));
      cache.put(root + "/node_modules/" + name, std::move(l));
    }
    ASSERT_TRUE(cache.store());
  }
  std::filesystem::remove_all(root + "/node_modules/b");
  {
    TreePrefetch prefetch(cache_dir, root);
    bool loaded = false;
    TreeCache* cache = prefetch.take(cache_dir, root, loaded);
    ASSERT_NE(cache, nullptr);
    EXPECT_NE(cache->find(root + "/node_modules/a"), nullptr);
    EXPECT_EQ(cache->find(root + "/node_modules/b"), nullptr);
    ASSERT_TRUE(cache->store());
  }
  TreeCache after(cache_dir, root);
  ASSERT_TRUE(after.load());
  EXPECT_NE(after.find(root + "/node_modules/a"), nullptr);
  EXPECT_EQ(after.find(root + "/node_modules/b"), nullptr);

  // back again (reinstalled): listed and kept anew
  tmp.write("project/node_modules/b/package.json", "{}");
  FolderListing l;
  ASSERT_TRUE(list_folder(root + "/node_modules/b", true, l));
  after.put(root + "/node_modules/b", std::move(l));
  ASSERT_TRUE(after.store());
  TreeCache again(cache_dir, root);
  ASSERT_TRUE(again.load());
  EXPECT_NE(again.find(root + "/node_modules/b"), nullptr);
}


// What a node_modules folder held of hidden folders (install-script output
// such as `.prisma`) is kept with the folder's stat, and believed only while
// the folder is unchanged and was not changed just before it was read.
HiddenFolders hidden_now(const std::string& dir, uint64_t made_ns, std::vector<std::string> names) {
  struct stat st;
  EXPECT_EQ(::stat(dir.c_str(), &st), 0) << dir;
  return HiddenFolders{made_ns, uint64_t(st.st_ino), timespec_ns(st.st_mtim), timespec_ns(st.st_ctim),
                       std::move(names)};
}

TEST(TreeCacheSnapshot, HiddenFoldersHoldWhileTheirFolderIsUnchanged) {
  TempDir tmp;
  tmp.write("project/node_modules/.prisma/client/index.js", "1;");
  tmp.write("project/node_modules/a/package.json", "{}");
  const std::string cache_dir = tmp.path() + "/trees";
  const std::string root = project_root(tmp.path() + "/project");
  const std::string nm = root + "/node_modules";
  // as if read long after the folder last changed (kRacyWindowNs)
  const uint64_t later = wall_clock_ns() + 10'000'000'000ull;
  {
    TreeCache cache(cache_dir, root);
    ASSERT_TRUE(cache.load());
    cache.put_hidden(nm, hidden_now(nm, later, {".prisma"}));
    ASSERT_TRUE(cache.store());
  }
  {
    TreeCache cache(cache_dir, root);
    ASSERT_TRUE(cache.load());
    const HiddenFolders* h = cache.hidden(nm);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->names, std::vector<std::string>{".prisma"});
    EXPECT_EQ(cache.hidden(root + "/node_modules/a/node_modules"), nullptr);  // never read
    // read again with the same answer (the snapshot was still loading):
    // nothing to write
    const auto written = fs::last_write_time(cache.path());
    cache.put_hidden(nm, hidden_now(nm, wall_clock_ns(), {".prisma"}));
    ASSERT_TRUE(cache.store());
    EXPECT_EQ(fs::last_write_time(cache.path()), written);
  }

  // a new hidden folder changes the folder: the kept names are not believed
  tmp.write("project/node_modules/.generated/x.js", "2;");
  TreeCache cache(cache_dir, root);
  ASSERT_TRUE(cache.load());
  EXPECT_EQ(cache.hidden(nm), nullptr);

  // names read while the folder had just changed are kept, not believed
  cache.put_hidden(nm, hidden_now(nm, wall_clock_ns(), {".generated", ".prisma"}));
  EXPECT_EQ(cache.hidden(nm), nullptr);
  cache.put_hidden(nm, hidden_now(nm, later, {".generated", ".prisma"}));
  const HiddenFolders* h = cache.hidden(nm);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->names, (std::vector<std::string>{".generated", ".prisma"}));

  // a folder that went (its packages removed) leaves the snapshot
  ASSERT_TRUE(cache.store());
  const auto with_it = fs::file_size(cache.path());
  fs::remove_all(nm);
  EXPECT_EQ(cache.hidden(nm), nullptr);
  ASSERT_TRUE(cache.store());
  EXPECT_LT(fs::file_size(cache.path()), with_it);
}

}  // namespace
}  // namespace lockcut
