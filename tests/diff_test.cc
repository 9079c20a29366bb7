// diff_test.cc: `lockcut diff` between lockfiles, zips and git revisions.
//
// Lockfile cases hand-edit copies of orders-api's package.json and lockfile
// (keeping the graph valid: a removed dependency leaves both files); zip
// cases pack the installed img-thumbnail-lambda twice with different flags
// and compare with what `lockcut ls` and the installed tree say.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

void edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary) << text;
}

// Removes the lockfile entry `"<location>": {...},` (its braces balanced).
void remove_entry(const std::string& path, const std::string& location) {
  std::string text = read_file(path);
  size_t at = text.find("\n    \"" + location + "\": {");
  ASSERT_NE(at, std::string::npos) << location;
  size_t i = text.find('{', at);
  for (int depth = 0; i < text.size(); ++i) {
    depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
    if (depth == 0) break;
  }
  ASSERT_EQ(text[i + 1], ',');
  text.erase(at, i + 2 - at);
  std::ofstream(path, std::ios::binary) << text;
}

std::string orders_copy(const TempDir& tmp, const std::string& name) {
  std::string src = fixtures() + "/corpus/orders-api";
  tmp.write(name + "/package.json", read_file(src + "/package.json"));
  tmp.write(name + "/package-lock.json", read_file(src + "/package-lock.json"));
  return tmp.path() + "/" + name;
}

// zod bumped, bcryptjs removed, left-pad added.
void change_orders(const std::string& dir) {
  std::string lock = dir + "/package-lock.json", pkg = dir + "/package.json";
  edit(lock, "\"version\": \"3.25.76\",\n      \"integrity\": \"sha512-gzUt",
       "\"version\": \"3.25.77\",\n      \"integrity\": \"sha512-hzUt");
  remove_entry(lock, "node_modules/bcryptjs");
  for (const std::string& f : {lock, pkg}) {
    edit(f, "\"bcryptjs\": \"^3.0.2\",", "\"left-pad\": \"^1.3.0\",");
  }
  edit(lock, "\n    \"node_modules/zod\": {",
       "\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"resolved\": "
       "\"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n      \"integrity\": "
       "\"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQ9xhXdwTdXAiCpUn4RZ2iv1lzB7GP7Ss0hQ3Br2Dq3QPYmA==\",\n"
       "      \"license\": \"WTFPL\"\n    },\n    \"node_modules/zod\": {");
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  EXPECT_FALSE(parser.parse(text).get(doc)) << text;
  return doc;
}

// change -> location -> (name, version): what the JSON lists.
std::map<std::string, std::set<std::string>> changes_of(simdjson::dom::element doc) {
  std::map<std::string, std::set<std::string>> out;
  for (simdjson::dom::element c : doc["changes"].get_array()) {
    out[std::string(std::string_view(c["change"]))].insert(std::string(std::string_view(c["location"])));
  }
  return out;
}

TEST(DiffLockfile, ReportsBumpAddAndRemove) {
  TempDir tmp;
  std::string a = orders_copy(tmp, "old"), b = orders_copy(tmp, "new");
  change_orders(b);
  Outcome r = lockcut({"diff", a + "/package-lock.json", b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "- bcryptjs@3.0.3  node_modules/bcryptjs\n"
            "+ left-pad@1.3.0  node_modules/left-pad\n"
            "~ zod 3.25.76 -> 3.25.77  node_modules/zod\n"
            "1 added, 1 removed, 1 changed (85 -> 85 packages); size change unknown\n")
      << r.err;

  r = lockcut({"diff", a, b, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parse(parser, r.out);
  EXPECT_EQ(int64_t(doc["schema"]), 1);
  using S = std::set<std::string>;
  EXPECT_EQ(changes_of(doc), (std::map<std::string, S>{{"added", S{"node_modules/left-pad"}},
                                                        {"removed", S{"node_modules/bcryptjs"}},
                                                        {"changed", S{"node_modules/zod"}}}));
  for (simdjson::dom::element c : doc["changes"].get_array()) {
    if (std::string_view(c["change"]) != "changed") continue;
    EXPECT_EQ(std::string_view(c["oldVersion"]), "3.25.76");
    EXPECT_EQ(std::string_view(c["newVersion"]), "3.25.77");
  }
}

TEST(DiffLockfile, DevOnlyChangeIsNoDifference) {
  TempDir tmp;
  std::string a = orders_copy(tmp, "old"), b = orders_copy(tmp, "new");
  // typescript is a devDependency: bump it in the lockfile only
  edit(b + "/package-lock.json", "\"version\": \"5.9.3\",\n      \"integrity\": \"sha512-jl1v",
       "\"version\": \"5.9.4\",\n      \"integrity\": \"sha512-kl1v");
  Outcome r = lockcut({"diff", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 25), "0 added, 0 removed, 0 cha") << r.out;
}

std::string zip_of(const TempDir& tmp, const std::string& name, std::vector<std::string> flags) {
  std::string zip = tmp.path() + "/" + name + ".zip";
  std::vector<std::string> args{"pack", installed_corpus("img-thumbnail-lambda"), "--zip", zip};
  args.insert(args.end(), flags.begin(), flags.end());
  Outcome r = lockcut(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return zip;
}

std::set<std::string> ls(const std::vector<std::string>& flags) {
  std::vector<std::string> args{"ls", installed_corpus("img-thumbnail-lambda"), "--parseable"};
  args.insert(args.end(), flags.begin(), flags.end());
  Outcome r = lockcut(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) out.insert(l);
  return out;
}

TEST(DiffZip, OmittingOptionalRemovesThoseWithTheirSizes) {
  TempDir tmp;
  std::string full = zip_of(tmp, "full", {}), lean = zip_of(tmp, "lean", {"--omit", "optional"});
  std::set<std::string> gone;
  std::set<std::string> kept = ls({"--omit", "optional"});
  for (const std::string& loc : ls({})) {
    if (!kept.count(loc)) gone.insert(loc);
  }
  ASSERT_FALSE(gone.empty()) << "sharp's platform packages are optional";
  Outcome r = lockcut({"diff", full, lean, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parse(parser, r.out);
  EXPECT_EQ(changes_of(doc), (std::map<std::string, std::set<std::string>>{{"removed", gone}}));
  int64_t removed_bytes = 0;
  for (simdjson::dom::element c : doc["changes"].get_array()) {
    int64_t b = c["oldBytes"];
    EXPECT_GT(b, 0) << std::string_view(c["location"]);
    EXPECT_FALSE(std::string_view(c["oldVersion"]).empty());
    removed_bytes += b;
  }
  EXPECT_EQ(int64_t(doc["summary"]["bytesDelta"]), -removed_bytes);
  EXPECT_LT(int64_t(doc["summary"]["compressedBytesDelta"]), 0);

  // the installed project against its own zip: same packages, same sizes
  r = lockcut({"diff", installed_corpus("img-thumbnail-lambda"), full, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = parse(parser, r.out);
  EXPECT_EQ(doc["changes"].get_array().size(), 0u) << r.out;
  EXPECT_EQ(int64_t(doc["summary"]["bytesDelta"]), 0) << r.out;
}

TEST(DiffZip, OwnFilesAreNoPackages) {
  TempDir tmp;
  std::string full = zip_of(tmp, "full", {}), bare = zip_of(tmp, "bare", {"--no-own-files"});
  Outcome r = lockcut({"diff", full, bare});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 25), "0 added, 0 removed, 0 cha") << r.out;
  EXPECT_NE(r.out.find("size +0.0 KiB"), std::string::npos) << r.out;
}

TEST(DiffGit, ComparesTwoRevisions) {
  TempDir tmp;
  std::string repo = orders_copy(tmp, "repo");
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"});
    Outcome r = run(args, repo);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  git({"init", "-q"});
  git({"add", "."});
  git({"commit", "-qm", "one"});
  change_orders(repo);
  git({"commit", "-qam", "two"});
  // an uncommitted edit must not matter
  edit(repo + "/package-lock.json", "\"version\": \"3.25.77\"", "\"version\": \"3.25.78\"");
  Outcome r = run({LOCKCUT_BINARY, "diff", "git:HEAD~1", "git:HEAD"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "- bcryptjs@3.0.3  node_modules/bcryptjs\n"
            "+ left-pad@1.3.0  node_modules/left-pad\n"
            "~ zod 3.25.76 -> 3.25.77  node_modules/zod\n"
            "1 added, 1 removed, 1 changed (85 -> 85 packages); size change unknown\n")
      << r.err;
  r = run({LOCKCUT_BINARY, "diff", "git:HEAD", "."}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("~ zod 3.25.77 -> 3.25.78"), std::string::npos) << r.out;
  r = run({LOCKCUT_BINARY, "diff", "git:nosuchrev", "."}, repo);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("lockcut: error: git ls-tree failed"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lockcut::test
