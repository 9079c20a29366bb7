// lockfile.h: finding and reading package-lock.json / npm-shrinkwrap.json.
//
// The first stage of the pipeline (lockfile -> graph -> classification ->
// selection). It turns the lockfile into one LockEntry per `packages`
// location, exactly as arborist's Shrinkwrap does: v2 and v3 files are read
// from `packages` (the legacy `dependencies` tree of v2 is ignored), v1 files
// are converted from their nested `dependencies` tree (shrinkwrap.js
// `#loadAll`, `#metaFromLock`, `#fixDependencies`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lockcut/manifest.h"
#include "lockcut/result.h"

namespace lockcut {

/// Which file the lockfile came from.
enum class LockfileKind : uint8_t { package_lock, shrinkwrap, other };

/// One `packages` entry: its location ("" for the root, "node_modules/a",
/// "packages/x", "../ext") and its metadata.
struct LockEntry {
  std::string_view location;
  Manifest pkg;
};

/// A parsed lockfile. Views point into the ManifestStore it was loaded with.
struct Lockfile {
  std::string path;             ///< the file read
  LockfileKind kind = LockfileKind::package_lock;
  int version = 0;              ///< `lockfileVersion` as written (0 if absent)
  bool from_v1_tree = false;    ///< entries were converted from `dependencies`
  bool ancient = false;         ///< v1 without `requires: true` (npm: ancientLockfile)
  size_t bytes = 0;             ///< size of the file
  std::vector<LockEntry> entries;  ///< entries[0] is always the root ""
};

/// The lockfile npm would use in `dir`: npm-shrinkwrap.json wins over
/// package-lock.json (arborist Shrinkwrap.load); an empty file counts as
/// absent. `override_path`, when not empty, is used as is.
Result<std::string> find_lockfile(const std::string& dir, const std::string& override_path);

/// Reads and parses the lockfile at `path`.
Result<Lockfile> load_lockfile(const std::string& path, ManifestStore& store);

/// Parses lockfile text already in memory (the text is kept by the store).
/// `name` is used in error messages.
Result<Lockfile> parse_lockfile(simdjson::padded_string text, const std::string& name,
                                ManifestStore& store);

}  // namespace lockcut
