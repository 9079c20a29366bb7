// zip.h: the zip container (private to the engine; archive.h is the API).
#pragma once

#include <string>
#include <vector>

#include "lockcut/archive.h"

namespace lockcut::detail {

/// One archive member in output order: a folder (trailing '/') or an entry.
struct ArchiveItem {
  std::string name;
  const PlanEntry* entry = nullptr;  ///< nullptr for folders
};

/// Plan entries plus their folders, in output order.
std::vector<ArchiveItem> archive_items(const PackPlan& plan);

/// Writes the items as a zip to the open file descriptor `fd` (`path` for
/// messages); returns the bytes written.
Result<uint64_t> write_zip(int fd, const std::string& path, const std::vector<ArchiveItem>& items,
                           const ArchiveOptions& options);

}  // namespace lockcut::detail
