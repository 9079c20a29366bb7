// oracle_test.cc: live comparisons with npm itself.
//
// tests/oracle/npm-oracle.js asks npm's own engine (@npmcli/arborist, shipped
// inside the npm on this machine) what it decides for a lockfile. These tests
// cover options the recorded expected files do not (other targets, --omit
// sets, legacy-peer-deps, workspaces), and check that `lockcut why` lists the
// same dependents as `npm explain` for each instance of a package.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <sstream>

#include "e2e.h"

namespace lockcut::test {
namespace {

std::string oracle() { return std::string(LOCKCUT_SOURCE_DIR) + "/tests/oracle/npm-oracle.js"; }

// location -> "omitted why dev optional devOptional peer extraneous"
using Verdicts = std::map<std::string, std::string>;

std::string verdict(simdjson::dom::object o) {
  std::string v;
  for (const char* k : {"omitted", "dev", "optional", "devOptional", "peer", "extraneous"}) {
    v += std::string(k) + "=" + (o[k].get_bool().value() ? "1 " : "0 ");
  }
  return v + "why=" + std::string(o["why"].get_string().value());
}

Verdicts from_oracle(const std::string& out) {
  Verdicts v;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    simdjson::dom::parser p;
    simdjson::dom::object o = p.parse(line).get_object().value();
    v[std::string(o["location"].get_string().value())] = verdict(o);
  }
  return v;
}

Verdicts from_lockcut(const std::string& out) {
  Verdicts v;
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(out).value();
  simdjson::dom::array items_e = doc["packages"].get_array().value();
  for (simdjson::dom::element e : items_e) {
    simdjson::dom::object o = e.get_object().value();
    v[std::string(o["location"].get_string().value())] = verdict(o);
  }
  return v;
}

struct Case {
  const char* name;
  const char* dir;                   ///< under fixtures/
  std::vector<std::string> lockcut;  ///< extra lockcut flags
  std::vector<std::string> npm;      ///< oracle flags
};

class LiveNpm : public ::testing::TestWithParam<Case> {};

TEST_P(LiveNpm, SameVerdictPerPackage) {
  const Case& c = GetParam();
  std::string dir = fixtures() + "/" + c.dir;
  std::vector<std::string> o{"node", oracle(), "classify", dir};
  o.insert(o.end(), c.npm.begin(), c.npm.end());
  Outcome npm = run(o);
  ASSERT_EQ(npm.exit_code, 0) << npm.err;
  std::vector<std::string> l{"ls", dir, "--json", "--no-sync-check"};
  l.insert(l.end(), c.lockcut.begin(), c.lockcut.end());
  Outcome lc = lockcut(l);
  ASSERT_EQ(lc.exit_code, 0) << lc.err;
  Verdicts want = from_oracle(npm.out), got = from_lockcut(lc.out);
  ASSERT_FALSE(want.empty());
  for (const auto& [loc, v] : want) {
    auto it = got.find(loc);
    ASSERT_NE(it, got.end()) << loc;
    EXPECT_EQ(it->second, v) << "at " << loc;
  }
  EXPECT_EQ(got.size(), want.size());
}

INSTANTIATE_TEST_SUITE_P(
    Oracle, LiveNpm,
    ::testing::Values(
        Case{"sharp_darwin_arm64", "corpus/img-thumbnail-lambda",
             {"--os", "darwin", "--cpu", "arm64"}, {"--omit=dev", "--os=darwin", "--cpu=arm64"}},
        Case{"sharp_linux_arm64_musl", "corpus/img-thumbnail-lambda",
             {"--os", "linux", "--cpu", "arm64", "--libc", "musl"},
             {"--omit=dev", "--os=linux", "--cpu=arm64", "--libc=musl"}},
        // --target presets mean npm's --os/--cpu/--libc
        Case{"cross_lambda_x64", "cross-platform", {"--target", "lambda-x64"},
             {"--omit=dev", "--os=linux", "--cpu=x64", "--libc=glibc"}},
        Case{"cross_lambda_arm64", "cross-platform", {"--target", "lambda-arm64", "--runtime", "nodejs18.x"},
             {"--omit=dev", "--os=linux", "--cpu=arm64", "--libc=glibc"}},
        Case{"cross_linux_arm64_musl", "cross-platform", {"--target", "linux-arm64-musl"},
             {"--omit=dev", "--os=linux", "--cpu=arm64", "--libc=musl"}},
        Case{"cross_darwin_arm64", "cross-platform", {"--target", "darwin-arm64"},
             {"--omit=dev", "--os=darwin", "--cpu=arm64"}},
        Case{"thumbnail_omit_optional", "corpus/img-thumbnail-lambda", {"--omit", "optional"},
             {"--omit=dev,optional"}},
        Case{"storefront_legacy_peer_deps", "corpus/storefront-web", {"--legacy-peer-deps"},
             {"--omit=dev", "--legacy-peer-deps"}},
        Case{"storefront_omit_all", "corpus/storefront-web", {"--omit", "optional,peer"},
             {"--omit=dev,optional,peer"}},
        Case{"storefront_full_win32", "corpus/storefront-web",
             {"--include", "dev", "--os", "win32", "--cpu", "ia32"}, {"--os=win32", "--cpu=ia32"}},
        Case{"orders_api_darwin", "corpus/orders-api", {"--os", "darwin"}, {"--omit=dev", "--os=darwin"}},
        Case{"acme_workspace", "corpus/acme-monorepo", {"--workspace", "@acme/thumbnail-fn"},
             {"--omit=dev", "--workspace=@acme/thumbnail-fn"}},
        Case{"acme_workspace_admin", "corpus/acme-monorepo", {"--workspace", "packages/admin-cli"},
             {"--omit=dev", "--workspace=@acme/admin-cli"}},
        Case{"odd_specs_full", "corpus/odd-specs-service", {"--include", "dev"}, {}},
        Case{"bundles_omit_optional", "peer-fixtures/arborist/testing-bundledeps-3",
             {"--omit", "optional"}, {"--omit=dev,optional"}},
        Case{"cli_750_full", "peer-fixtures/arborist/cli-750", {"--include", "dev"}, {}}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// `lockcut why` lists, for every instance of a package, the same dependents
// (from location, type, name, spec) as npm explain.
struct WhyCase {
  const char* project;
  std::vector<std::string> packages;
};

class LiveExplain : public ::testing::TestWithParam<WhyCase> {};

using Dependents = std::map<std::string, std::set<std::string>>;  // location -> edges

Dependents parse_deps(simdjson::dom::element rows_or_row, Dependents& out) {
  auto add = [&](simdjson::dom::object o) {
    auto& set = out[std::string(o["location"].get_string().value())];
    simdjson::dom::array items_d = o["dependents"].get_array().value();
    for (simdjson::dom::element d : items_d) {
      simdjson::dom::object e = d.get_object().value();
      // the spec an override puts in place: npm's "override", ours "overridden"
      std::string_view over;
      if (e["override"].get(over) && e["overridden"].get(over)) over = {};
      set.insert(std::string(e["from"].get_string().value()) + " " +
                 std::string(e["type"].get_string().value()) + " " +
                 std::string(e["name"].get_string().value()) + "@" +
                 std::string(e["spec"].get_string().value()) +
                 (over.empty() ? "" : " overridden " + std::string(over)));
    }
  };
  if (rows_or_row.is_array()) {
    simdjson::dom::array items_r = rows_or_row.get_array().value();
    for (simdjson::dom::element r : items_r) add(r.get_object().value());
  } else {
    add(rows_or_row.get_object().value());
  }
  return out;
}

TEST_P(LiveExplain, SameDependentsAsNpmExplain) {
  const WhyCase& c = GetParam();
  std::string dir = fixtures() + "/corpus/" + c.project;
  for (const auto& name : c.packages) {
    Outcome npm = run({"node", oracle(), "explain", dir, name});
    ASSERT_EQ(npm.exit_code, 0) << name << ": " << npm.err;
    Dependents want, got;
    std::istringstream lines(npm.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      simdjson::dom::parser p;
      parse_deps(p.parse(line).value(), want);
    }
    Outcome lc = lockcut({"why", name, dir, "--json", "--no-sync-check", "--include", "dev"});
    ASSERT_EQ(lc.exit_code, 0) << name << ": " << lc.err;
    simdjson::dom::parser p;
    parse_deps(p.parse(lc.out).value(), got);
    ASSERT_FALSE(want.empty()) << name;
    EXPECT_EQ(got, want) << "package " << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Oracle, LiveExplain,
    ::testing::Values(
        WhyCase{"img-thumbnail-lambda", {"@emnapi/runtime", "@aws-sdk/token-providers", "tslib",
                                         "@img/sharp-linux-x64", "semver", "unrs-resolver"}},
        WhyCase{"acme-monorepo", {"uuid", "@acme/shared", "zod", "mimic-function", "rollup"}},
        // overrides: `debug > ms` and `express > cookie`
        WhyCase{"odd-specs-service", {"lodash", "semver", "dayjs", "react", "is-number", "ms", "cookie", "debug"}},
        WhyCase{"storefront-web", {"typescript", "i18next", "react", "cli-columns"}},
        WhyCase{"legacy-v1-service", {"debug", "ms", "fsevents"}}),
    [](const ::testing::TestParamInfo<WhyCase>& info) {
      std::string n = info.param.project;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

}  // namespace
}  // namespace lockcut::test
