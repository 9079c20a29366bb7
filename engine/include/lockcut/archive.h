// archive.h: a plan written out as a deterministic zip or tar.
//
// The same plan gives the same bytes on any machine, any day and any thread
// count: entries in byte-wise path order with a folder entry before its
// contents, one fixed timestamp (SOURCE_DATE_EPOCH when set, else
// 1980-01-01, the earliest a zip can say), modes normalised to 0644 / 0755
// (0755 when any execute bit is set), owner 0. Zips are made by "Unix"
// (version 3.0) so Lambda keeps the execute bits, need version 2.0 (no
// ZIP64, which Lambda intermittently rejects), carry no extra fields, and
// have sizes and CRC in each local header. Workers read and deflate files
// in parallel; one writer emits them in order (STYLE.md). Tar files are
// POSIX (pax when a name needs it) via libarchive, gzip-compressed when the
// name ends in .gz or .tgz.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lockcut/copy.h"
#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// Which container.
enum class ArchiveFormat : uint8_t { zip, tar };

/// How to write.
struct ArchiveOptions {
  ArchiveFormat format = ArchiveFormat::zip;
  /// Seconds since the epoch for every entry; zips clamp it to 1980-01-01.
  int64_t mtime = 315532800;
  int level = 6;         ///< deflate level (zip)
  bool replace = false;  ///< replace an existing output (--force)
  /// Zips: the entry cache's folder (entry_cache.h); "" to compress every
  /// file and leave no record.
  std::string entry_cache;
  /// With the cache: trust a cached member only when the source's content
  /// hash matches, not on size, mtime and mode alone.
  bool verify = false;
  std::atomic<uint64_t>* progress = nullptr;  ///< files done
};

/// The entry timestamp: SOURCE_DATE_EPOCH when set and valid, else
/// 1980-01-01T00:00:00Z.
int64_t archive_mtime_from_env();

/// The archive's mode for an entry: 0644, or 0755 when any x bit is set.
uint32_t normalized_mode(uint32_t mode);

/// Whether a tar can be written: lockcut opens libarchive only for tar, so
/// a pack asks before it plans, and a missing library is said before any
/// work instead of after it.
Status check_tar_support();

/// Writes the plan as an archive at `dest`, atomically.
Result<WriteStats> write_archive(const PackPlan& plan, const std::string& dest,
                                 const ArchiveOptions& options);

/// Lambda's limits for a function package.
inline constexpr uint64_t kLambdaZippedLimit = 52428800;     ///< direct upload
inline constexpr uint64_t kLambdaUnzippedLimit = 262144000;  ///< function + layers

/// Warnings when the package passes Lambda's limits.
std::vector<std::string> lambda_limit_warnings(uint64_t unzipped, std::optional<uint64_t> zipped,
                                               uint64_t entries);

}  // namespace lockcut
