// sync.h: a plan written over a previous output folder, touching only what
// changed (`pack --out DIR --sync`).
//
// The folder keeps a manifest, `.lockcut-sync.json`, of what lockcut wrote:
// for each file its source's size, mtime and mode and the written file's
// size and mtime. A file whose source and copy both still match it is left
// alone; one whose metadata moved but whose bytes are the same as the
// source's is left alone too (compared byte for byte); any other is written
// under a temporary name in its own folder and renamed over the old one, so
// each file changes atomically. Files and symlinks the plan no longer has
// are removed, then folders left empty. Nothing outside the folder is
// touched: symlinks in the old output are never followed, and a folder the
// plan needs where the output has a symlink is made a real folder. A folder
// without the manifest is refused (it may not be lockcut's) unless `adopt`.
#pragma once

#include <cstdint>
#include <string>

#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// The manifest's name, at the top of the output folder.
inline constexpr const char* kSyncManifest = ".lockcut-sync.json";

/// How to sync.
struct SyncOptions {
  bool adopt = false;  ///< sync a folder that has no manifest (--force)
};

/// What the sync did, by file and symlink.
struct SyncStats {
  uint64_t added = 0;
  uint64_t changed = 0;
  uint64_t removed = 0;
  uint64_t unchanged = 0;
  uint64_t files = 0;  ///< the plan's files
  uint64_t links = 0;  ///< the plan's symlinks
  uint64_t bytes = 0;  ///< the plan's file bytes
};

/// Makes the folder `dest` hold exactly the plan (creating it when
/// missing), changing only what differs.
Result<SyncStats> sync_folder(const PackPlan& plan, const std::string& dest,
                              const SyncOptions& options);

}  // namespace lockcut
