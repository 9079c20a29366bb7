// closure_diff.h: what changed in the shipped closure between two states.
//
// `lockcut diff OLD NEW` compares the packages two states would ship, by
// output location: added, removed, changed (name, version or integrity),
// with their sizes when known. A state is one of:
// - a project folder or a lockfile: analysed as `pack` would, sizes from
//   the installed tree when node_modules matches the lockfile (what `pack`
//   would write for each package), else unknown;
// - a zip written by `lockcut pack`: its central directory grouped by
//   package folder (`node_modules/<name>`, `node_modules/@scope/<name>`, a
//   nested `/node_modules/` starting another one), each version read from
//   the package.json inside; sizes uncompressed and compressed; no
//   integrity;
// - `git:REV[:DIR]`: the lockfile and every package.json of the project DIR
//   (default: the current folder) at revision REV, read with `git show`
//   into a temporary folder and analysed there (no sizes).
// The project's own files are not compared: `hash` covers them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/result.h"

namespace lockcut {

/// What a `diff` argument names.
enum class StateKind : uint8_t { project, lockfile, zip, git };

/// "project", "lockfile", "zip" or "git".
std::string_view state_kind_name(StateKind kind);

/// A parsed `diff` argument.
struct StateSpec {
  StateKind kind = StateKind::project;
  std::string path;  ///< folder, lockfile or zip; git: the project folder (default ".")
  std::string rev;   ///< git only
};

/// Reads `git:REV[:DIR]`, a path ending in `.zip`, a file (a lockfile) or a
/// folder. Fails when the path does not exist or a git revision is empty or
/// starts with `-`.
Result<StateSpec> parse_state(std::string_view arg);

/// One shipped package of a state.
struct ClosurePackage {
  std::string location;   ///< output location (`node_modules/@s/x`, under links as pack puts them)
  std::string name, version;
  std::string integrity;  ///< empty when unknown (zips, folders)
  std::optional<uint64_t> bytes;       ///< its files' sizes, uncompressed
  std::optional<uint64_t> compressed;  ///< their compressed sizes (zips)
};

/// The shipped packages of a state, by location (byte-wise).
struct Closure {
  std::vector<ClosurePackage> packages;
  std::vector<std::string> notes;  ///< why sizes are unknown, and such
};

/// The closure of an analysis; sizes from make_plan when the project has a
/// node_modules that matches the lockfile (else a note says why not).
Result<Closure> closure_of_analysis(const Analysis& analysis);

/// The closure in a zip written by `lockcut pack` (a layer's `nodejs/`
/// prefix is dropped). Fails on a file that is not such a zip.
Result<Closure> closure_of_zip(const std::string& path);

/// The lockfile and package.json files of a project at a git revision,
/// written into a temporary folder that lives as long as this value.
class GitSnapshot {
 public:
  /// Runs `git ls-tree` and `git show` in the current folder.
  static Result<GitSnapshot> take(const std::string& rev, const std::string& dir);
  GitSnapshot(GitSnapshot&&) noexcept;
  GitSnapshot& operator=(GitSnapshot&&) = delete;
  GitSnapshot(const GitSnapshot&) = delete;
  ~GitSnapshot();
  /// The temporary project folder.
  const std::string& dir() const { return dir_; }

 private:
  GitSnapshot() = default;
  std::string dir_;
};

/// How a package changed.
enum class Change : uint8_t { added, removed, changed };

/// One difference.
struct PackageChange {
  Change change = Change::changed;
  std::string location;
  std::string old_name, new_name, old_version, new_version;  ///< empty on the missing side
  std::string old_integrity, new_integrity;
  std::optional<uint64_t> old_bytes, new_bytes;
};

/// The differences, by location, and the totals.
struct ClosureDiff {
  std::vector<PackageChange> changes;
  size_t added = 0, removed = 0, changed = 0;
  size_t old_packages = 0, new_packages = 0;
  std::optional<uint64_t> old_bytes, new_bytes;            ///< all packages, when every size is known
  std::optional<uint64_t> old_compressed, new_compressed;  ///< the same, compressed
};

/// Compares two closures. A package changed when its name or version
/// differs, or its integrity when both sides know it.
ClosureDiff diff_closures(const Closure& old_state, const Closure& new_state);

}  // namespace lockcut
