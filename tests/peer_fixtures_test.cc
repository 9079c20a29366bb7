// peer_fixtures_test.cc: npm's own lockfile fixtures (@npmcli/arborist's test
// suite, in fixtures/peer-fixtures). For every one, each lockfile location's
// recomputed flags, stored flags, name, version, link bit and omitted reason
// from `lockcut ls --json` equal npm's answer in arborist-expected/.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "e2e.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> expected_files() {
  std::vector<std::string> out;
  std::string dir = fixtures() + "/peer-fixtures/arborist-expected";
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    const std::string suffix = ".omit-dev.jsonl";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// location -> "field=value" lines, for a readable diff
using Rows = std::map<std::string, std::vector<std::string>>;

std::string to_text(simdjson::dom::element v) {
  if (v.is_bool()) return v.get_bool().value() ? "true" : "false";
  if (v.is_string()) return std::string(v.get_string().value());
  return simdjson::to_string(v);
}

void add_row(Rows& rows, simdjson::dom::object o) {
  std::string loc(o["location"].get_string().value());
  auto& r = rows[loc];
  for (const char* k : {"name", "version", "dev", "optional", "devOptional", "peer", "extraneous",
                        "link", "omitted", "why"}) {
    r.push_back(std::string(k) + "=" + to_text(o[k].value()));
  }
  simdjson::dom::object lock = o["lock"].get_object().value();
  for (const char* k : {"dev", "optional", "devOptional", "peer", "extraneous"}) {
    r.push_back(std::string("lock.") + k + "=" + to_text(lock[k].value()));
  }
}

class PeerFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PeerFixture, MatchesNpm) {
  const std::string& name = GetParam();
  std::string rel = name;
  std::replace(rel.begin(), rel.end(), '~', '/');
  std::string dir = fixtures() + "/peer-fixtures/arborist/" + rel;
  std::string expected = read_file(fixtures() + "/peer-fixtures/arborist-expected/" + name + ".omit-dev.jsonl");

  simdjson::dom::parser parser;
  Rows want;
  std::istringstream lines(expected);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    simdjson::dom::parser p;
    add_row(want, p.parse(line).get_object().value());
  }
  // npm's fixtures include lockfiles whose package.json moved on; npm's
  // engine still classifies them, so the sync check is off here
  Outcome r = lockcut({"ls", dir, "--json", "--no-sync-check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Rows got;
  simdjson::dom::element doc = parser.parse(r.out).value();
  simdjson::dom::array items_p = doc["packages"].get_array().value();
  for (simdjson::dom::element p : items_p) add_row(got, p.get_object().value());

  for (const auto& [loc, fields] : want) {
    auto it = got.find(loc);
    ASSERT_NE(it, got.end()) << "npm has " << loc << ", lockcut does not";
    EXPECT_EQ(it->second, fields) << "at " << loc;
  }
  for (const auto& [loc, fields] : got) {
    EXPECT_TRUE(want.count(loc)) << "lockcut has " << loc << ", npm does not";
  }
}

INSTANTIATE_TEST_SUITE_P(Arborist, PeerFixture, ::testing::ValuesIn(expected_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(PeerFixtures, AllLoad) {
  // guards against the list above silently shrinking
  EXPECT_EQ(expected_files().size(), 99u);
}

// The three fixtures npm itself refuses to load get a clear error that
// names the file, exit code 1, and nothing on stdout.
class RefusedFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(RefusedFixture, ClearError) {
  std::string dir = fixtures() + "/peer-fixtures/arborist/" + GetParam();
  Outcome r = lockcut({"ls", dir, "--parseable"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("lockcut: error: '"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(GetParam()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint:"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Arborist, RefusedFixture,
                         ::testing::Values("conflict-package-lock", "testing-peer-deps-bad-sw",
                                           "workspace3/packages/a"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace lockcut::test
