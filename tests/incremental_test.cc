// incremental_test.cc: repacking only what changed: the zip entry cache
// (engine/entry_cache.cc, zip.cc) and `--out --sync`.
//
// Every warm zip is compared byte for byte with a cold one (--no-cache) of
// the same tree, and the `--json` counters say how much work was done.
// Trees that get edited are copies of the installed corpus with every mtime
// set far in the past, as a CI checkout's would be; the cache is always a
// folder of the test's own (--cache), never the user's.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"
#include "tree.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

// What `pack --json` said about the work.
struct Counts {
  int exit_code = -1;
  uint64_t files = 0, read = 0, compressed = 0, reused = 0;
  uint64_t bundled = 0;  ///< records read from the selection's bundle (entry_bundle.h)
  uint64_t walked = 0, listed = 0;  ///< package folders read, and kept listings that held
  bool kept = false;                ///< the last run's analysis was used (plan_cache.h)
  std::string err;
};

Counts pack_zip(const std::string& project, const std::string& zip, const std::string& cache,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"pack", project, "--zip", zip, "--force", "--json", "--cache", cache};
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome r = lockcut(args);
  Counts c;
  c.exit_code = r.exit_code;
  c.err = r.err;
  if (r.exit_code != 0) return c;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << r.out;
  c.files = uint64_t(doc["files"]);
  c.read = uint64_t(doc["filesRead"]);
  c.compressed = uint64_t(doc["entriesCompressed"]);
  c.reused = uint64_t(doc["entriesReused"]);
  c.bundled = uint64_t(doc["recordsBundled"]);
  c.walked = uint64_t(doc["foldersWalked"]);
  c.listed = uint64_t(doc["foldersReused"]);
  c.kept = bool(doc["analysisKept"]);
  return c;
}

// Sets every mtime under `dir` to 2020-09-13, as an old checkout's.
void backdate(const std::string& dir, const std::string& when = "@1600000000") {
  Outcome r = run({"find", dir, "-exec", "touch", "-h", "-d", when, "{}", "+"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A writable, backdated copy of an installed corpus project, a cache and an
// output folder.
struct Workspace {
  TempDir tmp;
  std::string project = tmp.path() + "/project";
  std::string cache = tmp.path() + "/cache";
  std::string out = tmp.path() + "/out";
  // `settle`: wait until the copy's folders are old enough for their
  // listings to be trusted (file_time.h: kRacyWindowNs)
  explicit Workspace(const std::string& name, bool settle = false) {
    copy_tree(installed_corpus(name), project);
    backdate(project);
    fs::create_directories(out);
    if (settle) std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  }
  // A zip of the tree as it is now, without the cache.
  std::string cold() const {
    Outcome r = lockcut({"pack", project, "--zip", out + "/cold.zip", "--force", "--no-cache",
                         "--cache", cache});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_file(out + "/cold.zip");
  }
  // A zip through the cache, checked against a cold one.
  Counts warm(const std::string& name = "warm.zip", const std::vector<std::string>& extra = {}) const {
    Counts c = pack_zip(project, out + "/" + name, cache, extra);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_TRUE(read_file(out + "/" + name) == cold()) << name << " differs from a cold zip";
    return c;
  }
};

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

// The bundles of records (entry_bundle.h) in `cache`.
std::vector<std::string> bundles(const std::string& cache) {
  std::vector<std::string> out;
  if (!fs::exists(cache + "/entries/bundles")) return out;
  for (const auto& e : fs::directory_iterator(cache + "/entries/bundles")) {
    if (e.path().extension() == ".bundle") out.push_back(e.path().string());
  }
  return out;
}

std::vector<std::string> records(const std::string& cache) {
  std::vector<std::string> out;
  if (!fs::exists(cache)) return out;
  for (const auto& e : fs::recursive_directory_iterator(cache)) {
    if (e.path().extension() == ".rec") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Paths, sizes and mtimes of everything under `dir`.
std::string snapshot(const std::string& dir) {
  std::string out;
  if (!fs::exists(dir)) return out;
  std::vector<std::string> paths;
  for (const auto& e : fs::recursive_directory_iterator(dir)) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) {
    struct stat st;
    ::lstat(p.c_str(), &st);
    out += p + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + "\n";
  }
  return out;
}

// A second zip of an unchanged tree reads and deflates nothing, and is the
// same bytes; --verify reads every file again but still deflates nothing.
TEST(IncrementalZip, UnchangedTreeReusesEveryEntry) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir tmp;
  std::string cache = tmp.path() + "/cache";
  Outcome c = lockcut({"pack", project, "--zip", tmp.path() + "/cold.zip", "--no-cache"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string cold = read_file(tmp.path() + "/cold.zip");

  Counts first = pack_zip(project, tmp.path() + "/1.zip", cache);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_GT(first.files, 1000u);
  EXPECT_EQ(first.compressed, first.files);
  EXPECT_EQ(first.read, first.files);
  EXPECT_EQ(first.reused, 0u);
  EXPECT_TRUE(read_file(tmp.path() + "/1.zip") == cold);
  EXPECT_FALSE(records(cache).empty());
  EXPECT_EQ(first.bundled, 0u);
  EXPECT_EQ(bundles(cache).size(), 1u);

  Counts second = pack_zip(project, tmp.path() + "/2.zip", cache);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.compressed, 0u);
  EXPECT_EQ(second.read, 0u);
  EXPECT_EQ(second.reused, second.files);
  // every registry package's record came from the one bundle: one per
  // record but the project's own files'
  EXPECT_EQ(second.bundled + 1, records(cache).size());
  EXPECT_TRUE(read_file(tmp.path() + "/2.zip") == cold) << "a warm zip differs from a cold one";

  Counts verified = pack_zip(project, tmp.path() + "/3.zip", cache, {"--verify"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.read, verified.files);
  EXPECT_EQ(verified.compressed, 0u);
  EXPECT_TRUE(read_file(tmp.path() + "/3.zip") == cold);
}

// One own file edited: only that one is compressed again.
TEST(IncrementalZip, OneOwnFileChanged) {
  Workspace w("img-thumbnail-lambda");
  Counts fill = w.warm("fill.zip");
  EXPECT_EQ(fill.compressed, fill.files);
  std::string pkg = w.project + "/package.json";
  std::string text = read_file(pkg);
  size_t at = text.find("S3-triggered");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "Incremental, ");
  std::ofstream(pkg, std::ios::binary | std::ios::trunc) << text;
  backdate(pkg, "@1700000000");
  Counts c = w.warm();
  EXPECT_EQ(c.compressed, 1u);
  EXPECT_EQ(c.read, 1u);
  EXPECT_EQ(c.reused, c.files - 1);
  // and the next run trusts the new record
  Counts again = w.warm("again.zip");
  EXPECT_EQ(again.compressed, 0u);
  EXPECT_EQ(again.read, 0u);
}

// One package file edited: only that file; a file touched but not changed
// is read and checked, not compressed.
TEST(IncrementalZip, OnePackageFileChanged) {
  Workspace w("img-thumbnail-lambda", true);
  Counts fill = w.warm("fill.zip");
  EXPECT_GT(fill.walked, 10u);
  append(w.project + "/node_modules/sharp/lib/index.js", "\n// patched\n");
  backdate(w.project + "/node_modules/sharp/lib/index.js", "@1700000000");
  Counts c = w.warm();
  EXPECT_EQ(c.compressed, 1u);
  EXPECT_EQ(c.read, 1u);
  EXPECT_EQ(c.reused, c.files - 1);
  // a file edited in place leaves its folder alone: no package is listed again
  EXPECT_EQ(c.walked, 0u);
  EXPECT_EQ(c.listed, fill.walked);

  // same size, other content, other mtime
  std::string colour = w.project + "/node_modules/sharp/lib/colour.js";
  std::string text = read_file(colour);
  size_t at = text.find("colour");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "COLOUR");
  std::ofstream(colour, std::ios::binary | std::ios::trunc) << text;
  backdate(colour, "@1700000001");
  // and one only touched
  backdate(w.project + "/node_modules/sharp/lib/is.js", "@1700000002");
  Counts d = w.warm("d.zip");
  EXPECT_EQ(d.compressed, 1u);
  EXPECT_EQ(d.read, 2u);
  EXPECT_EQ(d.reused, d.files - 1);
  // sharp's record changed, so the bundle was written again with it: the
  // next run reads every registry record from it and nothing from disk
  Counts e = w.warm("e.zip");
  EXPECT_EQ(e.read, 0u);
  EXPECT_EQ(e.bundled, d.bundled);
  EXPECT_GT(e.bundled, 10u);
  EXPECT_EQ(bundles(w.cache).size(), 1u);
}

// The folder listings kept between runs (engine/tree_cache.cc): an
// unchanged tree lists no folder again; a file added to or removed from a
// package makes that one package listed again, and the zip is still the
// same bytes as a cold one.
TEST(IncrementalTree, AddedAndRemovedFilesRelistTheirPackage) {
  Workspace w("img-thumbnail-lambda", true);
  Counts fill = w.warm("fill.zip");
  ASSERT_GT(fill.walked, 10u);
  EXPECT_EQ(fill.listed, 0u);
  Counts same = w.warm("same.zip");
  EXPECT_EQ(same.walked, 0u);
  EXPECT_EQ(same.listed, fill.walked);
  EXPECT_EQ(same.read, 0u);

  std::string lib = w.project + "/node_modules/sharp/lib";
  std::ofstream(lib + "/added.js", std::ios::binary) << "module.exports = 'added';\n";
  Counts added = w.warm("added.zip");
  EXPECT_EQ(added.walked, 1u);
  EXPECT_EQ(added.files, fill.files + 1);
  EXPECT_EQ(added.compressed, 1u);

  fs::remove(lib + "/added.js");
  fs::remove(lib + "/colour.js");
  Counts removed = w.warm("removed.zip");
  EXPECT_EQ(removed.walked, 1u);
  EXPECT_EQ(removed.files, fill.files - 1);
  EXPECT_EQ(removed.compressed, 0u);

  // a whole package folder replaced by another with the same files
  std::string detect = w.project + "/node_modules/detect-libc";
  ASSERT_TRUE(fs::exists(detect));
  fs::rename(detect, detect + ".old");
  copy_tree(detect + ".old", detect);
  fs::remove_all(detect + ".old");
  Counts replaced = w.warm("replaced.zip");
  EXPECT_GE(replaced.walked, 1u);
  EXPECT_EQ(replaced.files, removed.files);
}

// What install scripts leave in node_modules (`.prisma`) is found by a warm
// run as by a cold one: the names of a node_modules folder's hidden folders
// are kept with the folder's stat, and read again once it changes.
TEST(IncrementalTree, HiddenFolderAddedAndRemoved) {
  Workspace w("img-thumbnail-lambda", true);
  Counts fill = w.warm("fill.zip");
  Counts same = w.warm("same.zip");
  EXPECT_EQ(same.files, fill.files);

  const std::string prisma = w.project + "/node_modules/.prisma";
  fs::create_directories(prisma + "/client");
  std::ofstream(prisma + "/client/index.js", std::ios::binary) << "module.exports = {};\n";
  Counts added = w.warm("added.zip");
  EXPECT_EQ(added.files, fill.files + 1);
  EXPECT_NE(read_file(w.out + "/added.zip").find("node_modules/.prisma/client/index.js"),
            std::string::npos);

  fs::remove_all(prisma);
  Counts removed = w.warm("removed.zip");
  EXPECT_EQ(removed.files, fill.files);
}

// The analysis is kept while the lockfile and the package.json files it
// read are unchanged (plan_cache.h): the next pack reads no lockfile, and
// its zip is still a cold one's. Spaces added to package.json (an own file,
// shipped fresh each time) keep it; a dependency made a dev one does not.
TEST(IncrementalAnalysis, KeptWhileItsFilesAreUnchanged) {
  Workspace w("img-thumbnail-lambda", true);
  Counts fill = w.warm("fill.zip");
  EXPECT_FALSE(fill.kept);
  Counts same = w.warm("same.zip");
  EXPECT_TRUE(same.kept);
  EXPECT_EQ(same.files, fill.files);

  const std::string pkg = w.project + "/package.json";
  std::string text = read_file(pkg);
  append(pkg, "\n  \n");
  Counts spaced = w.warm("spaced.zip");
  EXPECT_TRUE(spaced.kept);
  EXPECT_EQ(spaced.files, fill.files);

  size_t at = text.find(",\n    \"sharp\": \"^0.34.5\"");
  ASSERT_NE(at, std::string::npos);
  text.erase(at, std::string(",\n    \"sharp\": \"^0.34.5\"").size());
  at = text.find("\"devDependencies\": {");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + std::string("\"devDependencies\": {").size(), "\n    \"sharp\": \"^0.34.5\",");
  std::ofstream(pkg, std::ios::binary | std::ios::trunc) << text;
  Counts dev = w.warm("dev.zip");
  EXPECT_FALSE(dev.kept);
  EXPECT_LT(dev.files, fill.files);
  EXPECT_EQ(read_file(w.out + "/dev.zip").find("node_modules/sharp/"), std::string::npos);
  Counts again = w.warm("again.zip");
  EXPECT_TRUE(again.kept);
  EXPECT_EQ(again.files, dev.files);
}

// --layer puts every package under nodejs/: another answer, kept apart.
TEST(IncrementalAnalysis, LayerIsKeptApart) {
  Workspace w("img-thumbnail-lambda", true);
  ASSERT_FALSE(w.warm("fill.zip").kept);
  Counts layer = pack_zip(w.project, w.out + "/layer.zip", w.cache, {"--layer"});
  ASSERT_EQ(layer.exit_code, 0) << layer.err;
  EXPECT_FALSE(layer.kept);
  Counts again = pack_zip(w.project, w.out + "/layer-again.zip", w.cache, {"--layer"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.kept);
  Outcome cold = lockcut({"pack", w.project, "--zip", w.out + "/layer-cold.zip", "--layer",
                          "--no-cache"});
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  const std::string zip = read_file(w.out + "/layer-again.zip");
  EXPECT_TRUE(zip == read_file(w.out + "/layer-cold.zip"));
  EXPECT_NE(zip.find("nodejs/node_modules/sharp/package.json"), std::string::npos);
  EXPECT_TRUE(w.warm("plain.zip").kept) << "the plain pack's answer is still there";
}

// A package removed from node_modules after its analysis was kept: the
// analysis runs again and says what it always says.
TEST(IncrementalAnalysis, MissingPackageIsToldAsWithoutTheCache) {
  Workspace w("img-thumbnail-lambda", true);
  w.warm("fill.zip");
  ASSERT_TRUE(w.warm("kept.zip").kept);
  fs::remove_all(w.project + "/node_modules/@aws-sdk/client-s3");
  Counts warm = pack_zip(w.project, w.out + "/gone.zip", w.cache);
  Outcome cold = lockcut({"pack", w.project, "--zip", w.out + "/cold-gone.zip", "--force", "--json",
                          "--no-cache"});
  EXPECT_NE(warm.exit_code, 0);
  EXPECT_EQ(warm.exit_code, cold.exit_code);
  EXPECT_EQ(warm.err, cold.err);
  EXPECT_NE(warm.err.find("@aws-sdk/client-s3"), std::string::npos) << warm.err;
}

// A damaged snapshot of listings is removed and the tree listed again;
// --no-cache and --verify neither read nor write it.
TEST(IncrementalTree, DamagedSnapshotIsNeverBelieved) {
  Workspace w("img-thumbnail-lambda", true);
  Counts fill = w.warm("fill.zip");
  std::vector<std::string> trees;
  for (const auto& e : fs::directory_iterator(w.cache + "/trees")) {
    if (e.path().extension() == ".tree") trees.push_back(e.path().string());
  }
  ASSERT_EQ(trees.size(), 1u);
  {
    std::fstream f(trees[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(fs::file_size(trees[0]) / 2));
    f.write("\xde\xad\xbe\xef", 4);
  }
  Counts c = w.warm();
  EXPECT_NE(c.err.find("were damaged"), std::string::npos) << c.err;
  EXPECT_EQ(c.walked, fill.walked);
  EXPECT_EQ(c.listed, 0u);
  Counts again = w.warm("again.zip");
  EXPECT_EQ(again.walked, 0u);
  EXPECT_EQ(again.err.find("damaged"), std::string::npos) << again.err;

  std::string before = read_file(trees[0]);
  Counts verified = w.warm("verified.zip", {"--verify"});
  EXPECT_EQ(verified.walked, fill.walked);
  EXPECT_EQ(verified.listed, 0u);
  std::ofstream(w.project + "/node_modules/sharp/lib/added.js") << "1;\n";
  Counts none = pack_zip(w.project, w.out + "/none.zip", w.cache, {"--no-cache"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.listed, 0u);
  EXPECT_TRUE(read_file(trees[0]) == before) << "--verify or --no-cache wrote the listings";
}

// A record with flipped bytes or cut short is noticed, never shipped, and
// replaced.
TEST(IncrementalZip, DamagedRecordsAreRebuilt) {
  Workspace w("img-thumbnail-lambda");
  w.warm("fill.zip");
  // without the bundle, which holds good copies, the records are read one by one
  for (const std::string& b : bundles(w.cache)) fs::remove(b);
  std::vector<std::string> recs = records(w.cache);
  ASSERT_GT(recs.size(), 10u);
  std::sort(recs.begin(), recs.end(),
            [](const std::string& a, const std::string& b) { return fs::file_size(a) > fs::file_size(b); });
  {
    // flip bytes in the middle of the compressed data of the largest record
    std::fstream f(recs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(fs::file_size(recs[0]) / 2));
    f.write("\xde\xad\xbe\xef", 4);
  }
  fs::resize_file(recs[1], fs::file_size(recs[1]) / 3);
  Counts c = w.warm();
  EXPECT_GT(c.compressed, 2u);
  EXPECT_LT(c.compressed, c.files);
  EXPECT_NE(c.err.find("2 damaged records in the entry cache"), std::string::npos) << c.err;
  Counts again = w.warm("again.zip");
  EXPECT_EQ(again.compressed, 0u) << "the damaged records were not replaced";
  EXPECT_EQ(again.err.find("damaged"), std::string::npos) << again.err;
}

// A bundle damaged in a record's bytes, or cut short, is never believed:
// the records are read one by one instead, the zip is the same bytes, and
// the bundle is written again whole.
TEST(IncrementalZip, DamagedBundleIsNeverBelieved) {
  Workspace w("img-thumbnail-lambda");
  w.warm("fill.zip");
  std::vector<std::string> found = bundles(w.cache);
  ASSERT_EQ(found.size(), 1u);
  const std::string bundle = found[0];
  const uint64_t size = fs::file_size(bundle);
  Counts whole = w.warm("whole.zip");
  ASSERT_GT(whole.bundled, 10u);
  {
    std::fstream f(bundle, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(size / 2));
    f.write("\xde\xad\xbe\xef", 4);
  }
  Counts flipped = w.warm("flipped.zip");
  EXPECT_EQ(flipped.compressed, 0u) << "the records one by one were good";
  EXPECT_LT(flipped.bundled, whole.bundled);
  EXPECT_NE(flipped.err.find("bundle for this selection was damaged"), std::string::npos)
      << flipped.err;
  Counts rewritten = w.warm("rewritten.zip");
  EXPECT_EQ(rewritten.bundled, whole.bundled);
  EXPECT_EQ(rewritten.err.find("damaged"), std::string::npos) << rewritten.err;
  EXPECT_EQ(fs::file_size(bundle), size);

  fs::resize_file(bundle, size - 100);
  Counts cut = w.warm("cut.zip");
  EXPECT_EQ(cut.compressed, 0u);
  EXPECT_EQ(cut.bundled, 0u);
  EXPECT_NE(cut.err.find("bundle for this selection was damaged"), std::string::npos) << cut.err;
  EXPECT_EQ(w.warm("again.zip").bundled, whole.bundled);
}

// Two packs at once on one empty cache: both succeed with the same bytes,
// and what they left is a good cache.
TEST(IncrementalZip, ConcurrentPacksShareOneCache) {
  Workspace w("img-thumbnail-lambda");
  Counts a, b;
  std::thread ta([&] { a = pack_zip(w.project, w.out + "/a.zip", w.cache); });
  std::thread tb([&] { b = pack_zip(w.project, w.out + "/b.zip", w.cache); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string cold = w.cold();
  EXPECT_TRUE(read_file(w.out + "/a.zip") == cold);
  EXPECT_TRUE(read_file(w.out + "/b.zip") == cold);
  // and again at once, on the warm cache
  std::thread tc([&] { a = pack_zip(w.project, w.out + "/c.zip", w.cache); });
  std::thread td([&] { b = pack_zip(w.project, w.out + "/d.zip", w.cache); });
  tc.join();
  td.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.compressed + b.compressed, 0u);
  EXPECT_TRUE(read_file(w.out + "/c.zip") == cold);
  EXPECT_TRUE(read_file(w.out + "/d.zip") == cold);
  EXPECT_TRUE(fs::is_empty(w.cache + "/entries/tmp")) << "temporary records left behind";
  EXPECT_TRUE(fs::is_empty(w.cache + "/entries/bundles/tmp")) << "temporary bundles left behind";
}

// --no-cache neither reads nor writes the cache.
TEST(IncrementalZip, NoCacheLeavesTheCacheAlone) {
  Workspace w("img-thumbnail-lambda");
  Counts cold = pack_zip(w.project, w.out + "/a.zip", w.cache, {"--no-cache"});
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  EXPECT_FALSE(fs::exists(w.cache));
  EXPECT_EQ(cold.compressed, cold.files);
  w.warm("fill.zip");
  std::string before = snapshot(w.cache);
  append(w.project + "/package.json", " ");
  Counts again = pack_zip(w.project, w.out + "/b.zip", w.cache, {"--no-cache"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.compressed, again.files);
  EXPECT_EQ(snapshot(w.cache), before);
}

// What `pack --out --sync --json` said it did.
struct Synced {
  int exit_code = -1;
  uint64_t files = 0, links = 0, added = 0, changed = 0, removed = 0, unchanged = 0;
  std::string err;
};

Synced sync_out(const std::string& project, const std::string& out,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"pack", project, "--out", out, "--sync", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome r = lockcut(args);
  Synced c;
  c.exit_code = r.exit_code;
  c.err = r.err;
  if (r.exit_code != 0) return c;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << r.out;
  c.files = uint64_t(doc["files"]);
  c.links = uint64_t(doc["links"]);
  c.added = uint64_t(doc["added"]);
  c.changed = uint64_t(doc["changed"]);
  c.removed = uint64_t(doc["removed"]);
  c.unchanged = uint64_t(doc["unchanged"]);
  return c;
}

// The synced folder holds what a fresh --out would, plus the manifest.
void expect_like_fresh(const std::string& project, const std::string& synced) {
  TempDir fresh;
  Outcome r = lockcut({"pack", project, "--out", fresh.path() + "/out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tree got = read_tree(synced);
  EXPECT_EQ(got.erase(".lockcut-sync.json"), 1u);
  expect_same(read_tree(fresh.path() + "/out"), got, "synced folder");
}

TEST(IncrementalSync, UnchangedProjectChangesNothing) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir tmp;
  std::string out = tmp.path() + "/out";
  Synced first = sync_out(project, out);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.added, first.files + first.links);
  Synced again = sync_out(project, out);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.added + again.changed + again.removed, 0u);
  EXPECT_EQ(again.unchanged, again.files + again.links);
  EXPECT_NE(again.err.find("0 added, 0 changed, 0 removed"), std::string::npos) << again.err;
  expect_like_fresh(project, out);
}

TEST(IncrementalSync, OneEditedFileIsReplaced) {
  Workspace w("img-thumbnail-lambda");
  std::string out = w.out + "/fn";
  ASSERT_EQ(sync_out(w.project, out).exit_code, 0);
  std::string before = snapshot(out);
  std::string index = w.project + "/node_modules/sharp/lib/index.js";
  append(index, "\n// patched\n");
  backdate(index, "@1700000000");
  Synced c = sync_out(w.project, out);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.changed, 1u);
  EXPECT_EQ(c.added + c.removed, 0u);
  EXPECT_EQ(read_file(out + "/node_modules/sharp/lib/index.js"), read_file(index));
  // nothing else was rewritten
  std::string after = snapshot(out);
  size_t differing = 0;
  std::istringstream a(before), b(after);
  for (std::string la, lb; std::getline(a, la) && std::getline(b, lb);) differing += la != lb;
  EXPECT_LE(differing, 3u) << "the file, its folder's mtime and the manifest";
  expect_like_fresh(w.project, out);
}

TEST(IncrementalSync, RemovedPackageGoes) {
  Workspace w("img-thumbnail-lambda");
  std::string out = w.out + "/fn";
  ASSERT_EQ(sync_out(w.project, out).exit_code, 0);
  ASSERT_TRUE(fs::exists(out + "/node_modules/@aws-sdk/client-s3/package.json"));
  // the project drops @aws-sdk/client-s3
  Outcome edit = run({"node", "-e", R"(
    const fs = require('fs');
    for (const [file, at] of [['package.json', p => p], ['package-lock.json', l => l.packages['']]]) {
      const j = JSON.parse(fs.readFileSync(file));
      delete at(j).dependencies['@aws-sdk/client-s3'];
      fs.writeFileSync(file, JSON.stringify(j, null, 2));
    })"}, w.project);
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  Synced c = sync_out(w.project, out);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_GT(c.removed, 100u);
  EXPECT_EQ(c.added, 0u);
  EXPECT_EQ(c.changed, 1u) << "package.json";
  EXPECT_FALSE(fs::exists(out + "/node_modules/@aws-sdk/client-s3"));
  expect_like_fresh(w.project, out);
}

TEST(IncrementalSync, RefusesAFolderLockcutDidNotWrite) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir tmp;
  std::string out = tmp.path() + "/out";
  tmp.write("out/keep.txt", "mine");
  Synced c = sync_out(project, out);
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find(".lockcut-sync.json"), std::string::npos) << c.err;
  EXPECT_EQ(read_file(out + "/keep.txt"), "mine");
  // a plain --out folder has no manifest either
  ASSERT_EQ(lockcut({"pack", project, "--out", tmp.path() + "/plain"}).exit_code, 0);
  EXPECT_EQ(sync_out(project, tmp.path() + "/plain").exit_code, 1);
  // --force adopts it
  Synced forced = sync_out(project, out, {"--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(forced.removed, 1u);
  EXPECT_FALSE(fs::exists(out + "/keep.txt"));
  expect_like_fresh(project, out);
}

}  // namespace
}  // namespace lockcut::test
