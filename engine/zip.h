// zip.h: the zip container (private to the engine; archive.h is the API).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lockcut/archive.h"

namespace lockcut::detail {

/// One archive member in output order: a folder (trailing '/') or an entry.
/// `name` points into the plan: an entry's `dest`, or for a folder the
/// prefix of the first `dest` under it, so the plan must outlive the items.
struct ArchiveItem {
  std::string_view name;
  const PlanEntry* entry = nullptr;  ///< nullptr for folders
};

/// Plan entries plus their folders, in output order.
std::vector<ArchiveItem> archive_items(const PackPlan& plan);

/// Writes the plan as a zip (its archive_items()) to the open file
/// descriptor `fd` (`path` for messages), through the entry cache when the
/// options name one; returns the bytes written and counts what it read,
/// compressed and reused in `stats`.
Result<uint64_t> write_zip(int fd, const std::string& path, const PackPlan& plan,
                           const ArchiveOptions& options, WriteStats& stats);

}  // namespace lockcut::detail
