// corrupt_test.cc: damaged lockfiles give errors, never crashes.
//
// Real lockfiles from the corpus are truncated at every 1/100th of their
// length and hit with random byte flips, then run through the whole pipeline
// (parse, graph, classify, select). A truncated file must be rejected with an
// error naming it; a flipped one may still parse, but nothing may crash or
// read out of bounds (CI runs this suite under AddressSanitizer too).
#include <gtest/gtest.h>

#include <random>

#include "e2e.h"
#include "lockcut/classify.h"
#include "lockcut/graph.h"
#include "lockcut/lockfile.h"
#include "lockcut/select.h"

namespace lockcut::test {
namespace {

// Runs the pipeline on lockfile text; returns the error message, or "" when
// the text was accepted.
std::string pipeline(const std::string& text, const std::string& name) {
  Project p;
  p.dir = "/nonexistent-lockcut-project";
  p.read_disk = false;
  p.store = std::make_unique<ManifestStore>();
  auto lock = parse_lockfile(simdjson::padded_string(text), name, *p.store);
  if (!lock) return lock.error().message.empty() ? "(empty message)" : lock.error().message;
  p.lock = std::move(lock).value();
  p.root = p.lock.entries[0].pkg;
  auto g = build_graph(p, GraphOptions{});
  if (!g) return g.error().message;
  Classification c = classify(g.value());
  SelectOptions so;
  so.target = host_target();
  auto s = select(g.value(), c, so);
  if (!s) return s.error().message;
  EXPECT_EQ(s->why.size(), g->size());
  return "";
}

class Corrupt : public ::testing::TestWithParam<const char*> {};

TEST_P(Corrupt, TruncatedAtEveryPercentIsAnError) {
  std::string path = fixtures() + "/corpus/" + GetParam();
  std::string text = read_file(path);
  ASSERT_GT(text.size(), 1000u);
  ASSERT_EQ(pipeline(text, path), "") << "the intact file must load";
  for (int k = 0; k < 100; ++k) {
    std::string cut = text.substr(0, text.size() * static_cast<size_t>(k) / 100);
    std::string err = pipeline(cut, path);
    EXPECT_FALSE(err.empty()) << "truncated at " << k << "% was accepted";
    EXPECT_NE(err.find(path), std::string::npos) << "at " << k << "%: " << err;
  }
}

TEST_P(Corrupt, RandomByteFlipsNeverCrash) {
  std::string path = fixtures() + "/corpus/" + GetParam();
  std::string text = read_file(path);
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<size_t> pos(0, text.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  int rejected = 0;
  for (int round = 0; round < 300; ++round) {
    std::string damaged = text;
    int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) damaged[pos(rng)] = static_cast<char>(byte(rng));
    std::string err = pipeline(damaged, path);
    if (!err.empty()) {
      ++rejected;
      EXPECT_NE(err.find(path), std::string::npos) << err;
    }
  }
  // most random damage breaks the JSON; the rest must still have run clean
  EXPECT_GT(rejected, 0);
}

INSTANTIATE_TEST_SUITE_P(Corpus, Corrupt,
                         ::testing::Values("orders-api/package-lock.json",
                                           "legacy-v1-service/package-lock.json",
                                           "acme-monorepo/package-lock.json",
                                           "s3-sync-cli/npm-shrinkwrap.json"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           n = n.substr(0, n.find('/'));
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace lockcut::test
