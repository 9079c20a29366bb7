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
//
// With the entry cache (entry_cache.h) the packages' records are loaded
// in the order the zip needs them, by a task of their own running ahead of
// the writer (a worker that reaches a package first loads records too,
// until its own is there); a worker copies a member's compressed bytes from it
// when the source is unchanged, and the writer collects each package's
// members as they pass and, once its last one has, writes its record again
// (on a task of its own) when anything differed. The registry packages'
// records are read from the selection's bundle (entry_bundle.h) when it is
// there and whole, and the bundle is written again when any of them was
// not in it or changed. Deflate is deterministic
// for one libdeflate version and level, both in the key, so a warm zip is
// the same bytes as a cold one.
#include "zip.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <libdeflate.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "lockcut/entry_bundle.h"
#include "lockcut/entry_cache.h"
#include "lockcut/output.h"
#include "lockcut/file_time.h"

namespace lockcut::detail {

namespace {

constexpr uint16_t kVersionNeeded = 20;               // 2.0: deflate, folders
constexpr uint16_t kVersionMadeBy = (3 << 8) | 30;    // Unix, 3.0
constexpr uint16_t kFlagUtf8 = 1 << 11;
// a member at least this large is written from where it is, not copied into
// the output buffer first (a warm run's members are in mapped records)
constexpr size_t kWriteDirectly = 64 << 10;

// A fixed-size header, filled little-endian and appended in one piece: the
// writer emits one per member, on the one thread that orders the zip.
template <size_t N>
struct Header {
  uint8_t bytes[N];
  size_t at = 0;
  void u16(uint16_t v) {
    bytes[at++] = uint8_t(v);
    bytes[at++] = uint8_t(v >> 8);
  }
  void u32(uint32_t v) {
    u16(uint16_t(v));
    u16(uint16_t(v >> 16));
  }
};

struct Buffer {
  std::vector<uint8_t> bytes;
  template <size_t N>
  void add(const Header<N>& h) {
    bytes.insert(bytes.end(), h.bytes, h.bytes + h.at);
  }
  void str(std::string_view s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
};

// One member, read and compressed (or found in the cache) by a worker.
struct Packed {
  size_t index = 0;
  std::vector<uint8_t> data;       // compressed here
  std::span<const uint8_t> bytes;  // what goes in the zip: `data` or cached bytes
  uint32_t crc = 0;
  uint64_t size = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  bool read = false;    // the source was read
  const CachedEntry* cached = nullptr;  // the cached member `bytes` are, if any
  std::string_view rel;  // the file's path in its package's record (cache on)
  Sha256 sha{};         // of the content, when the cache is on
  std::optional<Error> error;
};

// A plan package's record: the one loaded, and the one to write back.
struct CacheSlot {
  std::string key;
  EntryRecord record;
  RecordState state = RecordState::missing;
  size_t left = 0;     // its files not yet through the writer
  bool dirty = false;  // a member differs from the record: it is written again
  std::vector<const CachedEntry*> same;  // members so far, while none differs
  std::vector<CachedEntry> next;         // members so far, once one did
  std::vector<std::vector<uint8_t>> owned;  // fresh bytes `next` points into
  int64_t bundled = -1;          // its place in the bundle, if it has one
  bool from_bundle = false;      // `record` was read from the bundle
  std::vector<uint8_t> written;  // the record as stored again, if it was
};

struct CentralRecord {
  uint32_t crc, csize, usize, offset, external;
  uint16_t method;
};

// A thread's deflate state, allocated on its first file to compress (about
// 700 KiB: a warm run, which compresses next to nothing, would only clear it).
struct Compressor {
  int level;
  libdeflate_compressor* c = nullptr;
  explicit Compressor(int l) : level(l) {}
  ~Compressor() { libdeflate_free_compressor(c); }
  Compressor(const Compressor&) = delete;
  libdeflate_compressor* get() {
    if (!c) c = libdeflate_alloc_compressor(level);
    return c;
  }
};

// Reads the file `e` from `source` (PackPlan::source_of).
std::optional<Error> read_file(const PlanEntry& e, const std::string& source,
                               std::vector<uint8_t>& out) {
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return system_error("cannot read '" + source + "': " + std::strerror(errno));
  out.resize(e.size + 1);
  size_t done = 0;
  for (;;) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return system_error("cannot read '" + source + "': " + std::strerror(err));
    }
    if (n == 0) break;
    done += size_t(n);
    if (done == out.size()) break;
  }
  ::close(fd);
  if (done != e.size) {
    return user_error("'" + source + "' changed while lockcut was packing it",
                      {"run again when nothing is writing into node_modules"});
  }
  out.resize(done);
  return std::nullopt;
}

void use_cached(const CachedEntry& c, Packed& p) {
  p.bytes = c.data;
  p.crc = c.crc32;
  p.size = c.size;
  p.method = c.method;
  p.sha = c.sha256;
  p.cached = &c;
}

// `slot` is the package's cache slot, nullptr without the cache; `hint`
// where in its record to look first (EntryRecord::find).
void pack_item(const PackPlan& plan, const ArchiveItem& item, const CacheSlot* slot, bool verify,
               size_t& hint, Compressor& comp, Packed& p) {
  if (!item.entry) return;  // folder: no data
  const PlanEntry& e = *item.entry;
  std::vector<uint8_t> raw;
  if (e.type == EntryType::symlink) {
    raw.assign(e.target.begin(), e.target.end());
  } else {
    const CachedEntry* c = slot ? slot->record.find(e.path_in_package(), hint) : nullptr;
    if (c && c->size != e.size) c = nullptr;
    if (c && !verify && c->mtime_ns == e.mtime_ns && c->mode == e.mode) {
      use_cached(*c, p);
      return;
    }
    if (auto err = read_file(e, plan.source_of(e), raw)) {
      p.error = std::move(err);
      return;
    }
    p.read = true;
    if (slot) {
      // a touched but unchanged file (a fresh `npm ci`) costs a read, not a deflate
      p.sha = sha256(raw.data(), raw.size());
      if (c && c->sha256 == p.sha) {
        use_cached(*c, p);
        return;
      }
    }
  }
  p.size = raw.size();
  p.crc = uint32_t(libdeflate_crc32(0, raw.data(), raw.size()));
  p.method = 0;
  if (e.type == EntryType::file && raw.size() > 64) {
    p.data.resize(libdeflate_deflate_compress_bound(comp.get(), raw.size()));
    size_t n = libdeflate_deflate_compress(comp.get(), raw.data(), raw.size(), p.data.data(),
                                           p.data.size());
    if (n > 0 && n < raw.size()) {
      p.data.resize(n);
      p.method = 8;
    }
  }
  if (p.method == 0) p.data = std::move(raw);
  p.bytes = p.data;
}

// Each package with files gets its record's key and its count of files;
// `load_order` lists them by their first file in the zip.
void prepare_slots(const PackPlan& plan, int level, std::vector<CacheSlot>& slots,
                   std::vector<uint32_t>& load_order) {
  for (const PlanEntry& e : plan.entries) {  // in zip order, folders aside
    if (e.type != EntryType::file) continue;
    if (slots[e.package].left++ == 0) load_order.push_back(e.package);
  }
  // a package installed twice gets a record per install (EntryCache::key)
  std::unordered_map<std::string, unsigned> installs;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].left == 0) continue;
    const PlanPackage& p = plan.packages[i];
    slots[i].key = EntryCache::key(p, level, installs[p.name + "@" + p.version + " " + p.integrity]++);
  }
}

// The registry packages' slots into `bundled`, in load order, and their
// bundle; whether it was there and whole.
bool load_bundle(const PackPlan& plan, const std::string& entry_cache, std::vector<CacheSlot>& slots,
                 const std::vector<uint32_t>& load_order, std::vector<uint32_t>& bundled,
                 std::optional<EntryBundle>& bundle) {
  std::vector<std::string> keys;
  for (uint32_t i : load_order) {
    if (!EntryCache::by_identity(plan.packages[i])) continue;
    slots[i].bundled = int64_t(bundled.size());
    bundled.push_back(i);
    keys.push_back(slots[i].key);
  }
  if (bundled.empty()) return false;
  bundle.emplace(entry_cache, keys);
  return bundle->load();
}

}  // namespace

std::vector<ArchiveItem> archive_items(const PackPlan& plan) {
  // The entries are sorted, and all names under one folder are contiguous in
  // byte order, so each folder goes right before the first entry under it:
  // one pass with the chain of folders the last entry was in. (A folder
  // "a/" sorts after "a.b", which is fine: it is emitted when "a/x" comes.)
  std::vector<ArchiveItem> items;
  items.reserve(plan.entries.size() * 5 / 4);
  std::vector<std::string_view> open;  // folders of the last entry, outermost first
  for (const PlanEntry& e : plan.entries) {
    std::string_view dest = e.dest;
    size_t depth = 0;
    while (depth < open.size() && dest.size() > open[depth].size() &&
           dest.starts_with(open[depth]) && dest[open[depth].size()] == '/') {
      ++depth;
    }
    open.resize(depth);
    size_t from = depth ? open.back().size() + 1 : 0;
    for (size_t slash = dest.find('/', from); slash != std::string_view::npos;
         slash = dest.find('/', slash + 1)) {
      open.push_back(dest.substr(0, slash));
      items.push_back(ArchiveItem{dest.substr(0, slash + 1), nullptr});
    }
    items.push_back(ArchiveItem{dest, &e});
  }
  return items;
}

Result<uint64_t> write_zip(int fd, const std::string& path, const PackPlan& plan,
                           const ArchiveOptions& options, WriteStats& stats) {
  // the members (the entries and their folders), and with the entry cache
  // the packages' record keys and the selection's bundle, made at once
  std::vector<ArchiveItem> items;
  std::optional<EntryCache> cache;
  std::vector<CacheSlot> slots;
  std::vector<std::atomic<uint8_t>> loading;  // per slot: 0 not yet, 1 being loaded, 2 loaded
  std::vector<uint32_t> load_order;           // slots with files, by their first member
  std::vector<uint32_t> bundled;              // the registry packages' slots, in load order
  std::optional<EntryBundle> bundle;
  bool bundle_loaded = false;
  tbb::parallel_invoke([&] { items = archive_items(plan); },
                       [&] {
                         if (options.entry_cache.empty()) return;
                         cache.emplace(options.entry_cache);
                         slots = std::vector<CacheSlot>(plan.packages.size());
                         loading = std::vector<std::atomic<uint8_t>>(slots.size());
                         prepare_slots(plan, options.level, slots, load_order);
                         bundle_loaded = load_bundle(plan, options.entry_cache, slots, load_order,
                                                     bundled, bundle);
                       });
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

  // the output is gathered in one buffer, written out when the next piece
  // would not fit: it never grows past what was reserved (fresh memory costs
  // the kernel a clearing, and a warm run touches little else)
  constexpr size_t kBuffer = 1 << 20;
  Buffer out;
  out.bytes.reserve(kBuffer);
  uint64_t offset = 0;  // bytes written to fd; the zip's length so far is offset + out.bytes.size()
  std::optional<Error> error;
  auto write_all = [&](std::span<const uint8_t> bytes) {
    for (size_t done = 0; done < bytes.size() && !error;) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        error = system_error("cannot write '" + path + "': " + std::strerror(err),
                             write_error_hints(err));
        return;
      }
      done += size_t(n);
      offset += uint64_t(n);
    }
  };
  auto flush = [&] {
    if (error) return;
    write_all(out.bytes);
    out.bytes.clear();
  };
  auto make_room = [&](size_t more) {
    if (out.bytes.size() + more > kBuffer) flush();
  };

  // the packages' records, a warm run's only input: loaded on a task of
  // their own in the order the zip needs them, while the writer writes
  // what is loaded (it leaves a core mostly idle), or by a worker that
  // needs one first
  std::atomic<bool> bundle_damaged{false};
  // Slots are loaded in load_order by whoever takes the next one: the
  // loader task, or a worker waiting for a slot another thread is loading.
  std::atomic<size_t> next_load{0};
  std::atomic<bool> done_loading{false};  // the pipeline ended: load no more
  auto load = [&](size_t i) {
    uint8_t idle = 0;
    if (!loading[i].compare_exchange_strong(idle, 1, std::memory_order_acq_rel)) return;
    CacheSlot& s = slots[i];
    if (bundle_loaded && s.bundled >= 0) {
      s.from_bundle = EntryCache::parse(bundle->record(size_t(s.bundled)), bundle->hold(), s.key,
                                        s.record) == RecordState::found;
      if (!s.from_bundle) bundle_damaged.store(true, std::memory_order_relaxed);
    }
    if (!s.from_bundle) s.state = cache->load(s.key, s.record);
    else s.state = RecordState::found;
    loading[i].store(2, std::memory_order_release);
  };
  auto load_next = [&] {
    size_t k = next_load.fetch_add(1, std::memory_order_relaxed);
    if (k >= load_order.size() || done_loading.load(std::memory_order_relaxed)) return false;
    load(load_order[k]);
    return true;
  };
  auto await_slot = [&](size_t i) {
    load(i);
    while (loading[i].load(std::memory_order_acquire) != 2) {
      if (!load_next()) std::this_thread::yield();
    }
  };
  tbb::task_group loads;
  struct StopLoads {
    tbb::task_group& g;
    std::atomic<bool>& done;
    ~StopLoads() {
      done.store(true);
      g.wait();
    }
  } stop_loads{loads, done_loading};
  if (!load_order.empty()) {
    loads.run([&] {
      while (load_next()) {
      }
    });
  }
  // a file written this recently could change again within the same clock
  // tick and keep its mtime (git's "racy" entries): its record says so
  const uint64_t racy_after = wall_clock_ns() - kRacyWindowNs;
  std::mutex problem_mutex;
  tbb::task_group stores;
  struct Wait {
    tbb::task_group& g;
    ~Wait() { g.wait(); }
  } wait_for_stores{stores};
  // takes the member into its package's next record; writes the record
  // once the package's last member has passed, if anything differed. A
  // warm run's members are the record's own, so until one differs only
  // pointers to them are kept.
  auto remember = [&](const PlanEntry& e, Packed& p) {
    CacheSlot& s = slots[e.package];
    const uint64_t mtime = e.mtime_ns >= racy_after ? kRacyMtime : e.mtime_ns;
    if (!s.dirty && (!p.cached || p.cached->mtime_ns != mtime || p.cached->mode != e.mode)) {
      s.dirty = true;
      s.next.reserve(s.same.size() + s.left);
      for (const CachedEntry* c : s.same) s.next.push_back(*c);
      s.same = {};
    }
    if (s.dirty) {
      s.next.push_back(CachedEntry{p.rel, e.size, mtime, e.mode, p.crc, p.method, p.sha, p.bytes});
      if (!p.cached) s.owned.push_back(std::move(p.data));
    } else {
      s.same.push_back(p.cached);
    }
    if (--s.left > 0) return;
    if (!s.dirty) {
      if (s.state == RecordState::found && s.same.size() == s.record.entries.size()) {
        s.same = {};
        return;
      }
      for (const CachedEntry* c : s.same) s.next.push_back(*c);  // a file went: rewritten
      s.same = {};
    }
    stores.run([&s, &cache, &stats, &problem_mutex] {
      Status st = cache->store(s.key, std::move(s.next), s.bundled >= 0 ? &s.written : nullptr);
      s.owned.clear();
      if (!st) {
        std::lock_guard lock(problem_mutex);
        if (stats.cache_problem.empty()) stats.cache_problem = st.error().message;
      }
    });
  };

  std::vector<CentralRecord> central(items.size());
  tbb::enumerable_thread_specific<Compressor> compressors(options.level);
  std::atomic<bool>& stop = interrupt_flag();
  // the writer's part of one member, in output order
  auto emit = [&](const ArchiveItem& item, Packed& p) {
    uint32_t external;
    if (!item.entry) {
      external = (0040755u << 16) | 0x10;  // folder, and the MS-DOS folder bit
    } else if (item.entry->type == EntryType::symlink) {
      external = 0120777u << 16;
    } else {
      external = (0100000u | normalized_mode(item.entry->mode)) << 16;
    }
    if (offset + out.bytes.size() > 0xFFFFFFFFull || p.bytes.size() > 0xFFFFFFFFull) {
      error = user_error("the zip would pass 4 GiB, the limit without ZIP64",
                         {"write a folder (--out) or a tar (--tar)"});
      return;
    }
    CentralRecord rec{p.crc, uint32_t(p.bytes.size()), uint32_t(p.size),
                      uint32_t(offset + out.bytes.size()), external, p.method};
    central[p.index] = rec;
    const bool direct = p.bytes.size() >= kWriteDirectly;
    make_room(30 + item.name.size() + (direct ? 0 : p.bytes.size()));
    Header<30> h;
    h.u32(0x04034b50);
    h.u16(kVersionNeeded);
    h.u16(kFlagUtf8);
    h.u16(p.method);
    h.u16(dos_time);
    h.u16(dos_date);
    h.u32(p.crc);
    h.u32(rec.csize);
    h.u32(rec.usize);
    h.u16(uint16_t(item.name.size()));
    h.u16(0);  // extra
    out.add(h);
    out.str(item.name);
    if (direct) {
      // a large member goes from its buffer (or the mapped record) to the file
      flush();
      write_all(p.bytes);
    } else {
      out.bytes.insert(out.bytes.end(), p.bytes.begin(), p.bytes.end());
    }
    stats.files_read += p.read;
    if (item.entry && item.entry->type == EntryType::file) {
      ++(p.cached ? stats.entries_reused : stats.entries_compressed);
      if (!slots.empty()) remember(*item.entry, p);
    }
    if (item.entry && options.progress) options.progress->fetch_add(1);
  };
  // Members travel in batches (up to 256, or 4 MiB of source): a warm run's
  // members are copies from the cache, and one pipeline token per member
  // cost more in hand-offs between threads than the copies did.
  using Batch = std::vector<Packed>;
  size_t next = 0;
  const size_t tokens = size_t(tbb::this_task_arena::max_concurrency()) * 4;
  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, Batch*>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> Batch* {
            if (next == items.size() || error || stop.load()) {
              fc.stop();
              return nullptr;
            }
            auto* batch = new Batch;
            batch->reserve(std::min<size_t>(256, items.size() - next));
            uint64_t bytes = 0;
            while (next < items.size() && batch->size() < 256 && bytes < (4u << 20)) {
              const PlanEntry* e = items[next].entry;
              if (e && e->type == EntryType::file) bytes += e->size;
              batch->emplace_back().index = next++;
            }
            return batch;
          }) &
          tbb::make_filter<Batch*, Batch*>(
              tbb::filter_mode::parallel,
              [&](Batch* batch) {
                Compressor& comp = compressors.local();
                const CacheSlot* last = nullptr;  // the slot `hint` is for
                size_t hint = 0;
                for (Packed& p : *batch) {
                  const ArchiveItem& item = items[p.index];
                  const CacheSlot* slot = nullptr;
                  if (item.entry && !slots.empty()) {
                    slot = &slots[item.entry->package];
                    p.rel = item.entry->path_in_package();
                    if (slot != last) {
                      if (!slot->key.empty()) await_slot(item.entry->package);
                      hint = 0;
                    }
                    last = slot;
                  }
                  pack_item(plan, item, slot, options.verify, hint, comp, p);
                }
                return batch;
              }) &
          tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* raw) {
            std::unique_ptr<Batch> batch(raw);
            for (Packed& p : *batch) {
              if (error) return;
              if (p.error) {
                error = std::move(p.error);
                return;
              }
              emit(items[p.index], p);
            }
          }));
  done_loading.store(true);
  loads.wait();
  for (const CacheSlot& s : slots) {
    stats.cache_damaged += s.state == RecordState::damaged;
    stats.bundle_records += s.from_bundle;
  }
  if (stop.load()) return interrupted_error();
  if (error) return std::move(*error);
  if (bundle && (bundle_damaged.load() || bundle->damaged())) {
    stats.bundle_damaged = true;
    bundle->remove();  // load() removed a bundle it found damaged; this one held a bad record
  }
  if (bundle) {
    // written again (beside the central directory) when it lacked a record
    // or one changed: the next run of this selection reads it whole
    stores.wait();
    bool stale = false, complete = true;
    std::vector<std::span<const uint8_t>> records;
    records.reserve(bundled.size());
    for (uint32_t i : bundled) {
      const CacheSlot& s = slots[i];
      stale = stale || !s.from_bundle || !s.written.empty();
      if (!s.written.empty()) records.emplace_back(s.written);
      else if (!s.record.sealed.empty()) records.emplace_back(s.record.sealed);
      else complete = false;  // missing and not stored: the next run tries again
    }
    if (stale && complete) {
      stores.run([&bundle, records = std::move(records), &stats, &problem_mutex] {
        Status st = bundle->store(records);
        if (!st) {
          std::lock_guard lock(problem_mutex);
          if (stats.cache_problem.empty()) stats.cache_problem = st.error().message;
        }
      });
    }
  }

  // The records and the bundle's mapping are let go on another core while
  // the central directory is written: freeing a warm pack's few thousand
  // records and unmapping its bundle took the writer 0.8 ms.
  tbb::task_group release;
  release.run([&] {
    stores.wait();  // a store reads the records
    slots = {};
    bundle.reset();
  });
  Wait wait_for_release{release};

  uint64_t cd_start = offset + out.bytes.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const CentralRecord& r = central[i];
    make_room(46 + items[i].name.size());
    Header<46> h;
    h.u32(0x02014b50);
    h.u16(kVersionMadeBy);
    h.u16(kVersionNeeded);
    h.u16(kFlagUtf8);
    h.u16(r.method);
    h.u16(dos_time);
    h.u16(dos_date);
    h.u32(r.crc);
    h.u32(r.csize);
    h.u32(r.usize);
    h.u16(uint16_t(items[i].name.size()));
    h.u16(0);  // extra
    h.u16(0);  // comment
    h.u16(0);  // disk
    h.u16(0);  // internal attributes
    h.u32(r.external);
    h.u32(r.offset);
    out.add(h);
    out.str(items[i].name);
    if (error) return std::move(*error);
  }
  uint64_t cd_end = offset + out.bytes.size();
  if (cd_end > 0xFFFFFFFFull) {
    return user_error("the zip would pass 4 GiB, the limit without ZIP64",
                      {"write a folder (--out) or a tar (--tar)"});
  }
  make_room(22);
  Header<22> end;
  end.u32(0x06054b50);
  end.u16(0);  // this disk
  end.u16(0);  // the central directory's disk
  end.u16(uint16_t(items.size()));
  end.u16(uint16_t(items.size()));
  end.u32(uint32_t(cd_end - cd_start));
  end.u32(uint32_t(cd_start));
  end.u16(0);  // comment
  out.add(end);
  uint64_t total = offset + out.bytes.size();
  flush();
  if (error) return std::move(*error);
  return total;
}

}  // namespace lockcut::detail
