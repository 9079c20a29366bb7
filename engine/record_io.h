// record_io.h: the little-endian records lockcut keeps in its cache (zip
// entries, folder listings), private to the engine.
//
// Both caches write a whole file under a temporary name and rename it into
// place, so a reader sees a complete record or none, and end every record
// with the CRC-32 of what comes before it, so a damaged one is found on
// the next read instead of being believed. CRC-32 is what zip itself
// trusts for its members; libdeflate computes it with carry-less multiply
// at several GB/s, where a SHA-256 of every record was a tenth of a warm
// pack (a cache is not a defence against someone who can write it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/result.h"

namespace lockcut::detail {

/// Appends little-endian fields.
struct RecordWriter {
  std::vector<uint8_t> bytes;
  void u8(uint8_t v) { bytes.push_back(v); }
  void u16(uint16_t v) { bytes.push_back(uint8_t(v)); bytes.push_back(uint8_t(v >> 8)); }
  void u32(uint32_t v) { u16(uint16_t(v)); u16(uint16_t(v >> 16)); }
  void u64(uint64_t v) { u32(uint32_t(v)); u32(uint32_t(v >> 32)); }
  void raw(const void* p, size_t n) {
    bytes.insert(bytes.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  }
  /// A string as u32 size, bytes.
  void str(std::string_view s) { u32(uint32_t(s.size())); raw(s.data(), s.size()); }
  /// Appends the CRC-32 of everything written so far.
  void seal();
};

/// Bounds-checked reads; `ok` turns false at the first overrun and stays so.
struct RecordReader {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  bool need(size_t n) { return ok = ok && size_t(end - p) >= n; }
  uint64_t le(size_t n) {
    if (!need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    p += n;
    return v;
  }
  std::string_view view(size_t n) {
    if (!need(n)) return {};
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
  /// A string written by RecordWriter::str.
  std::string_view str() { return view(le(4)); }
};

/// A file mapped read-only; it stays mapped while a copy of `hold` lives.
struct MappedFile {
  std::shared_ptr<const void> hold;
  std::span<const uint8_t> bytes;
};

/// The whole file at `path`: a large one mapped with its pages read in at
/// once (cheaper than reading it into fresh memory, which the kernel must
/// clear first), a small one read; nullopt when it cannot be opened.
std::optional<MappedFile> map_file(const std::string& path);

/// The body of a sealed record (without its CRC-32), or nullopt when the
/// record is too short or its checksum does not match.
std::optional<std::span<const uint8_t>> unseal(std::span<const uint8_t> record);

/// A cache file's name for a file that holds its whole `key`: 16 hex digits
/// of the key's FNV-1a. Names that collide only cost a rebuild, as the
/// reader compares the key it finds; a SHA-256 here would make a warm pack
/// load and initialise OpenSSL (about a millisecond) before its first stat.
std::string key_name(std::string_view key);

/// Writes `bytes` to `dest` through a uniquely named file in `tmp_dir`
/// (created when missing) and a rename.
Status write_file_atomically(const std::string& dest, const std::string& tmp_dir,
                             std::span<const uint8_t> bytes);

/// The same for a file made of `parts` in order, written as they are
/// (a bundle of records is not copied into one buffer first).
Status write_file_atomically(const std::string& dest, const std::string& tmp_dir,
                             std::span<const std::span<const uint8_t>> parts);

}  // namespace lockcut::detail
