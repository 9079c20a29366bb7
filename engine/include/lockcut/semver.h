// semver.h: npm's version ranges (node-semver), the subset arborist uses.
//
// Edge validity (`dep-valid.js`) asks `semver.satisfies(version, range,
// {loose: true})`; engine checks (`npm-install-checks`) ask it with
// `includePrerelease`. Both are implemented here over string views, with no
// allocation on the common path, because the graph asks once per edge.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lockcut {

/// A parsed semantic version. Prerelease and build are views into the text it
/// was parsed from; only the prerelease takes part in comparisons.
struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string_view prerelease;  ///< without the leading '-', empty if none
};

/// Parses a version as node-semver does in loose mode: leading 'v' or '=' and
/// surrounding spaces allowed. Returns nullopt for anything else.
std::optional<Version> parse_version(std::string_view text);

/// Orders two versions by semver precedence: <0, 0 or >0.
int compare_versions(const Version& a, const Version& b);

/// node-semver `satisfies(version, range, {loose: true, includePrerelease})`.
/// Supports `||`, hyphen ranges, x-ranges (`1.x`, `*`, ``), `~`, `^`, and the
/// comparators `< <= > >= =`. An unparsable version or range gives false.
bool satisfies(std::string_view version, std::string_view range,
               bool include_prerelease = false);

/// True when `range` parses as a valid node-semver range (so a spec like
/// `latest` or `github:x/y` is not one).
bool is_valid_range(std::string_view range);

}  // namespace lockcut
