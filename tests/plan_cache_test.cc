// plan_cache_test.cc: a kept analysis is given back only while everything
// it was made from is the same (engine/plan_cache.cc).
//
// The project is a copy of acme-monorepo (workspaces `packages/*`, a
// `file:` link to vendor/legacy-config) without node_modules: the analysis
// reads the lockfile and the package.json files, and PlanCache::load
// checks them; make_plan is not needed. Each test waits until the copy is
// old enough for its lockfile to be trusted (file_time.h).
#include "lockcut/plan_cache.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "e2e.h"
#include "lockcut/file_time.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

struct KeptProject {
  TempDir tmp;
  std::string dir = tmp.path() + "/project";
  std::string cache = tmp.path() + "/plans";
  AnalysisOptions options;

  KeptProject() {
    copy_tree(fixtures() + "/corpus/acme-monorepo", dir);
    fs::remove_all(dir + "/expected");
    options.dir = dir;
    // the files' ctime is now: trusted once kRacyWindowNs has passed
    std::this_thread::sleep_for(std::chrono::nanoseconds(kRacyWindowNs + 100000000));
  }
  PlanCache cache_for(const std::string& key = "key") const { return PlanCache(cache, key, options); }
  // Analyses the project as it is and keeps the answer.
  PackInput keep(const std::string& key = "key") const {
    const uint64_t read_ns = wall_clock_ns();
    auto a = analyze(options);
    EXPECT_TRUE(a) << (a ? "" : a.error().message);
    PackInput input{place_packages(*a.value(), PlanOptions{}), NativeTarget{}};
    input.target.cpu = "arm64";
    EXPECT_TRUE(PlanCache::keepable(*a.value()));
    EXPECT_TRUE(bool(cache_for(key).store(input, *a.value(), read_ns)));
    return input;
  }
  bool kept(const std::string& key = "key") const { return cache_for(key).load().has_value(); }
};

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// What was kept comes back whole: every package where it was placed, read
// from where it was, checked as it was.
TEST(PlanCache, GivesBackWhatWasKept) {
  KeptProject p;
  EXPECT_FALSE(p.kept());
  PackInput made = p.keep();
  std::optional<PackInput> back = p.cache_for().load();
  ASSERT_TRUE(back);
  ASSERT_FALSE(made.placement.packages.empty());
  EXPECT_EQ(back->target.cpu, "arm64");
  EXPECT_EQ(back->placement.root, made.placement.root);
  EXPECT_EQ(back->placement.lockfile, made.placement.lockfile);
  EXPECT_EQ(back->placement.own.name, made.placement.own.name);
  EXPECT_EQ(back->placement.node_modules_dirs, made.placement.node_modules_dirs);
  ASSERT_EQ(back->placement.packages.size(), made.placement.packages.size());
  bool link = false;
  for (size_t i = 0; i < made.placement.packages.size(); ++i) {
    const PlacedPackage& a = made.placement.packages[i];
    const PlacedPackage& b = back->placement.packages[i];
    link = link || a.package.reason == PlanReason::link;
    EXPECT_EQ(b.package.location, a.package.location);
    EXPECT_EQ(b.package.dest, a.package.dest);
    EXPECT_EQ(b.package.name, a.package.name);
    EXPECT_EQ(b.package.version, a.package.version);
    EXPECT_EQ(b.package.reason, a.package.reason);
    EXPECT_EQ(b.package.source, a.package.source);
    EXPECT_EQ(b.package.integrity, a.package.integrity);
    EXPECT_EQ(b.installed, a.installed);
    EXPECT_EQ(b.workspace, a.workspace);
    EXPECT_EQ(b.check.location, a.check.location);
    EXPECT_EQ(b.check.name, a.check.name);
    EXPECT_EQ(b.check.version, a.check.version);
    EXPECT_EQ(b.check.folder_name, a.check.folder_name);
  }
  EXPECT_TRUE(link) << "the fixture ships a link made a folder: a package not read from its location";
  // another key (another command line or build of lockcut) is another entry
  EXPECT_FALSE(p.kept("another key"));
}

// The root package.json is one of the project's own files: spaces added
// keep the analysis, a changed dependency does not.
TEST(PlanCache, RootPackageJsonCountsByContent) {
  KeptProject p;
  p.keep();
  const std::string pj = p.dir + "/package.json";
  const std::string text = read_file(pj);
  append(pj, "  \n");
  EXPECT_TRUE(p.kept());
  write(pj, replaced(text, "\"vitest\": \"^3.0.0\"", "\"vitest\": \"^3.0.1\""));
  EXPECT_FALSE(p.kept());
  write(pj, text);
  EXPECT_TRUE(p.kept());
  fs::remove(pj);
  EXPECT_FALSE(p.kept());
}

// The lockfile is trusted by its stat, as the folder listings are: the
// same bytes written again are a new file.
TEST(PlanCache, TouchedLockfileIsReadAgain) {
  KeptProject p;
  p.keep();
  const std::string lock = p.dir + "/package-lock.json";
  write(lock, read_file(lock));
  EXPECT_FALSE(p.kept());
  // a shrinkwrap beside it is what npm would read
  KeptProject q;
  q.keep();
  write(q.dir + "/npm-shrinkwrap.json", read_file(q.dir + "/package-lock.json"));
  EXPECT_FALSE(q.kept());
}

// A lockfile changed so shortly before it was read that a second change
// could hide in the same clock tick: the answer is not kept.
TEST(PlanCache, FreshLockfileIsNotKept) {
  KeptProject p;
  const std::string lock = p.dir + "/package-lock.json";
  write(lock, read_file(lock));
  p.keep();
  EXPECT_FALSE(p.kept());
}

// Workspaces: a changed package.json of one, and a new folder the glob
// names, each make the analysis run again.
TEST(PlanCache, WorkspacesAreCheckedOnDisk) {
  KeptProject p;
  p.keep();
  const std::string ws = p.dir + "/packages/shared/package.json";
  const std::string text = read_file(ws);
  write(ws, replaced(text, "\"description\": \"", "\"description\": \"changed: "));
  EXPECT_FALSE(p.kept());
  write(ws, text);
  EXPECT_TRUE(p.kept());

  fs::create_directories(p.dir + "/packages/new-fn");
  EXPECT_TRUE(p.kept()) << "a folder without package.json is no workspace";
  write(p.dir + "/packages/new-fn/package.json", "{\"name\": \"new-fn\", \"version\": \"1.0.0\"}\n");
  EXPECT_FALSE(p.kept());
  fs::remove_all(p.dir + "/packages/new-fn");
  EXPECT_TRUE(p.kept());

  // a link target's package.json (vendor/legacy-config, `file:`)
  const std::string vendor = p.dir + "/vendor/legacy-config/package.json";
  const std::string vendor_text = read_file(vendor);
  write(vendor, replaced(vendor_text, "\"description\": \"", "\"description\": \"changed: "));
  EXPECT_FALSE(p.kept());
}

// npm's settings are part of the key: an `omit` in the project's .npmrc
// is another answer.
TEST(PlanCache, NpmSettingsArePartOfTheKey) {
  KeptProject p;
  p.keep();
  write(p.dir + "/.npmrc", "omit=optional\n");
  EXPECT_FALSE(p.kept());
  fs::remove(p.dir + "/.npmrc");
  EXPECT_TRUE(p.kept());
}

// A damaged file is removed, never believed.
TEST(PlanCache, DamagedFileIsRemoved) {
  KeptProject p;
  p.keep();
  const std::string path = p.cache_for().path();
  std::string bytes = read_file(path);
  ASSERT_GT(bytes.size(), 100u);
  bytes[bytes.size() / 2] ^= 0x20;
  write(path, bytes);
  EXPECT_FALSE(p.kept());
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace lockcut::test
