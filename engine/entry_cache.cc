// entry_cache.cc: package records of compressed zip members (see
// entry_cache.h).
//
// A record is one file, little-endian:
//   "LCZR" u32 version, u32 key size, key, u32 count,
//   count x { u16 path size, path, u64 size, u64 mtime_ns, u32 mode,
//             u32 crc32, u16 method, u64 compressed size, sha256[32] },
//   the compressed bytes in table order,
//   u32 crc32 of everything before it (record_io.h).
// The key is stored too, so a record under the wrong name (a hash
// collision, a file copied by hand) is not believed. One file per package
// keeps the number of opens down to one per package on a warm run.
#include "lockcut/entry_cache.h"

#include <unistd.h>

#include <algorithm>

#include <libdeflate.h>
// SHA256_Init and friends are deprecated in OpenSSL 3 in favour of EVP
// (see sha256() below for why they are used)
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "lockcut/integrity.h"
#include "lockcut/tarball_store.h"
#include "record_io.h"

namespace lockcut {

namespace {

constexpr uint32_t kMagic = 0x525a434c;  // "LCZR"
constexpr uint32_t kVersion = 2;  // 2: CRC-32 seal

}  // namespace

Sha256 sha256(const void* data, size_t size) {
  // The block functions, not EVP: the first EVP digest loads OpenSSL 3's
  // default provider (0.85 ms, a fiftieth of a warm pack), where these are
  // the same assembly (SHA-NI where the CPU has it) with nothing to set up.
  // What is hashed here is a cache's names and contents, not a question of
  // trust, so a FIPS provider has nothing to say about it; tarball
  // integrity (integrity.cc) stays with EVP.
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, size);
  Sha256 d{};
  SHA256_Final(d.data(), &ctx);
  return d;
}

const CachedEntry* EntryRecord::find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const CachedEntry& e, std::string_view p) { return e.path < p; });
  return it != entries.end() && it->path == path ? &*it : nullptr;
}

const CachedEntry* EntryRecord::find(std::string_view path, size_t& hint) const {
  const CachedEntry* c =
      hint < entries.size() && entries[hint].path == path ? &entries[hint] : find(path);
  if (c) hint = size_t(c - entries.data()) + 1;
  return c;
}

std::string EntryCache::default_dir() {
  std::string root = TarballStore::default_dir();
  return root.empty() ? root : root + "/entries";
}

bool EntryCache::by_identity(const PlanPackage& p) {
  // a registry package is the same bytes wherever it is installed; anything
  // else is only known by where it is read from
  return (p.reason == PlanReason::package || p.reason == PlanReason::fetched) && !p.version.empty();
}

std::string EntryCache::key(const PlanPackage& p, int level, unsigned copy) {
  std::string k = "zip-entries v" + std::to_string(kVersion) + " libdeflate " +
                  LIBDEFLATE_VERSION_STRING + " level " + std::to_string(level) + "\n";
  if (by_identity(p)) {
    k += "npm:" + p.name + "@" + p.version + " " + p.integrity;
    return copy ? k + " copy " + std::to_string(copy) : k;
  }
  return k + "dir:" + p.source;
}

std::string EntryCache::path_for(const std::string& key) const {
  Sha256 d = sha256(key.data(), key.size());
  std::string hex = to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  return dir_ + "/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".rec";
}

RecordState EntryCache::load(const std::string& key, EntryRecord& out) const {
  out = EntryRecord{};
  std::string path = path_for(key);
  std::optional<detail::MappedFile> file = detail::map_file(path);
  if (!file) return RecordState::missing;
  RecordState state = parse(file->bytes, std::move(file->hold), key, out);
  // never read again: the next store puts a good one in its place
  if (state == RecordState::damaged) ::unlink(path.c_str());
  return state;
}

RecordState EntryCache::parse(std::span<const uint8_t> bytes, std::shared_ptr<const void> hold,
                              const std::string& key, EntryRecord& out) {
  out = EntryRecord{};
  auto damaged = [&] {
    out = EntryRecord{};
    return RecordState::damaged;
  };
  auto body = detail::unseal(bytes);
  if (!body) return damaged();
  detail::RecordReader r{body->data(), body->data() + body->size()};
  if (r.le(4) != kMagic || r.le(4) != kVersion) return damaged();
  if (r.view(r.le(4)) != key) return damaged();
  uint64_t count = r.le(4);
  if (count > body->size() / 64) return damaged();
  out.entries.resize(count);
  std::vector<uint64_t> sizes(count);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    CachedEntry& e = out.entries[i];
    e.path = r.view(r.le(2));
    e.size = r.le(8);
    e.mtime_ns = r.le(8);
    e.mode = uint32_t(r.le(4));
    e.crc32 = uint32_t(r.le(4));
    e.method = uint16_t(r.le(2));
    sizes[i] = r.le(8);
    std::string_view sha = r.view(32);
    if (r.ok) std::memcpy(e.sha256.data(), sha.data(), 32);
  }
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    std::string_view data = r.view(sizes[i]);
    out.entries[i].data = {reinterpret_cast<const uint8_t*>(data.data()), data.size()};
  }
  if (!r.ok || r.p != r.end) return damaged();
  for (size_t i = 1; i < out.entries.size(); ++i) {
    if (!(out.entries[i - 1].path < out.entries[i].path)) return damaged();
  }
  out.mapping = std::move(hold);
  out.sealed = bytes;
  return RecordState::found;
}

Status EntryCache::store(const std::string& key, std::vector<CachedEntry> entries,
                         std::vector<uint8_t>* sealed) const {
  std::sort(entries.begin(), entries.end(),
            [](const CachedEntry& a, const CachedEntry& b) { return a.path < b.path; });
  detail::RecordWriter w;
  size_t data = 0;
  for (const CachedEntry& e : entries) data += e.data.size() + e.path.size() + 64;
  w.bytes.reserve(key.size() + data + 64);
  w.u32(kMagic);
  w.u32(kVersion);
  w.u32(uint32_t(key.size()));
  w.raw(key.data(), key.size());
  w.u32(uint32_t(entries.size()));
  for (const CachedEntry& e : entries) {
    w.u16(uint16_t(e.path.size()));
    w.raw(e.path.data(), e.path.size());
    w.u64(e.size);
    w.u64(e.mtime_ns);
    w.u32(e.mode);
    w.u32(e.crc32);
    w.u16(e.method);
    w.u64(e.data.size());
    w.raw(e.sha256.data(), e.sha256.size());
  }
  for (const CachedEntry& e : entries) w.raw(e.data.data(), e.data.size());
  w.seal();
  Status s = detail::write_file_atomically(path_for(key), dir_ + "/tmp", w.bytes);
  if (s && sealed) *sealed = std::move(w.bytes);
  return s;
}

}  // namespace lockcut
