// plan_test.cc: the order of a plan's entries (engine/plan.cc). What a plan
// holds is compared with npm end to end in pack_test.cc; these check that
// the entries come out in output order, byte order of their paths, however
// the packages nest and whether their listings were made or reused.
#include "lockcut/plan.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e.h"
#include "lockcut/tree_cache.h"
#include "test_project.h"

namespace lockcut {
namespace {

// `a` has `b` nested in it, and `a-b` sorts between `a`'s files and its
// nested folder ('-' < '/' < 'a'), so the tasks' entries interleave.
test::ProjectFiles nested_project() {
  test::ProjectFiles p;
  p.package_json = R"({"name":"app","version":"1.0.0","dependencies":{"a":"1.0.0","a-b":"1.0.0"}})";
  p.package_lock = R"({"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
    "":{"name":"app","version":"1.0.0","dependencies":{"a":"1.0.0","a-b":"1.0.0"}},
    "node_modules/a":{"version":"1.0.0","dependencies":{"b":"2.0.0"}},
    "node_modules/a/node_modules/b":{"version":"2.0.0"},
    "node_modules/a-b":{"version":"1.0.0"}}})";
  p.files = {
      {"index.js", "module.exports = 1\n"},
      {"node_modules/a/package.json", R"({"name":"a","version":"1.0.0"})"},
      {"node_modules/a/z.js", "z\n"},
      {"node_modules/a/lib/x.js", "x\n"},
      {"node_modules/a/node_modules/b/package.json", R"({"name":"b","version":"2.0.0"})"},
      {"node_modules/a/node_modules/b/y.js", "y\n"},
      {"node_modules/a-b/package.json", R"({"name":"a-b","version":"1.0.0"})"},
      {"node_modules/a-b/w.js", "w\n"},
  };
  return p;
}

std::vector<std::string> dests(const PackPlan& plan) {
  std::vector<std::string> out;
  for (const PlanEntry& e : plan.entries) out.push_back(e.dest);
  return out;
}

TEST(PlanOrder, NestedPackagesComeOutInByteOrder) {
  test::TestProject project(nested_project());
  // the folders must be older than the racy window for their listings to
  // be trusted by the second run (file_time.h: kRacyWindowNs)
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto analysis = test::analyze_project(project.dir());
  ASSERT_TRUE(analysis) << analysis.error().message;
  test::TempDir cache;
  PlanOptions options;
  options.tree_cache = cache.path();
  const std::vector<std::string> want = {
      "index.js",
      "node_modules/a-b/package.json",
      "node_modules/a-b/w.js",
      "node_modules/a/lib/x.js",
      "node_modules/a/node_modules/b/package.json",
      "node_modules/a/node_modules/b/y.js",
      "node_modules/a/package.json",
      "node_modules/a/z.js",
      "package.json",
  };
  ASSERT_TRUE(std::is_sorted(want.begin(), want.end()));
  // first listed, then from the snapshot the first run left
  for (int run = 0; run < 2; ++run) {
    auto plan = make_plan(**analysis, options);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(dests(*plan), want) << "run " << run;
    EXPECT_EQ(plan->folders_reused, run == 0 ? 0u : 3u) << "run " << run;
  }
}

TEST(ListFolder, FilesAreSortedByPath) {
  test::TempDir dir;
  for (const char* rel : {"b.js", "a/z.js", "a.js", "a-b/x.js", "A.js", "node_modules/dep/i.js"}) {
    dir.write(rel, "x");
  }
  FolderListing listing;
  ASSERT_TRUE(list_folder(dir.path(), true, listing));
  std::vector<std::string> paths;
  for (const ListedFile& f : listing.files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"A.js", "a-b/x.js", "a.js", "a/z.js", "b.js"}));
}

}  // namespace
}  // namespace lockcut
