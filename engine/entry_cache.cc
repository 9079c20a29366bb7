// entry_cache.cc: package records of compressed zip members (see
// entry_cache.h).
//
// A record is one file, little-endian:
//   "LCZR" u32 version, u32 key size, key, u32 count,
//   count x { u16 path size, path, u64 size, u64 mtime_ns, u32 mode,
//             u32 crc32, u16 method, u64 compressed size, sha256[32] },
//   the compressed bytes in table order,
//   sha256[32] of everything before it.
// The key is stored too, so a record under the wrong name (a hash
// collision, a file copied by hand) is not believed. One file per package
// keeps the number of opens down to one per package on a warm run.
#include "lockcut/entry_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <libdeflate.h>
#include <openssl/evp.h>

#include "lockcut/integrity.h"
#include "lockcut/output.h"
#include "lockcut/tarball_store.h"

namespace lockcut {

namespace {

constexpr uint32_t kMagic = 0x525a434c;  // "LCZR"
constexpr uint32_t kVersion = 1;

struct Writer {
  std::vector<uint8_t> bytes;
  void u16(uint16_t v) { bytes.push_back(uint8_t(v)); bytes.push_back(uint8_t(v >> 8)); }
  void u32(uint32_t v) { u16(uint16_t(v)); u16(uint16_t(v >> 16)); }
  void u64(uint64_t v) { u32(uint32_t(v)); u32(uint32_t(v >> 32)); }
  void raw(const void* p, size_t n) {
    bytes.insert(bytes.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  }
};

// Bounds-checked reads; `ok` turns false at the first overrun and stays so.
struct Reader {
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
};

bool read_whole(const std::string& path, std::vector<uint8_t>& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) out.resize(size_t(st.st_size));
  size_t done = 0;
  while (ok && done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  ::close(fd);
  out.resize(done);
  return ok;
}

}  // namespace

Sha256 sha256(const void* data, size_t size) {
  Sha256 d{};
  unsigned len = 0;
  EVP_Digest(data, size, d.data(), &len, EVP_sha256(), nullptr);
  return d;
}

const CachedEntry* EntryRecord::find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const CachedEntry& e, std::string_view p) { return e.path < p; });
  return it != entries.end() && it->path == path ? &*it : nullptr;
}

std::string EntryCache::default_dir() {
  std::string root = TarballStore::default_dir();
  return root.empty() ? root : root + "/entries";
}

std::string EntryCache::key(const PlanPackage& p, int level) {
  std::string k = "zip-entries v" + std::to_string(kVersion) + " libdeflate " +
                  LIBDEFLATE_VERSION_STRING + " level " + std::to_string(level) + "\n";
  // a registry package is the same bytes wherever it is installed; anything
  // else is only known by where it is read from
  bool registry = (p.reason == PlanReason::package || p.reason == PlanReason::fetched) &&
                  !p.version.empty();
  if (registry) return k + "npm:" + p.name + "@" + p.version + " " + p.integrity;
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
  if (!read_whole(path, out.blob)) return RecordState::missing;
  auto damaged = [&] {
    // never read again: the next store puts a good one in its place
    ::unlink(path.c_str());
    out = EntryRecord{};
    return RecordState::damaged;
  };
  if (out.blob.size() < 32) return damaged();
  size_t body = out.blob.size() - 32;
  if (sha256(out.blob.data(), body) != *reinterpret_cast<const Sha256*>(out.blob.data() + body)) {
    return damaged();
  }
  Reader r{out.blob.data(), out.blob.data() + body};
  if (r.le(4) != kMagic || r.le(4) != kVersion) return damaged();
  if (r.view(r.le(4)) != key) return damaged();
  uint64_t count = r.le(4);
  if (count > body / 64) return damaged();
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
  return RecordState::found;
}

Status EntryCache::store(const std::string& key, std::vector<CachedEntry> entries) const {
  static std::atomic<unsigned> counter{0};
  std::sort(entries.begin(), entries.end(),
            [](const CachedEntry& a, const CachedEntry& b) { return a.path < b.path; });
  Writer w;
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
  Sha256 sum = sha256(w.bytes.data(), w.bytes.size());
  w.raw(sum.data(), sum.size());

  std::string dest = path_for(key);
  std::string tmp_dir = dir_ + "/tmp";
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir, ec);
  if (!ec) std::filesystem::create_directories(std::filesystem::path(dest).parent_path(), ec);
  if (ec) return system_error("cannot create the entry cache '" + dir_ + "': " + ec.message());
  std::string temp = tmp_dir + "/" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + ".rec.part";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return system_error("cannot create '" + temp + "': " + std::strerror(errno));
  int err = 0;
  for (size_t done = 0; done < w.bytes.size() && err == 0;) {
    ssize_t n = ::write(fd, w.bytes.data() + done, w.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    else done += size_t(n);
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), dest.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return system_error("cannot write '" + dest + "': " + std::strerror(err), write_error_hints(err));
  }
  return Ok{};
}

}  // namespace lockcut
