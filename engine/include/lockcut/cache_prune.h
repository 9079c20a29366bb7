// cache_prune.h: what lockcut's cache folder holds, and removing what no
// run has used for a while.
//
// Every part of the cache is rebuilt on demand (a missing record is a cold
// pack of that package, a missing tarball a download or a read of npm's
// cache), so the only cost of removing too much is time; but nothing in
// the cache ever goes away by itself, and a CI cache that is saved and
// restored on every run grows with every dependency ever upgraded. A run
// that reads a record, snapshot, kept analysis or tarball updates its
// access time (the kernel does, at most once a day under the default
// `relatime`), and one that uses an unpacked package touches its folder
// (provision.cc): that is the "last used" pruning goes by. On a filesystem
// mounted `noatime` the last use is when the item was written, so pruning
// removes items in use too, and the next run rebuilds them.
//
// Only names lockcut writes are counted or removed, each checked against
// its exact pattern (`entries/<2 hex>/<62 hex>.rec`, ...), never following
// a symlink: pointed at the wrong folder, `prune_cache` removes nothing of
// it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/result.h"

namespace lockcut {

/// One kind of thing lockcut keeps in its cache folder.
enum class CacheKind : uint8_t {
  entries,    ///< `entries/`: compressed zip members, one record per package, and bundles of them
  trees,      ///< `trees/`: folder listings, one snapshot per project
  plans,      ///< `plans/`: what pack took from an analysis, per project and command line
  tarballs,   ///< `<algo>/`: verified tarballs, by integrity
  unpacked,   ///< `unpacked/`: those tarballs unpacked, one folder each
  temporary,  ///< what a run was writing: `*.part` files, `.<hex>.lockcut-*` unpack folders
};

/// "entries", "trees", "plans", "tarballs", "unpacked", "temporary".
std::string_view cache_kind_name(CacheKind kind);

/// What the cache holds of one kind after pruning, and what was removed.
struct CachePart {
  CacheKind kind = CacheKind::entries;
  uint64_t items = 0, bytes = 0;                  ///< kept
  uint64_t removed_items = 0, removed_bytes = 0;  ///< removed
};

/// What prune_cache removes.
struct PruneOptions {
  /// Remove items last used longer ago than this many seconds; negative:
  /// remove nothing, only count.
  int64_t unused_for_s = -1;
  /// The time to measure from, in seconds since the epoch (0: now).
  int64_t now_s = 0;
};

/// A temporary file or folder is removed only once it is at least this old,
/// however small `unused_for_s` is: a running lockcut may still be writing it.
inline constexpr int64_t kTemporaryGraceS = 3600;

/// Counts what `dir` holds, one CachePart per kind in CacheKind's order,
/// and removes what went unused for `options.unused_for_s`. A folder that
/// does not exist holds nothing. Fails (a system error naming the path)
/// when something cannot be read or removed; what was removed by then
/// stays removed.
Result<std::vector<CachePart>> prune_cache(const std::string& dir, const PruneOptions& options);

/// Marks an unpacked package folder used now (its access time), so
/// prune_cache keeps it; errors are ignored (pruning only goes by it).
void touch_cache_folder(const std::string& folder);

}  // namespace lockcut
