// closure_hash.h: one key for what `lockcut pack` would ship.
//
// CI packs only when the key changes (`lockcut hash`). The key is a sha256
// over: the format version below, the resolved target (os, cpu, libc, Lambda
// runtime), the pack options that change the output (prefix, own files,
// `.bin`, stripped prebuilds), each shipped package in output-location order
// with its name, version and content identity, and the project's own files
// (npm's packing rules) with their content. It reads the lockfile and the
// files in the repository only, never node_modules, so it can run before
// `npm ci`.
//
// A package's content identity is, in order: the lockfile `integrity`; for a
// link to a folder (workspace, `file:`), its packed files' paths, executable
// bits and sha256; for a package bundled in another one, the bundler (whose
// integrity covers it); else the lockfile `resolved` (a git dependency's
// `#<commit>`). What install scripts write is not hashed: it follows from
// the packages and the target, which are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/result.h"

namespace lockcut {

/// Bumped whenever lockcut's output for the same inputs changes (zip layout,
/// plan rules), so old keys stop matching.
inline constexpr int kClosureHashFormat = 1;

/// The pack options that change the output (PlanOptions' counterparts).
struct HashOptions {
  std::string prefix;             ///< "nodejs" for --layer
  bool own_files = true;          ///< the project's own files are shipped
  bool bin = false;               ///< `.bin` links are rebuilt
  bool strip_foreign_prebuilds = false;
};

/// One hashed file: a packed file of the project or of a linked folder.
struct HashedFile {
  std::string path;         ///< relative to its package, '/'-separated
  bool executable = false;  ///< owner-executable (the only mode bit git keeps)
  std::string sha256;       ///< hex of the content (a symlink: of its text)
};

/// What identifies a shipped package's content.
enum class ContentKind : uint8_t { integrity, files, bundled, resolved };

/// "integrity", "files", "bundledIn" or "resolved": the JSON field name.
std::string_view content_kind_name(ContentKind kind);

/// One shipped package as hashed.
struct HashedPackage {
  std::string location;  ///< output location (PlanPackage::dest without the prefix)
  std::string name, version;
  ContentKind kind = ContentKind::integrity;
  std::string content;   ///< integrity, bundler location or resolved; empty for files
  std::vector<HashedFile> files;  ///< ContentKind::files
};

/// The key and every part it covers.
struct ClosureHash {
  std::string key;  ///< "lockcut-1:<sha256 hex>"
  std::string os, cpu, libc, runtime;  ///< the resolved target; runtime may be empty
  HashOptions options;
  std::vector<HashedPackage> packages;  ///< by location, byte-wise
  std::vector<HashedFile> own_files;    ///< by path; empty without own files
};

/// Hashes what `pack` would ship for the analysis' selection. Fails when a
/// linked folder or an own file cannot be read, and when a shipped package
/// has nothing that identifies its content (no integrity, no resolved).
Result<ClosureHash> closure_hash(const Analysis& analysis, const HashOptions& options);

}  // namespace lockcut
