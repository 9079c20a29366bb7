// copy.h: a plan written out as a folder.
//
// Files are copied in parallel with the cheapest path the kernel offers: a
// reflink (FICLONE) where the filesystem shares blocks, else
// copy_file_range, else read/write; with `link` they are hard-linked to the
// installed files instead (same filesystem only). Folders are made first,
// in path order, so workers never race on a parent. The folder is written
// under a temporary name and renamed into place (output.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// How to write.
struct CopyOptions {
  bool link = false;     ///< hard-link files instead of copying them
  bool replace = false;  ///< replace an existing output (--force)
  std::atomic<uint64_t>* progress = nullptr;  ///< files done, for a progress line
};

/// What was written.
struct WriteStats {
  uint64_t files = 0;
  uint64_t links = 0;    ///< symlinks
  uint64_t bytes = 0;    ///< file bytes
  uint64_t output_bytes = 0;  ///< size of the archive (archives only)
  // zips with the entry cache (entry_cache.h)
  uint64_t files_read = 0;          ///< source files opened and read
  uint64_t entries_compressed = 0;  ///< files compressed from their source
  uint64_t entries_reused = 0;      ///< files copied compressed from the cache
  uint64_t cache_damaged = 0;       ///< damaged records found (and rebuilt)
  uint64_t bundle_records = 0;      ///< records read from the selection's bundle (entry_bundle.h)
  bool bundle_damaged = false;      ///< the bundle was damaged (removed; its records read one by one)
  std::string cache_problem;        ///< why a record could not be written ("" when all were)
};

/// What writing the plan writes: its file, link and byte totals.
inline WriteStats written(const PackPlan& plan) {
  WriteStats s;
  s.files = plan.files;
  s.links = plan.entries.size() - plan.files;
  s.bytes = plan.bytes;
  return s;
}

/// Writes the plan into the folder `dest`, atomically. Stops early with an
/// interrupted error when interrupt_flag() is set.
Result<WriteStats> write_folder(const PackPlan& plan, const std::string& dest,
                                const CopyOptions& options);

}  // namespace lockcut
