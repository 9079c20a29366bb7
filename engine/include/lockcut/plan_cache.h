// plan_cache.h: what `pack` takes from an analysis, kept between runs.
//
// A warm pack of a large project spent a fifth of its time reading the
// lockfile again, building the graph, classifying, selecting and placing
// the packages, to get the answer of the run before. PlanCache keeps that
// answer (PackInput: the placement and the native target) and gives it
// back only while everything it came from is the same:
// - the key: lockcut's build and command line (the caller's part), the
//   cache format, and settings_fingerprint() (the options, every npm
//   setting, this machine's platform);
// - the lockfile: found where npm finds it, the same file (inode, size,
//   mtime, ctime), last changed long enough before it was read to be
//   trusted (file_time.h);
// - every package.json the analysis looked for (Project::manifest_inputs):
//   the same JSON, whitespace aside, or still none. Whitespace is set aside
//   because the root package.json is one of the project's own files: it
//   changes with the code (and is shipped fresh on every run), but only
//   its content decides the analysis;
// - the workspace globs: the same folders on disk.
// - node and npm on PATH, when the analysis needed their versions (the
//   engines of optional packages): the same versions.
// An analysis that has anything to say (notes, stale flags, an out-of-sync
// lockfile) or that needs packages from tarballs is not kept: the first
// would go unsaid, the second depends on more than these files.
// The file is written whole and renamed into place, sealed with a CRC-32;
// a damaged one is removed and the project analysed again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lockcut/analysis.h"
#include "lockcut/native_check.h"
#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// What `pack` takes from an analysis.
struct PackInput {
  Placement placement;
  NativeTarget target;
};

/// One kept PackInput per key, under a cache folder.
class PlanCache {
 public:
  /// `dir`: the cache folder; `key`: what the analysis depended on besides
  /// `options` and the files (lockcut's build, the command line).
  PlanCache(std::string dir, const std::string& key, const AnalysisOptions& options);

  /// The kept input, when every file it was made from is as it was.
  std::optional<PackInput> load() const;

  /// Whether an analysis may be kept (see the top of this file).
  static bool keepable(const Analysis& analysis);

  /// Keeps `input`, made by `analysis`, whose reading started at `read_ns`
  /// (wall_clock_ns()). Does nothing for an analysis that is not keepable.
  Status store(const PackInput& input, const Analysis& analysis, uint64_t read_ns) const;

  const std::string& path() const { return path_; }

  /// `<lockcut's cache>/plans`; "" when there is no cache folder.
  static std::string default_dir();

 private:
  std::string dir_, path_, key_;
  AnalysisOptions options_;
};

}  // namespace lockcut
