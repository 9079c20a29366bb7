// cache_prune_test.cc: counting and pruning lockcut's cache folder
// (engine/cache_prune.cc, `lockcut cache`).
//
// A hand-made cache with items last used at known times checks what is
// removed and what is never touched (stray names, symlinks, a temporary
// file still being written); a real cache filled by `pack --zip` checks
// that a pruned cache is rebuilt and still gives the same zip.
#include <fcntl.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"
#include "lockcut/cache_prune.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1'900'000'000;  // the clock the tests prune by

// Sets a path's access and modification times (seconds), not following a link.
void set_times(const std::string& path, int64_t atime, int64_t mtime) {
  const struct timespec t[2] = {{atime, 0}, {mtime, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// Writes `rel` under `dir`, last read `read_ago` and written `written_ago` seconds before kNow.
std::string item(const TempDir& dir, const std::string& rel, int64_t read_ago, int64_t written_ago) {
  dir.write(rel, std::string(1000, 'x'));
  std::string path = dir.path() + "/" + rel;
  set_times(path, kNow - read_ago, kNow - written_ago);
  return path;
}

const CachePart& part(const std::vector<CachePart>& parts, CacheKind kind) {
  return parts.at(size_t(kind));
}

std::string hex(size_t n, char c) { return std::string(n, c); }

// One of each kind lockcut writes, old and recent, with the names it uses.
struct HandMadeCache {
  TempDir dir;
  std::string old_record = item(dir, "entries/ab/" + hex(62, 'a') + ".rec", 40 * kDay, 50 * kDay);
  // written long ago but read yesterday: in use
  std::string read_record = item(dir, "entries/cd/" + hex(62, 'c') + ".rec", 1 * kDay, 90 * kDay);
  // read long ago but rewritten yesterday (a changed package): in use
  std::string new_record = item(dir, "entries/cd/" + hex(62, 'd') + ".rec", 60 * kDay, 1 * kDay);
  std::string old_bundle = item(dir, "entries/bundles/" + hex(64, 'b') + ".bundle", 35 * kDay, 35 * kDay);
  std::string old_tree = item(dir, "trees/" + hex(64, 'e') + ".tree", 31 * kDay, 31 * kDay);
  std::string tree = item(dir, "trees/" + hex(16, 'f') + ".tree", 0, 5 * kDay);
  std::string old_plan = item(dir, "plans/" + hex(16, '7') + ".plan", 33 * kDay, 33 * kDay);
  std::string plan = item(dir, "plans/" + hex(16, '8') + ".plan", 2 * kDay, 40 * kDay);
  std::string long_plan = item(dir, "plans/" + hex(64, '9') + ".plan", 400 * kDay, 400 * kDay);
  std::string old_tarball = item(dir, "sha512/01/" + hex(126, '1') + ".tgz", 45 * kDay, 45 * kDay);
  std::string tarball = item(dir, "sha1/02/" + hex(38, '2') + ".tgz", 2 * kDay, 45 * kDay);
  std::string old_unpacked = dir.path() + "/unpacked/sha512/01/" + hex(126, '1');
  std::string unpacked = dir.path() + "/unpacked/sha512/03/" + hex(126, '3');
  // a killed run's leftover, and one a running lockcut is writing
  std::string old_part = item(dir, "entries/tmp/12-0.part", 40 * kDay, 40 * kDay);
  std::string live_part = item(dir, "trees/tmp/13-0.part", 40 * kDay, 60);
  std::string killed_unpack = dir.path() + "/unpacked/sha512/03/." + hex(126, '4') + ".lockcut-14-0";
  // not lockcut's names: never counted, never removed
  std::string stray = item(dir, "entries/ab/notes.txt", 400 * kDay, 400 * kDay);
  std::string short_name = item(dir, "entries/ab/" + hex(61, 'a') + ".rec", 400 * kDay, 400 * kDay);
  std::string upper = item(dir, "trees/" + hex(64, 'E') + ".tree", 400 * kDay, 400 * kDay);
  std::string outside = item(dir, "elsewhere/precious.rec", 400 * kDay, 400 * kDay);
  std::string link = dir.path() + "/entries/ab/" + hex(62, 'b') + ".rec";

  HandMadeCache() {
    item(dir, "unpacked/sha512/01/" + hex(126, '1') + "/package.json", 0, 0);
    item(dir, "unpacked/sha512/01/" + hex(126, '1') + "/lib/index.js", 0, 0);
    set_times(old_unpacked, kNow - 35 * kDay, kNow - 35 * kDay);
    item(dir, "unpacked/sha512/03/" + hex(126, '3') + "/package.json", 0, 0);
    set_times(unpacked, kNow - 3 * kDay, kNow - 35 * kDay);
    item(dir, "unpacked/sha512/03/." + hex(126, '4') + ".lockcut-14-0/package.json", 0, 0);
    set_times(killed_unpack, kNow - 40 * kDay, kNow - 40 * kDay);
    fs::create_symlink(outside, link);
  }
};

// Counting alone removes nothing and sees only lockcut's own names.
TEST(CachePrune, CountsWithoutRemoving) {
  HandMadeCache c;
  auto parts = prune_cache(c.dir.path(), PruneOptions{-1, kNow});
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 6u);
  EXPECT_EQ(part(*parts, CacheKind::entries).items, 4u);
  EXPECT_EQ(part(*parts, CacheKind::entries).bytes, 4000u);
  EXPECT_EQ(part(*parts, CacheKind::trees).items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::plans).items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::tarballs).items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::unpacked).items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::unpacked).bytes, 3000u);  // the files inside
  EXPECT_EQ(part(*parts, CacheKind::temporary).items, 3u);
  for (const CachePart& p : *parts) EXPECT_EQ(p.removed_items, 0u) << cache_kind_name(p.kind);
  EXPECT_TRUE(fs::exists(c.old_record));
  EXPECT_TRUE(fs::exists(c.old_unpacked));
}

// Pruning after 30 days removes exactly what was neither read nor written
// in them, and a temporary file or folder only once it is an hour old.
TEST(CachePrune, RemovesWhatWentUnused) {
  HandMadeCache c;
  auto parts = prune_cache(c.dir.path(), PruneOptions{30 * kDay, kNow});
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(part(*parts, CacheKind::entries).removed_items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::entries).removed_bytes, 2000u);
  EXPECT_EQ(part(*parts, CacheKind::entries).items, 2u);
  EXPECT_EQ(part(*parts, CacheKind::trees).removed_items, 1u);
  EXPECT_EQ(part(*parts, CacheKind::plans).removed_items, 1u);
  EXPECT_EQ(part(*parts, CacheKind::tarballs).removed_items, 1u);
  EXPECT_EQ(part(*parts, CacheKind::unpacked).removed_items, 1u);
  EXPECT_EQ(part(*parts, CacheKind::unpacked).removed_bytes, 2000u);
  EXPECT_EQ(part(*parts, CacheKind::temporary).removed_items, 2u);

  for (const std::string& gone :
       {c.old_record, c.old_bundle, c.old_tree, c.old_plan, c.old_tarball, c.old_unpacked,
        c.old_part, c.killed_unpack}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(gone))) << gone;
  }
  for (const std::string& kept : {c.read_record, c.new_record, c.tree, c.plan, c.long_plan,
                                  c.tarball, c.unpacked, c.live_part, c.stray, c.short_name,
                                  c.upper, c.outside}) {
    EXPECT_TRUE(fs::exists(kept)) << kept;
  }
  // the symlink is neither followed nor removed
  EXPECT_TRUE(fs::is_symlink(c.link));
  // nothing is left half-removed beside the unpacked folders
  EXPECT_EQ(std::distance(fs::directory_iterator(c.dir.path() + "/unpacked/sha512/01"),
                          fs::directory_iterator()),
            0);
}

// A folder that is not there holds nothing; it is not an error.
TEST(CachePrune, MissingFolderIsEmpty) {
  TempDir tmp;
  auto parts = prune_cache(tmp.path() + "/none", PruneOptions{0, kNow});
  ASSERT_TRUE(parts) << parts.error().message;
  for (const CachePart& p : *parts) EXPECT_EQ(p.items + p.removed_items, 0u);
}

// Using an unpacked folder marks it, so pruning keeps it.
TEST(CachePrune, TouchMarksAFolderUsed) {
  TempDir tmp;
  tmp.write("unpacked/sha1/aa/" + hex(38, 'a') + "/package.json", "{}");
  std::string folder = tmp.path() + "/unpacked/sha1/aa/" + hex(38, 'a');
  const int64_t now = int64_t(std::time(nullptr));
  set_times(folder, now - 100 * kDay, now - 100 * kDay);
  touch_cache_folder(folder);
  struct stat st;
  ASSERT_EQ(::stat(folder.c_str(), &st), 0);
  EXPECT_GE(int64_t(st.st_atim.tv_sec), now - 5);
  EXPECT_EQ(int64_t(st.st_mtim.tv_sec), now - 100 * kDay);
  auto parts = prune_cache(tmp.path(), PruneOptions{30 * kDay, 0});
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(part(*parts, CacheKind::unpacked).items, 1u);
  EXPECT_EQ(part(*parts, CacheKind::unpacked).removed_items, 0u);
}

struct CacheJson {
  uint64_t entries = 0, trees = 0, plans = 0, removed = 0;
};

CacheJson cache_json(const std::vector<std::string>& args) {
  Outcome r = lockcut(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  CacheJson c;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << r.out;
  for (simdjson::dom::element p : doc["parts"].get_array()) {
    std::string_view kind = p["kind"].get_string();
    if (kind == "entries") c.entries = uint64_t(p["items"]);
    if (kind == "trees") c.trees = uint64_t(p["items"]);
    if (kind == "plans") c.plans = uint64_t(p["items"]);
    c.removed += uint64_t(p["removedItems"]);
  }
  return c;
}

uint64_t compressed(const Outcome& pack) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(pack.out);
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << pack.out;
  return uint64_t(doc["entriesCompressed"]);
}

// `lockcut cache` on a cache `pack --zip` filled: pruning what went unused
// empties it, and the next pack rebuilds it and writes the same zip.
TEST(CachePrune, PrunedCacheIsRebuilt) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir tmp;
  std::string cache = tmp.path() + "/cache";
  Outcome first = lockcut({"pack", project, "--zip", tmp.path() + "/1.zip", "--json", "--cache", cache});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CacheJson filled = cache_json({"cache", "--cache", cache, "--json"});
  EXPECT_GT(filled.entries, 10u);
  EXPECT_EQ(filled.trees, 1u);
  EXPECT_EQ(filled.removed, 0u);

  // everything was used just now: all of it is kept
  CacheJson recent = cache_json({"cache", "--cache", cache, "--prune-unused", "30", "--json"});
  EXPECT_EQ(recent.entries, filled.entries);
  EXPECT_EQ(recent.removed, 0u);

  // as if the last run had been 40 days ago
  Outcome aged = run({"find", cache, "-type", "f", "-exec", "touch", "-d", "40 days ago", "{}", "+"});
  ASSERT_EQ(aged.exit_code, 0) << aged.err;
  CacheJson pruned = cache_json({"cache", "--cache", cache, "--prune-unused", "30", "--json"});
  EXPECT_EQ(pruned.entries, 0u);
  EXPECT_EQ(pruned.trees, 0u);
  EXPECT_EQ(pruned.plans, 0u);
  EXPECT_EQ(pruned.removed, filled.entries + filled.trees + filled.plans);

  Outcome second = lockcut({"pack", project, "--zip", tmp.path() + "/2.zip", "--json", "--cache", cache});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(compressed(second), compressed(first)) << "every member is deflated again";
  EXPECT_TRUE(read_file(tmp.path() + "/2.zip") == read_file(tmp.path() + "/1.zip"));
  EXPECT_EQ(cache_json({"cache", "--cache", cache, "--json"}).entries, filled.entries);
}

// A bad number of days is the user's mistake, said as such.
TEST(CachePrune, RejectsNegativeDays) {
  TempDir tmp;
  Outcome r = lockcut({"cache", "--cache", tmp.path(), "--prune-unused", "-3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--prune-unused takes a number of days"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lockcut::test
