// semver_test.cc: engine/semver.cc.
//
// The oracle is node-semver itself: data/semver_cases.tsv holds its answers
// for a couple of thousand (version, range) pairs covering every range form,
// loose-mode quirk, overflow and whitespace rule, and was written by
// data/gen_semver_cases.js (rerun it after adding cases). Every row must
// agree. Direct cases pin down parse_version and compare_versions, and a
// seeded fuzz loop feeds arbitrary bytes to every entry point (CI runs it
// under AddressSanitizer).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/semver.h"

namespace lockcut::test {
namespace {

/// One row of semver_cases.tsv, fields unescaped; the escaped ones are kept
/// for failure messages.
struct SemverCase {
  int line = 0;
  std::string version_text, range_text;
  std::string version, range;
  bool satisfies = false, satisfies_include_prerelease = false, range_valid = false;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

/// Undoes gen_semver_cases.js's escaping: `\\` and `\uXXXX` (UTF-16 code
/// units, surrogate pairs joined) back to UTF-8.
std::string unescape(std::string_view s) {
  std::string out;
  uint32_t high = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    const std::string hex(s.substr(i + 2, 4));
    const uint32_t unit = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
    i += 5;
    if (unit >= 0xd800 && unit < 0xdc00) {
      high = unit;
    } else if (unit >= 0xdc00 && unit < 0xe000 && high != 0) {
      append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
      high = 0;
    } else {
      append_utf8(out, unit);
    }
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

const char* kCasesPath = LOCKCUT_SOURCE_DIR "/tests/data/semver_cases.tsv";

std::vector<SemverCase> load_cases() {
  std::vector<SemverCase> cases;
  std::ifstream in(kCasesPath);
  std::string line;
  int number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!header) {  // leading `#` comments, then the column names
      header = line.rfind("version\t", 0) == 0;
      continue;
    }
    const std::vector<std::string> f = split_tabs(line);
    if (f.size() != 5) {
      ADD_FAILURE() << kCasesPath << ":" << number << ": expected 5 fields, got " << f.size();
      continue;
    }
    cases.push_back(
        {number, f[0], f[1], unescape(f[0]), unescape(f[1]), f[2] == "1", f[3] == "1", f[4] == "1"});
  }
  return cases;
}

TEST(SemverTable, MatchesNodeSemver) {
  const std::vector<SemverCase> cases = load_cases();
  ASSERT_GE(cases.size(), 1000u) << "cannot read " << kCasesPath;
  int failures = 0;
  for (const SemverCase& c : cases) {
    const bool sat = satisfies(c.version, c.range, false);
    const bool sat_pre = satisfies(c.version, c.range, true);
    const bool valid = is_valid_range(c.range);
    if (sat == c.satisfies && sat_pre == c.satisfies_include_prerelease && valid == c.range_valid) continue;
    if (++failures > 50) continue;  // enough to see the pattern
    ADD_FAILURE() << "semver_cases.tsv:" << c.line << ": version \"" << c.version_text << "\" range \""
                  << c.range_text << "\"\n  node-semver: satisfies=" << c.satisfies
                  << " include_prerelease=" << c.satisfies_include_prerelease << " valid=" << c.range_valid
                  << "\n  lockcut:     satisfies=" << sat << " include_prerelease=" << sat_pre
                  << " valid=" << valid;
  }
  EXPECT_EQ(failures, 0) << "of " << cases.size() << " rows";
}

// ---- parse_version ---------------------------------------------------------

void expect_version(std::string_view text, uint64_t major, uint64_t minor, uint64_t patch,
                    std::string_view prerelease) {
  const std::optional<Version> v = parse_version(text);
  ASSERT_TRUE(v.has_value()) << "'" << text << "'";
  EXPECT_EQ(v->major, major) << "'" << text << "'";
  EXPECT_EQ(v->minor, minor) << "'" << text << "'";
  EXPECT_EQ(v->patch, patch) << "'" << text << "'";
  EXPECT_EQ(v->prerelease, prerelease) << "'" << text << "'";
}

TEST(ParseVersion, PlainAndLooseForms) {
  expect_version("1.2.3", 1, 2, 3, "");
  expect_version("0.0.0", 0, 0, 0, "");
  expect_version("v1.2.3-beta.1+build.5", 1, 2, 3, "beta.1");
  expect_version(" =v1.2.3 ", 1, 2, 3, "");
  expect_version("=v=v 1.2.3", 1, 2, 3, "");
  expect_version("01.002.0003", 1, 2, 3, "");
  expect_version("1.2.3beta", 1, 2, 3, "beta");        // loose: no hyphen needed
  expect_version("1.2.3--x", 1, 2, 3, "-x");
  expect_version("1.2.3-", 1, 2, 3, "-");               // the hyphen becomes the identifier
  expect_version("1.2.34.5", 1, 2, 3, "4.5");           // the regex backtracks into the patch
  expect_version("9007199254740991.0.0", 9007199254740991ULL, 0, 0, "");
  expect_version("\xc2\xa0" "1.2.3\xe3\x80\x80", 1, 2, 3, "");  // U+00A0, U+3000 trimmed
}

TEST(ParseVersion, PrereleaseIsAViewIntoTheText) {
  const std::string text = "2.0.0-rc.1+sha";
  const std::optional<Version> v = parse_version(text);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->prerelease.data(), text.data() + 6);
  EXPECT_EQ(v->prerelease.size(), 4u);
}

TEST(ParseVersion, RejectsWhatNodeSemverRejects) {
  for (const char* bad : {"", " ", "1", "1.2", "1.2.3.4", "a.b.c", "V1.2.3", "1.2.3-beta..1", "1.2.3+",
                          "1.2.3-a+b+c", "1 .2.3", "9007199254740992.0.0", "1.99999999999999999999.0",
                          "1.2.3\xe2\x80\x8b", "latest"}) {
    EXPECT_FALSE(parse_version(bad).has_value()) << "'" << bad << "'";
  }
  // MAX_LENGTH counts UTF-16 units before trimming.
  EXPECT_TRUE(parse_version(std::string(251, ' ') + "1.2.3").has_value());
  EXPECT_FALSE(parse_version(std::string(252, ' ') + "1.2.3").has_value());
}

// ---- compare_versions ------------------------------------------------------

int compare(std::string_view a, std::string_view b) {
  const std::optional<Version> x = parse_version(a), y = parse_version(b);
  if (!x || !y) {
    ADD_FAILURE() << "unparsable '" << a << "' or '" << b << "'";
    return 99;
  }
  const int c = compare_versions(*x, *y);
  return (c > 0) - (c < 0);
}

TEST(CompareVersions, FollowsSemverPrecedence) {
  // semver.org §11's example chain, then the main triple.
  const std::vector<const char*> order = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                          "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
                                          "1.0.1", "1.1.0", "1.10.0", "2.0.0", "10.0.0"};
  for (size_t i = 0; i < order.size(); ++i) {
    for (size_t j = 0; j < order.size(); ++j) {
      EXPECT_EQ(compare(order[i], order[j]), i < j ? -1 : (i > j ? 1 : 0)) << order[i] << " vs " << order[j];
    }
  }
}

TEST(CompareVersions, NodeSemverDetails) {
  EXPECT_EQ(compare("1.0.0-1", "1.0.0-a"), -1);      // numeric identifiers sort first
  EXPECT_EQ(compare("1.0.0-2", "1.0.0-10"), -1);     // and numerically
  EXPECT_EQ(compare("1.0.0-a-b", "1.0.0-a"), 1);     // alphanumerics by ASCII
  EXPECT_EQ(compare("1.0.0-B", "1.0.0-a"), -1);
  EXPECT_EQ(compare("1.0.0-01", "1.0.0-1"), 0);      // loose: leading zeros are dropped
  EXPECT_EQ(compare("1.0.0+a", "1.0.0+b"), 0);       // build metadata is ignored
  EXPECT_EQ(compare("1.0.0-9007199254740990", "1.0.0-9007199254740989"), 1);
  // Identifiers from MAX_SAFE_INTEGER up compare as doubles, and an equal
  // pair ends the comparison (semver.compare(a, b, true) === 0 for both).
  EXPECT_EQ(compare("1.0.0-9007199254740993", "1.0.0-9007199254740992"), 0);
  EXPECT_EQ(compare("1.0.0-9007199254740993.a", "1.0.0-09007199254740993.b"), 0);
  EXPECT_EQ(compare("1.0.0-99999999999999999999", "1.0.0-9007199254740992"), 1);
}

// ---- satisfies / is_valid_range: a few readable anchors --------------------

TEST(Satisfies, CommonRanges) {
  EXPECT_TRUE(satisfies("1.5.0", "^1.2.3"));
  EXPECT_FALSE(satisfies("2.0.0", "^1.2.3"));
  EXPECT_TRUE(satisfies("0.2.9", "^0.2.3"));
  EXPECT_FALSE(satisfies("0.3.0", "^0.2.3"));
  EXPECT_FALSE(satisfies("0.0.4", "^0.0.3"));
  EXPECT_TRUE(satisfies("1.2.9", "~1.2.3"));
  EXPECT_TRUE(satisfies("2.6.0", "1.x || >=2.5.0"));
  EXPECT_TRUE(satisfies("2.3.4", "1.2.3 - 2.3.4"));
  EXPECT_TRUE(satisfies("1.2.3", ">= 1.2.3 < 2"));
  EXPECT_FALSE(satisfies("1.2.4-beta", "^1.2.3"));           // prereleases need a matching tuple
  EXPECT_TRUE(satisfies("1.2.3-beta.3", "^1.2.3-beta.2"));
  EXPECT_TRUE(satisfies("1.2.4-beta", "^1.2.3", true));
  EXPECT_TRUE(satisfies("3.0.0", ""));
  EXPECT_FALSE(satisfies("3.0.0-rc.1", "*"));
  EXPECT_TRUE(satisfies("3.0.0-rc.1", "*", true));
  EXPECT_FALSE(satisfies("1.2.3-beta", "* || 1.2.3-beta"));  // a `*` set swallows the range
  EXPECT_TRUE(satisfies("9.9.9", "1.2.3 ||"));               // an empty set is `*`
  EXPECT_FALSE(satisfies("not-a-version", "*"));
  EXPECT_FALSE(satisfies("1.2.3", "latest"));
}

TEST(IsValidRange, SpecsThatAreNotRanges) {
  for (const char* ok : {"*", "", "1.x || >=2.5.0", "^1.2.3 latest", "1.2.3 || latest", ">= 1.0.0"}) {
    EXPECT_TRUE(is_valid_range(ok)) << "'" << ok << "'";
  }
  for (const char* bad : {"latest", "github:x/y", "file:../a", "npm:foo@1", "x/y", ">=",
                          "1.2.3 || >=99999999999999999999"}) {
    EXPECT_FALSE(is_valid_range(bad)) << "'" << bad << "'";
  }
}

// ---- robustness ------------------------------------------------------------

TEST(Semver, ArbitraryInputNeverCrashes) {
  std::mt19937 rng(20240611);
  const std::string_view alphabet = " .-+|*xXv=<>^~0123456789abz";
  const auto random_text = [&](size_t max_len) {
    std::string s(rng() % (max_len + 1), ' ');
    for (char& c : s) {
      c = rng() % 5 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    }
    return s;
  };
  for (int i = 0; i < 10000; ++i) {
    const std::string a = random_text(48), b = random_text(48);
    const bool sat = satisfies(a, b, i % 2 == 0);
    if (sat) {  // whatever matched must have parsed
      EXPECT_TRUE(is_valid_range(b) || i % 2 == 0) << "'" << a << "' '" << b << "'";
      EXPECT_TRUE(parse_version(a).has_value()) << "'" << a << "'";
    }
    if (const std::optional<Version> v = parse_version(a)) {
      EXPECT_EQ(compare_versions(*v, *v), 0) << "'" << a << "'";
    }
  }
  // Long inputs: digit runs past the regexes' bounds, many comparators, a
  // run of `v`s that a naive backtracker would take quadratic time over.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "^1.2." + std::to_string(i) + "-a.b+c ";
  const std::vector<std::string> long_inputs = {
      std::string(5000, '9'), "1.2." + std::string(5000, '9'), "1.2.3-" + std::string(5000, 'a'),
      std::string(10000, 'v'), std::string(10000, '|'), std::string(10000, ' ') + "1.2.3", many,
      many + "|| 1.2.3 - " + std::string(3000, '1'), std::string(4000, '-') + " - " + std::string(4000, '.')};
  for (const std::string& s : long_inputs) {
    satisfies("1.2.3", s, false);
    satisfies("1.2.3", s, true);
    satisfies(s, "*", true);
    is_valid_range(s);
    parse_version(s);
  }
}

}  // namespace
}  // namespace lockcut::test
