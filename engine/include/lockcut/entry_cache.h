// entry_cache.h: compressed zip members kept between runs, one record per
// package.
//
// Deflate is nearly all the cost of a zip, and between two CI runs almost
// every file is the same. So the zip writer keeps, per package, each file's
// compressed bytes with what they were made from (size, mtime, mode, the
// SHA-256 of the content) in `<cache>/entries/<hex[0:2]>/<hex[2:]>.rec`,
// named by the SHA-256 of the package's key. Next time a member is copied
// from the record when the source still has the same size, mtime and mode
// (or, with --verify or when only the mtime moved, the same content hash),
// and deflated afresh otherwise. A record ends with the CRC-32 of all its
// bytes, checked on every read: a damaged or truncated record is removed
// and rebuilt from the sources, never shipped. Records are written under a
// temporary name in `<cache>/entries/tmp/` and renamed into place, so a
// reader sees a whole record or none, and two processes sharing a cache
// rename identical bytes over each other.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// A SHA-256 digest.
using Sha256 = std::array<uint8_t, 32>;

/// SHA-256 of `size` bytes.
Sha256 sha256(const void* data, size_t size);

/// `mtime_ns` of a member whose source was written too recently to trust
/// its mtime (it could change again within the same clock tick): the next
/// run checks its content instead.
inline constexpr uint64_t kRacyMtime = UINT64_MAX;

/// One file of a package as a zip member: what it was made from and its
/// compressed bytes.
struct CachedEntry {
  std::string_view path;  ///< relative to the package's folder (not owned, like `data`)
  uint64_t size = 0;      ///< uncompressed bytes
  uint64_t mtime_ns = 0;  ///< the source's mtime, or kRacyMtime
  uint32_t mode = 0;      ///< the source's permission bits
  uint32_t crc32 = 0;     ///< of the uncompressed bytes, as the zip needs it
  uint16_t method = 0;    ///< 0 stored, 8 deflate
  Sha256 sha256{};        ///< of the uncompressed bytes
  std::span<const uint8_t> data;  ///< compressed bytes (not owned)
};

/// A package's members as read from the cache, sorted by path.
struct EntryRecord {
  std::vector<CachedEntry> entries;
  std::shared_ptr<const void> mapping;  ///< the record's bytes: the entries' data point into them
  std::span<const uint8_t> sealed;      ///< the whole record as stored, its seal included

  /// The member for `path`, or nullptr.
  const CachedEntry* find(std::string_view path) const;
  /// The same, looking first at entries[hint] and leaving `hint` after the
  /// member found: a zip asks for a package's members in the order they
  /// were stored, so most lookups are one comparison.
  const CachedEntry* find(std::string_view path, size_t& hint) const;
};

/// What a lookup found.
enum class RecordState : uint8_t { found, missing, damaged };

/// A folder of package records.
class EntryCache {
 public:
  /// A cache rooted at `dir` (created on the first write).
  explicit EntryCache(std::string dir) : dir_(std::move(dir)) {}

  /// `<TarballStore::default_dir()>/entries`; "" when there is no home.
  static std::string default_dir();

  /// The cache's folder.
  const std::string& dir() const { return dir_; }

  /// The key of a package's record: name, version and lockfile integrity
  /// for a registry package, the source folder for the project's own files,
  /// links and hidden folders; plus the deflate level and libdeflate's
  /// version, which decide the compressed bytes. `copy` numbers the second
  /// and later installs of one package in a plan: each install has its own
  /// mtimes, and sharing a record they would make each other's files be
  /// read again on every run.
  static std::string key(const PlanPackage& package, int level, unsigned copy = 0);

  /// Whether a package's record is keyed by what it is (a registry package:
  /// name, version, integrity) rather than by where it is read from. Such
  /// records change only when an install does; entry_bundle.h keeps them
  /// together.
  static bool by_identity(const PlanPackage& package);

  /// Reads the record for `key` into `out`. A record that fails its
  /// checksum or does not parse is removed and reported as damaged.
  RecordState load(const std::string& key, EntryRecord& out) const;

  /// Parses the sealed record `bytes` (kept readable by `hold`) for `key`
  /// into `out`: found, or damaged when it fails its checksum, does not
  /// parse or is for another key. Removes nothing.
  static RecordState parse(std::span<const uint8_t> bytes, std::shared_ptr<const void> hold,
                           const std::string& key, EntryRecord& out);

  /// Writes the record for `key` (entries in any order), atomically; its
  /// bytes into `sealed` when given.
  Status store(const std::string& key, std::vector<CachedEntry> entries,
               std::vector<uint8_t>* sealed = nullptr) const;

  /// Where the record for `key` lives (whether or not it is there).
  std::string path_for(const std::string& key) const;

 private:
  std::string dir_;
};

}  // namespace lockcut
