// functions_test.cc: several functions of a monorepo in one run, with the
// packages they all need in a shared layer (engine/functions.cc,
// cli/cmd_pack_functions.cc), on the installed acme-monorepo.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "e2e.h"
#include "tree.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

const char* kFunctions[] = {"@acme/thumbnail-fn", "@acme/admin-cli"};

Tree unzipped(const std::string& zip, const std::string& dir) {
  Outcome r = run({"unzip", "-q", zip, "-d", dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return read_tree(dir);
}

// What `pack -w NAME --zip` alone ships, unzipped.
Tree alone(const std::string& project, const std::string& workspace, const TempDir& tmp) {
  std::string zip = tmp.path() + "/alone.zip", dir = tmp.path() + "/alone";
  fs::remove_all(dir);
  fs::remove(zip);
  Outcome r = lockcut({"pack", project, "-w", workspace, "--zip", zip});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return unzipped(zip, dir);
}

// Each function's zip plus the layer's nodejs/ is exactly its closure.
void expect_function_plus_layer(const std::string& project, const std::string& out, const TempDir& tmp,
                                const std::vector<std::string>& zips) {
  Tree layer = unzipped(out + "/layer.zip", tmp.path() + "/layer");
  ASSERT_FALSE(layer.empty());
  for (const auto& [path, f] : layer) EXPECT_EQ(path.rfind("nodejs/node_modules/", 0), 0u) << path;
  EXPECT_TRUE(layer.count("nodejs/node_modules/@acme/shared/package.json"));
  for (size_t i = 0; i < zips.size(); ++i) {
    Tree fn = unzipped(zips[i], tmp.path() + "/fn" + std::to_string(i));
    for (const auto& [path, f] : layer) {
      EXPECT_FALSE(fn.count(path.substr(7))) << path << " is in the layer and in " << zips[i];
      fn[path.substr(7)] = f;
    }
    expect_same(alone(project, kFunctions[i], tmp), fn, kFunctions[i]);
  }
}

TEST(Functions, EachWorkspaceWithASharedLayer) {
  std::string project = installed_corpus("acme-monorepo");
  TempDir tmp;
  std::string out = tmp.path() + "/dist";
  fs::create_directories(out);
  Outcome r = lockcut({"pack", project, "-w", kFunctions[0], "-w", kFunctions[1], "--each", "--zip",
                       out + "/{name}.zip", "--layer-shared", out + "/layer.zip", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"name\":\"shared layer\""), std::string::npos) << r.out;
  expect_function_plus_layer(project, out, tmp, {out + "/thumbnail-fn.zip", out + "/admin-cli.zip"});
  // the workspace's own uuid@11 stays with it: @acme/shared needs the root's uuid@9
  Tree thumb = read_tree(tmp.path() + "/fn0");
  EXPECT_TRUE(thumb.count("node_modules/@acme/thumbnail-fn/node_modules/uuid/package.json"));
}

// Whether each function of a `pack --each --json` run was planned from
// the analysis the last run kept, in order.
std::vector<bool> analyses_kept(const Outcome& r) {
  std::vector<bool> kept;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << r.out;
  for (simdjson::dom::element f : doc["functions"].get_array()) {
    if (!bool(f["layer"])) kept.push_back(bool(f["analysisKept"]));
  }
  return kept;
}

// How many times a run's --perf table says the lockfile was loaded.
size_t lockfile_loads(const Outcome& r) {
  size_t n = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) n += line.rfind("load ", 0) == 0;
  return n;
}

// The first run reads the lockfile once for all functions; a second run on
// the same cache (one folder snapshot for the project, checked once for
// all functions, and each function's kept analysis) reads it not at all
// and writes the same bytes; a damaged snapshot is reported, removed and
// rebuilt, as for a single pack.
TEST(Functions, AWarmRunWritesTheSameZips) {
  std::string project = installed_corpus("acme-monorepo");
  TempDir tmp;
  std::string out = tmp.path() + "/dist", cache = tmp.path() + "/cache";
  fs::create_directories(out);
  auto pack = [&] {
    return lockcut({"pack", project, "-w", kFunctions[0], "-w", kFunctions[1], "--each", "--zip",
                    out + "/{name}.zip", "--layer-shared", out + "/layer.zip", "--cache", cache,
                    "--force", "--json", "--perf"});
  };
  const char* zips[] = {"/thumbnail-fn.zip", "/admin-cli.zip", "/layer.zip"};
  Outcome cold = pack();
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  EXPECT_EQ(analyses_kept(cold), std::vector<bool>({false, false}));
  EXPECT_EQ(lockfile_loads(cold), 1u) << cold.err;
  std::vector<std::string> first;
  for (const char* z : zips) first.push_back(read_file(out + z));
  std::vector<fs::path> snapshots;
  for (const auto& e : fs::directory_iterator(cache + "/trees")) {
    if (e.path().extension() == ".tree") snapshots.push_back(e.path());
  }
  ASSERT_EQ(snapshots.size(), 1u) << "one snapshot for the one project";

  Outcome warm = pack();
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_EQ(warm.err.find("warning"), std::string::npos) << warm.err;
  EXPECT_EQ(analyses_kept(warm), std::vector<bool>({true, true}));
  EXPECT_EQ(lockfile_loads(warm), 0u) << warm.err;
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(read_file(out + zips[i]) == first[i]) << zips[i];

  fs::resize_file(snapshots[0], fs::file_size(snapshots[0]) / 2);
  Outcome damaged = pack();
  ASSERT_EQ(damaged.exit_code, 0) << damaged.err;
  EXPECT_NE(damaged.err.find("were damaged"), std::string::npos) << damaged.err;
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(read_file(out + zips[i]) == first[i]) << zips[i];
  Outcome again = pack();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("damaged"), std::string::npos) << again.err;
}

TEST(Functions, FromAConfigFileWithTheSameResult) {
  std::string project = installed_corpus("acme-monorepo");
  TempDir tmp;
  std::string out = tmp.path() + "/dist";
  fs::create_directories(out);
  tmp.write("lockcut.json", "{\"functions\": {\"@acme/thumbnail-fn\": {\"zip\": \"" + out +
                                "/thumb.zip\"}, \"packages/admin-cli\": {\"zip\": \"" + out +
                                "/admin.zip\"}}, \"layer\": {\"zip\": \"" + out + "/layer.zip\"}}");
  Outcome r = lockcut({"pack", project, "--functions", "--config", tmp.path() + "/lockcut.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_function_plus_layer(project, out, tmp, {out + "/thumb.zip", out + "/admin.zip"});
}

TEST(Functions, BadConfigsSayWhatToWrite) {
  std::string project = installed_corpus("acme-monorepo");
  TempDir tmp;
  for (const char* text : {"{\"functions\": {\"@acme/thumbnail-fn\": {\"zipp\": \"x.zip\"}}}",
                           "{\"functions\": []}", "{\"functions\": {}}", "not json"}) {
    tmp.write("lockcut.json", text);
    Outcome r = lockcut({"pack", project, "--functions", "--config", tmp.path() + "/lockcut.json"});
    EXPECT_EQ(r.exit_code, 1) << text;
    EXPECT_NE(r.err.find(tmp.path() + "/lockcut.json"), std::string::npos) << r.err;
  }
  Outcome none = lockcut({"pack", project, "--functions"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("lockcut.json"), std::string::npos) << none.err;
  Outcome no_name = lockcut({"pack", project, "-w", "@acme/thumbnail-fn", "--each", "--zip", tmp.path() + "/x.zip"});
  EXPECT_EQ(no_name.exit_code, 1);
  EXPECT_NE(no_name.err.find("{name}"), std::string::npos) << no_name.err;
  Outcome unknown = lockcut({"pack", project, "-w", "@acme/nope", "--each", "--zip", tmp.path() + "/{name}.zip"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("@acme/nope"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/nope.zip"));
  // the same when the unknown one comes second, selected from the first's analysis
  Outcome second = lockcut({"pack", project, "-w", "@acme/thumbnail-fn", "-w", "@acme/nope", "--each",
                            "--zip", tmp.path() + "/{name}.zip", "--no-cache"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("no workspace named '@acme/nope'"), std::string::npos) << second.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/thumbnail-fn.zip"));
}

}  // namespace
}  // namespace lockcut::test
