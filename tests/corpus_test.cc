// corpus_test.cc: `lockcut ls --parseable` on every corpus project and
// variant equals, byte for byte, the package list npm ci installed
// (fixtures/corpus/*/expected/*.packages.txt, made by running npm 11.19.1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e.h"

namespace lockcut::test {
namespace {

struct Variant {
  const char* project;
  const char* variant;  ///< "" for the --omit=dev list
  std::vector<std::string> args;
};

std::string expected_path(const Variant& v) {
  std::string base = fixtures() + "/corpus/" + v.project + "/expected/" + v.project;
  return base + (*v.variant ? std::string(".") + v.variant : "") + ".packages.txt";
}

class Corpus : public ::testing::TestWithParam<Variant> {};

TEST_P(Corpus, PackagesEqualNpmCi) {
  const Variant& v = GetParam();
  std::vector<std::string> args{"ls", fixtures() + "/corpus/" + v.project, "--parseable"};
  args.insert(args.end(), v.args.begin(), v.args.end());
  Outcome r = lockcut(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want = read_file(expected_path(v));
  ASSERT_FALSE(want.empty()) << expected_path(v);
  EXPECT_EQ(r.out, want);
}

// `npm ci` variants of each project, with the lockcut flags that ask for the
// same thing (lockcut always omits dev unless --include=dev).
INSTANTIATE_TEST_SUITE_P(
    Npm, Corpus,
    ::testing::Values(
        Variant{"img-thumbnail-lambda", "", {}},
        Variant{"orders-api", "", {}},
        Variant{"acme-monorepo", "", {}},
        Variant{"acme-monorepo", "ws-thumbnail-fn", {"--workspace", "@acme/thumbnail-fn"}},
        Variant{"legacy-v1-service", "", {}},
        Variant{"report-worker-v2", "", {}},
        Variant{"s3-sync-cli", "", {}},
        Variant{"storefront-web", "", {}},
        Variant{"storefront-web", "omit-dev-optional", {"--omit", "optional"}},
        Variant{"storefront-web", "omit-dev-peer", {"--omit", "peer"}},
        Variant{"odd-specs-service", "", {}},
        Variant{"odd-specs-service", "omit-dev-peer", {"--omit", "peer"}},
        Variant{"img-thumbnail-lambda", "full-install", {"--include", "dev"}},
        Variant{"orders-api", "full-install", {"--include", "dev"}},
        Variant{"acme-monorepo", "full-install", {"--include", "dev"}},
        Variant{"report-worker-v2", "full-install", {"--include", "dev"}},
        Variant{"s3-sync-cli", "full-install", {"--include", "dev"}},
        Variant{"storefront-web", "full-install", {"--include", "dev"}},
        Variant{"odd-specs-service", "full-install", {"--include", "dev"}}),
    [](const ::testing::TestParamInfo<Variant>& info) {
      std::string name = std::string(info.param.project) + "_" +
                         (*info.param.variant ? info.param.variant : "omit_dev");
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

// A v1 lockfile does not record that fsevents is darwin-only; npm ci learns
// it from the package's manifest. lockcut reads the installed package.json
// instead: with it present, the full install matches npm's.
TEST(CorpusV1, FullInstallReadsPlatformFromInstalledPackages) {
  TempDir dir;
  std::string proj = dir.path() + "/legacy-v1-service";
  copy_tree(fixtures() + "/corpus/legacy-v1-service", proj);
  std::string want = read_file(proj + "/expected/legacy-v1-service.full-install.packages.txt");
  // without the installed tree, the lockfile alone keeps fsevents
  Outcome before = lockcut({"ls", proj, "--parseable", "--include", "dev"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out, want);
  EXPECT_NE(before.out.find("fsevents"), std::string::npos);
  // fsevents' own package.json, as npm ci --ignore-scripts would leave it
  std::istringstream lines(before.out);
  int planted = 0;
  for (std::string loc; std::getline(lines, loc);) {
    if (loc.size() < 9 || loc.compare(loc.size() - 9, 9, "/fsevents") != 0) continue;
    ++planted;
    std::filesystem::create_directories(proj + "/" + loc);
    std::ofstream(proj + "/" + loc + "/package.json")
        << R"({"name":"fsevents","version":"1.2.13","os":["darwin"]})";
  }
  ASSERT_EQ(planted, 2);
  Outcome after = lockcut({"ls", proj, "--parseable", "--include", "dev"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, want);
}

}  // namespace
}  // namespace lockcut::test
