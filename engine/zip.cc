// zip.cc: a deterministic zip, deflated in parallel, written in order.
//
// libarchive's zip writer deflates in the calling thread, writes data
// descriptors and extended-timestamp / Unix extra fields; a Lambda package
// wants none of that and the whole job is bound by deflate. So the
// container (about 150 lines of APPNOTE 6.3: local header, data, central
// directory, end record) is written here and libdeflate does the
// compression, one whole file per call. A tbb::parallel_pipeline reads and
// deflates up to a few files per core ahead of the single writer, which
// emits them in plan order: same bytes for any thread count.
#include "zip.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include <libdeflate.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "lockcut/output.h"

namespace lockcut::detail {

namespace {

constexpr uint16_t kVersionNeeded = 20;               // 2.0: deflate, folders
constexpr uint16_t kVersionMadeBy = (3 << 8) | 30;    // Unix, 3.0
constexpr uint16_t kFlagUtf8 = 1 << 11;

struct Buffer {
  std::vector<uint8_t> bytes;
  void u16(uint16_t v) { bytes.push_back(uint8_t(v)); bytes.push_back(uint8_t(v >> 8)); }
  void u32(uint32_t v) { u16(uint16_t(v)); u16(uint16_t(v >> 16)); }
  void str(const std::string& s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
};

// One member, read and compressed by a worker.
struct Packed {
  size_t index = 0;
  std::vector<uint8_t> data;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  std::optional<Error> error;
};

struct CentralRecord {
  uint32_t crc, csize, usize, offset, external;
  uint16_t method;
};

struct Compressor {
  libdeflate_compressor* c = nullptr;
  explicit Compressor(int level) : c(libdeflate_alloc_compressor(level)) {}
  ~Compressor() { libdeflate_free_compressor(c); }
  Compressor(const Compressor&) = delete;
};

std::optional<Error> read_file(const PlanEntry& e, std::vector<uint8_t>& out) {
  int fd = ::open(e.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return system_error("cannot read '" + e.source + "': " + std::strerror(errno));
  out.resize(e.size + 1);
  size_t done = 0;
  for (;;) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return system_error("cannot read '" + e.source + "': " + std::strerror(err));
    }
    if (n == 0) break;
    done += size_t(n);
    if (done == out.size()) break;
  }
  ::close(fd);
  if (done != e.size) {
    return user_error("'" + e.source + "' changed while lockcut was packing it",
                      {"run again when nothing is writing into node_modules"});
  }
  out.resize(done);
  return std::nullopt;
}

void pack_item(const ArchiveItem& item, Compressor& comp, Packed& p) {
  if (!item.entry) return;  // folder: no data
  const PlanEntry& e = *item.entry;
  std::vector<uint8_t> raw;
  if (e.type == EntryType::symlink) {
    raw.assign(e.target.begin(), e.target.end());
  } else if (auto err = read_file(e, raw)) {
    p.error = std::move(err);
    return;
  }
  p.size = raw.size();
  p.crc = uint32_t(libdeflate_crc32(0, raw.data(), raw.size()));
  if (e.type == EntryType::file && raw.size() > 64) {
    p.data.resize(libdeflate_deflate_compress_bound(comp.c, raw.size()));
    size_t n = libdeflate_deflate_compress(comp.c, raw.data(), raw.size(), p.data.data(),
                                           p.data.size());
    if (n > 0 && n < raw.size()) {
      p.data.resize(n);
      p.method = 8;
      return;
    }
  }
  p.data = std::move(raw);
  p.method = 0;
}

}  // namespace

std::vector<ArchiveItem> archive_items(const PackPlan& plan) {
  std::vector<ArchiveItem> items;
  items.reserve(plan.entries.size() * 5 / 4);
  std::string last_dir;
  for (const PlanEntry& e : plan.entries) {
    // folders of this entry not yet emitted (entries are sorted, so a
    // folder's entries are contiguous... except that "a.b" sorts between
    // "a" and "a/x"; a set of emitted folders keeps that honest)
    for (size_t slash = e.dest.find('/'); slash != std::string::npos;
         slash = e.dest.find('/', slash + 1)) {
      items.push_back(ArchiveItem{e.dest.substr(0, slash + 1), nullptr});
    }
    items.push_back(ArchiveItem{e.dest, &e});
  }
  std::sort(items.begin(), items.end(),
            [](const ArchiveItem& a, const ArchiveItem& b) { return a.name < b.name; });
  items.erase(std::unique(items.begin(), items.end(),
                          [](const ArchiveItem& a, const ArchiveItem& b) {
                            return a.name == b.name && !a.entry && !b.entry;
                          }),
              items.end());
  return items;
}

Result<uint64_t> write_zip(int fd, const std::string& path, const std::vector<ArchiveItem>& items,
                           const ArchiveOptions& options) {
  if (items.size() > 0xFFFF) {
    return user_error("the zip would hold " + std::to_string(items.size()) +
                          " entries, more than the 65,535 of a zip without ZIP64",
                      {"Lambda's support for ZIP64 is not documented; write a folder (--out) or "
                       "a tar (--tar), or split the package into a layer"});
  }
  int64_t t = std::max<int64_t>(options.mtime, 315532800);
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  if (tm.tm_year + 1900 > 2107) tm = std::tm{0, 0, 0, 31, 11, 207, 0, 0, 0, 0, nullptr};
  const uint16_t dos_time = uint16_t((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  const uint16_t dos_date =
      uint16_t(((tm.tm_year + 1900 - 1980) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);

  Buffer out;
  out.bytes.reserve(1 << 20);
  uint64_t offset = 0;
  std::optional<Error> error;
  auto flush = [&](bool force) {
    if (error || (!force && out.bytes.size() < (1u << 20))) return;
    size_t done = 0;
    while (done < out.bytes.size()) {
      ssize_t n = ::write(fd, out.bytes.data() + done, out.bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        error = system_error("cannot write '" + path + "': " + std::strerror(err),
                             write_error_hints(err));
        return;
      }
      done += size_t(n);
    }
    out.bytes.clear();
  };

  std::vector<CentralRecord> central(items.size());
  tbb::enumerable_thread_specific<Compressor> compressors(options.level);
  std::atomic<bool>& stop = interrupt_flag();
  size_t next = 0;
  const size_t tokens = size_t(tbb::this_task_arena::max_concurrency()) * 4;
  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, Packed*>(tbb::filter_mode::serial_in_order,
                                      [&](tbb::flow_control& fc) -> Packed* {
                                        if (next == items.size() || error || stop.load()) {
                                          fc.stop();
                                          return nullptr;
                                        }
                                        auto* p = new Packed;
                                        p->index = next++;
                                        return p;
                                      }) &
          tbb::make_filter<Packed*, Packed*>(tbb::filter_mode::parallel,
                                             [&](Packed* p) {
                                               pack_item(items[p->index], compressors.local(), *p);
                                               return p;
                                             }) &
          tbb::make_filter<Packed*, void>(
              tbb::filter_mode::serial_in_order, [&](Packed* raw) {
                std::unique_ptr<Packed> p(raw);
                if (error) return;
                if (p->error) {
                  error = std::move(p->error);
                  return;
                }
                const ArchiveItem& item = items[p->index];
                uint32_t external;
                if (!item.entry) {
                  external = (0040755u << 16) | 0x10;  // folder, and the MS-DOS folder bit
                } else if (item.entry->type == EntryType::symlink) {
                  external = 0120777u << 16;
                } else {
                  external = (0100000u | normalized_mode(item.entry->mode)) << 16;
                }
                if (offset + out.bytes.size() > 0xFFFFFFFFull || p->data.size() > 0xFFFFFFFFull) {
                  error = user_error("the zip would pass 4 GiB, the limit without ZIP64",
                                     {"write a folder (--out) or a tar (--tar)"});
                  return;
                }
                CentralRecord rec{p->crc, uint32_t(p->data.size()), uint32_t(p->size),
                                  uint32_t(offset + out.bytes.size()), external, p->method};
                central[p->index] = rec;
                out.u32(0x04034b50);
                out.u16(kVersionNeeded);
                out.u16(kFlagUtf8);
                out.u16(p->method);
                out.u16(dos_time);
                out.u16(dos_date);
                out.u32(p->crc);
                out.u32(rec.csize);
                out.u32(rec.usize);
                out.u16(uint16_t(item.name.size()));
                out.u16(0);
                out.str(item.name);
                size_t before = out.bytes.size();
                out.bytes.insert(out.bytes.end(), p->data.begin(), p->data.end());
                (void)before;
                if (out.bytes.size() >= (1u << 20)) {
                  size_t pending = out.bytes.size();
                  flush(false);
                  offset += pending - out.bytes.size();
                }
                if (item.entry && options.progress) options.progress->fetch_add(1);
              }));
  if (stop.load()) return interrupted_error();
  if (error) return std::move(*error);

  uint64_t cd_start = offset + out.bytes.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const CentralRecord& r = central[i];
    out.u32(0x02014b50);
    out.u16(kVersionMadeBy);
    out.u16(kVersionNeeded);
    out.u16(kFlagUtf8);
    out.u16(r.method);
    out.u16(dos_time);
    out.u16(dos_date);
    out.u32(r.crc);
    out.u32(r.csize);
    out.u32(r.usize);
    out.u16(uint16_t(items[i].name.size()));
    out.u16(0);  // extra
    out.u16(0);  // comment
    out.u16(0);  // disk
    out.u16(0);  // internal attributes
    out.u32(r.external);
    out.u32(r.offset);
    out.str(items[i].name);
    if (out.bytes.size() >= (1u << 20)) {
      size_t pending = out.bytes.size();
      flush(false);
      offset += pending - out.bytes.size();
      if (error) return std::move(*error);
    }
  }
  uint64_t cd_end = offset + out.bytes.size();
  if (cd_end > 0xFFFFFFFFull) {
    return user_error("the zip would pass 4 GiB, the limit without ZIP64",
                      {"write a folder (--out) or a tar (--tar)"});
  }
  out.u32(0x06054b50);
  out.u16(0);
  out.u16(0);
  out.u16(uint16_t(items.size()));
  out.u16(uint16_t(items.size()));
  out.u32(uint32_t(cd_end - cd_start));
  out.u32(uint32_t(cd_start));
  out.u16(0);  // comment
  uint64_t total = offset + out.bytes.size();
  flush(true);
  if (error) return std::move(*error);
  return total;
}

}  // namespace lockcut::detail
