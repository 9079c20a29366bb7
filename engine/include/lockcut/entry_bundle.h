// entry_bundle.h: the registry packages' records of one pack, kept together
// in one file, so a warm pack reads one file instead of one per package.
//
// A warm zip of a 5,000-package project loaded 1,926 records: an open,
// fstat, read and close each, 14% of the run's CPU. The records of registry
// packages (EntryCache::by_identity) change only when an install does, so
// the zip writer also keeps them, in the order it needs them, in
// `entries/bundles/<sha256 of their keys>.bundle`, and maps that one file
// on the next run of the same selection. The bundle is named by the keys
// it holds, so another selection (another target, another function of a
// monorepo) has a bundle of its own and none is ever rewritten for another.
// The records inside are the records' own sealed bytes, each checked when
// it is parsed (EntryCache::parse), and each says its key: a bundle that
// is damaged, truncated or misnamed is removed and the per-package records
// are read instead, never shipped. The per-package records stay the store
// every selection shares; a bundle is only a faster way to read them, and
// is written again whenever one of its records was (a package changed) or
// it was missing.
//
// The file, little-endian: "LCZB" u32 version, u32 count, count x u64 record
// size, u32 crc32 of those header bytes, then the records back to back.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lockcut/result.h"

namespace lockcut {

class EntryBundle {
 public:
  /// The bundle of the records for `keys` (EntryCache::key, in the order
  /// given) in the entry cache at `dir`.
  EntryBundle(const std::string& dir, const std::vector<std::string>& keys);

  /// Maps the bundle: false when there is none, or it was damaged (then it
  /// is removed, and damaged() says so).
  bool load();

  /// Whether load() found the bundle damaged (cut short, another format).
  bool damaged() const { return damaged_; }

  /// The sealed bytes of record `i` (of the keys given), empty when the
  /// bundle is not loaded; readable while `hold()` (or a copy) lives.
  std::span<const uint8_t> record(size_t i) const;
  const std::shared_ptr<const void>& hold() const { return hold_; }

  /// Writes the bundle of `records` (sealed, one per key, in the keys'
  /// order) atomically.
  Status store(const std::vector<std::span<const uint8_t>>& records) const;

  /// Removes the bundle (one of its records was damaged).
  void remove() const;

  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
  size_t count_ = 0;
  bool damaged_ = false;
  std::shared_ptr<const void> hold_;
  std::vector<std::span<const uint8_t>> records_;
};

}  // namespace lockcut
