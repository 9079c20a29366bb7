// tree_cache.cc: package folders listed, and listings kept between runs
// (see tree_cache.h).
//
// The snapshot, little-endian:
//   "LCTS" u32 version, str root, u32 count,
//   count x { str folder, u32 size of the rest of this folder, u64 made_ns,
//             manifest: u8 known, u64 read_ns, u64 size, u64 mtime, u64 ctime, u8 has_name,
//                       str name, u8 has_version, str version,
//                       u32 n, n x { str bin, str path },
//             u32 n, n x dir { str path, u64 mtime, u64 ctime, u64 ino },
//             u32 n, n x file { str path, u8 type, u64 size, u64 mtime,
//                               u64 ctime, u32 mode, str target } },
//   u32 crc32 of everything before it (record_io.h).
#include "lockcut/tree_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <latch>
#include <thread>

#include <tbb/parallel_for.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "lockcut/tarball_store.h"
#include "record_io.h"

namespace lockcut {

namespace {

constexpr uint32_t kMagic = 0x5354434c;  // "LCTS"
// 2: CRC-32 seal; 3: folder sizes; 4: files sorted; 5: node_modules' hidden folders
constexpr uint32_t kVersion = 5;

std::string join(const std::string& a, std::string_view b) {
  if (a.empty()) return std::string(b);
  std::string s = a;
  s += '/';
  s += b;
  return s;
}

std::string errno_text(int err) { return std::strerror(err); }

ListedDir listed_dir(std::string path, const struct stat& st) {
  return ListedDir{std::move(path), timespec_ns(st.st_mtim), timespec_ns(st.st_ctim),
                   uint64_t(st.st_ino)};
}

// Lists the folder open as `dirfd` (`rel` inside the package) into `out`.
Status walk(int dirfd, const std::string& folder, const std::string& rel, bool skip_node_modules,
            FolderListing& out) {
  DIR* d = ::fdopendir(dirfd);
  if (!d) {
    int err = errno;
    ::close(dirfd);
    return system_error("cannot read folder '" + join(folder, rel) + "': " + errno_text(err));
  }
  struct Close {
    DIR* d;
    ~Close() { ::closedir(d); }
  } close_dir{d};
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (skip_node_modules && name == "node_modules") continue;
    std::string path = join(rel, name);
    struct stat st;
    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return system_error("cannot stat '" + folder + "/" + path + "': " + errno_text(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      int fd = ::openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        return system_error("cannot open folder '" + folder + "/" + path + "': " + errno_text(errno));
      }
      out.dirs.push_back(listed_dir(path, st));
      if (Status s = walk(fd, folder, path, false, out); !s) return s;
      continue;
    }
    ListedFile f{std::move(path), "", 0, timespec_ns(st.st_mtim), timespec_ns(st.st_ctim),
                 st.st_mode & 07777u, EntryType::file};
    if (S_ISLNK(st.st_mode)) {
      std::string target(size_t(st.st_size > 0 ? st.st_size : 256), '\0');
      ssize_t n = ::readlinkat(dirfd, e->d_name, target.data(), target.size());
      if (n < 0) {
        return system_error("cannot read link '" + folder + "/" + f.path + "': " + errno_text(errno));
      }
      target.resize(size_t(n));
      f.type = EntryType::symlink;
      f.target = std::move(target);
    } else if (S_ISREG(st.st_mode)) {
      f.size = uint64_t(st.st_size);
    } else {
      return user_error("'" + folder + "/" + f.path + "' is neither a file, a folder nor a symlink",
                        {"lockcut ships only those; remove it or leave the package out"});
    }
    out.files.push_back(std::move(f));
  }
  return Ok{};
}

}  // namespace

Status list_folder(const std::string& folder, bool skip_node_modules, FolderListing& listing) {
  listing.dirs.clear();
  listing.files.clear();
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return system_error("cannot open folder '" + folder + "': " + errno_text(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return system_error("cannot stat '" + folder + "': " + errno_text(err));
  }
  listing.dirs.push_back(listed_dir("", st));
  if (Status s = walk(fd, folder, "", skip_node_modules, listing); !s) return s;
  std::sort(listing.files.begin(), listing.files.end(),
            [](const ListedFile& a, const ListedFile& b) { return a.path < b.path; });
  return Ok{};
}

namespace {

// Whether the folder stat'ed as `st` is still the one read at `made_ns`
// with this inode, mtime and ctime, and that read is trusted.
bool folder_holds(const struct stat& st, uint64_t ino, uint64_t mtime_ns, uint64_t ctime_ns,
                  uint64_t made_ns) {
  return S_ISDIR(st.st_mode) && uint64_t(st.st_ino) == ino && timespec_ns(st.st_mtim) == mtime_ns &&
         timespec_ns(st.st_ctim) == ctime_ns && trusted_change(ctime_ns, made_ns);
}

// Whether dirs [begin, end) of a listing are as listed and trusted.
bool dirs_hold(int root, const FolderListing& listing, size_t begin, size_t end) {
  struct stat st;
  for (size_t i = begin; i < end; ++i) {
    const ListedDir& d = listing.dirs[i];
    // the package folder itself is `root`: no walk
    const int got = d.path.empty() ? ::fstat(root, &st)
                                   : ::fstatat(root, d.path.c_str(), &st, AT_SYMLINK_NOFOLLOW);
    if (got != 0 || !folder_holds(st, d.ino, d.mtime_ns, d.ctime_ns, listing.made_ns)) return false;
  }
  return true;
}

// Whether files [begin, end) are still files (links still links); refreshes
// their stat and link text.
bool files_hold(int root, FolderListing& listing, size_t begin, size_t end) {
  struct stat st;
  for (size_t i = begin; i < end; ++i) {
    ListedFile& f = listing.files[i];
    if (::fstatat(root, f.path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    bool link = S_ISLNK(st.st_mode);
    if (link != (f.type == EntryType::symlink) || (!link && !S_ISREG(st.st_mode))) return false;
    uint64_t ctime = timespec_ns(st.st_ctim);
    if (link && (ctime != f.ctime_ns || uint64_t(st.st_size) != f.target.size())) {
      std::string target(size_t(st.st_size > 0 ? st.st_size : 256), '\0');
      ssize_t n = ::readlinkat(root, f.path.c_str(), target.data(), target.size());
      if (n < 0) return false;
      target.resize(size_t(n));
      f.target = std::move(target);
    }
    f.size = link ? 0 : uint64_t(st.st_size);
    f.mtime_ns = timespec_ns(st.st_mtim);
    f.ctime_ns = ctime;
    f.mode = st.st_mode & 07777u;
  }
  return true;
}

}  // namespace

bool revalidate(const std::string& folder, FolderListing& listing) {
  return revalidate_at(AT_FDCWD, folder.c_str(), listing);
}

bool revalidate_at(int dirfd, const char* folder, FolderListing& listing) {
  int root = ::openat(dirfd, folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
  if (root < 0) return false;
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_root{root};
  // One package can hold most of a project's files (@mui/icons-material:
  // 31,862 of storefront-web's 45,000), so a large listing is checked in
  // parallel slices rather than on the one thread its package landed on.
  constexpr size_t kSlice = 1024;
  const size_t dirs = listing.dirs.size(), files = listing.files.size();
  if (dirs + files <= kSlice) {
    return dirs_hold(root, listing, 0, dirs) && files_hold(root, listing, 0, files);
  }
  std::atomic<bool> holds{true};
  tbb::parallel_for(size_t(0), dirs + files, kSlice, [&](size_t at) {
    if (!holds.load(std::memory_order_relaxed)) return;
    const size_t end = std::min(at + kSlice, dirs + files);
    bool ok = true;
    if (at < dirs) ok = dirs_hold(root, listing, at, std::min(end, dirs));
    if (ok && end > dirs) ok = files_hold(root, listing, std::max(at, dirs) - dirs, end - dirs);
    if (!ok) holds.store(false, std::memory_order_relaxed);
  });
  return holds.load();
}

TreeCache::TreeCache(std::string dir, const std::string& root) : dir_(std::move(dir)), root_(root) {
  path_ = dir_ + "/" + detail::key_name("trees v" + std::to_string(kVersion) + "\n" + root) + ".tree";
}

std::string TreeCache::default_dir() {
  std::string root = TarballStore::default_dir();
  return root.empty() ? root : root + "/trees";
}

namespace {

// One folder's listing as TreeCache::store writes it; false when it does
// not parse (the snapshot's seal held, so a bug, not damage).
bool parse_listing(std::span<const uint8_t> bytes, FolderListing& l) {
  detail::RecordReader r{bytes.data(), bytes.data() + bytes.size()};
  l.made_ns = r.le(8);
  ManifestFacts& m = l.manifest;
  m.known = r.le(1) != 0;
  m.read_ns = r.le(8);
  m.size = r.le(8);
  m.mtime_ns = r.le(8);
  m.ctime_ns = r.le(8);
  m.has_name = r.le(1) != 0;
  m.name = r.str();
  m.has_version = r.le(1) != 0;
  m.version = r.str();
  for (uint64_t n = r.le(4); n > 0 && r.ok; --n) {
    std::string bin(r.str());
    m.bins.emplace_back(std::move(bin), std::string(r.str()));
  }
  uint64_t dirs = r.le(4);
  if (dirs > bytes.size()) return false;
  l.dirs.reserve(dirs);
  for (; dirs > 0 && r.ok; --dirs) {
    ListedDir& d = l.dirs.emplace_back();
    d.path = r.str();
    d.mtime_ns = r.le(8);
    d.ctime_ns = r.le(8);
    d.ino = r.le(8);
  }
  uint64_t files = r.le(4);
  if (files > bytes.size()) return false;
  l.files.reserve(files);
  for (; files > 0 && r.ok; --files) {
    ListedFile& f = l.files.emplace_back();
    f.path = r.str();
    uint64_t type = r.le(1);
    f.type = type == 1 ? EntryType::symlink : EntryType::file;
    f.size = r.le(8);
    f.mtime_ns = r.le(8);
    f.ctime_ns = r.le(8);
    f.mode = uint32_t(r.le(4));
    f.target = r.str();
    if (type > 1) r.ok = false;
  }
  return r.ok && r.p == r.end;
}

void write_listing(detail::RecordWriter& w, const FolderListing& l) {
  const ManifestFacts& m = l.manifest;
  w.u64(l.made_ns);
  w.u8(m.known);
  w.u64(m.read_ns);
  w.u64(m.size);
  w.u64(m.mtime_ns);
  w.u64(m.ctime_ns);
  w.u8(m.has_name);
  w.str(m.name);
  w.u8(m.has_version);
  w.str(m.version);
  w.u32(uint32_t(m.bins.size()));
  for (const auto& [bin, path] : m.bins) {
    w.str(bin);
    w.str(path);
  }
  w.u32(uint32_t(l.dirs.size()));
  for (const ListedDir& d : l.dirs) {
    w.str(d.path);
    w.u64(d.mtime_ns);
    w.u64(d.ctime_ns);
    w.u64(d.ino);
  }
  w.u32(uint32_t(l.files.size()));
  for (const ListedFile& f : l.files) {
    w.str(f.path);
    w.u8(f.type == EntryType::symlink ? 1 : 0);
    w.u64(f.size);
    w.u64(f.mtime_ns);
    w.u64(f.ctime_ns);
    w.u32(f.mode);
    w.str(f.target);
  }
}

}  // namespace

FolderListing* TreeCache::find(const std::string& folder, std::optional<bool>* held) {
  auto it = folders_.find(folder);
  if (it == folders_.end() || it->second.gone) return nullptr;
  Slot& slot = it->second;
  if (held) *held = slot.held;
  if (!slot.listing) {
    FolderListing l;
    if (!parse_listing(slot.bytes, l)) {
      dirty_ = true;  // walked again, and written back whole
      return nullptr;
    }
    slot.listing = std::move(l);
  }
  return &*slot.listing;
}

void TreeCache::check_all(const std::atomic<bool>* stop) {
  std::vector<std::pair<const std::string*, Slot*>> slots;
  slots.reserve(folders_.size());
  for (auto& [folder, slot] : folders_) slots.emplace_back(&folder, &slot);
  // the package folders are opened below the project's, not from `/`: a
  // shorter walk for each of thousands of opens
  int root = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
  struct Close {
    int fd;
    ~Close() {
      if (fd >= 0) ::close(fd);
    }
  } close_root{root};
  tbb::parallel_for(size_t(0), slots.size(), [&](size_t i) {
    if (stop && stop->load(std::memory_order_relaxed)) return;
    const auto& [folder, slot] = slots[i];
    FolderListing* l = find(*folder);
    if (!l) return;
    const bool below = root >= 0 && folder->size() > root_.size() + 1 &&
                       folder->compare(0, root_.size(), root_) == 0 && (*folder)[root_.size()] == '/';
    slot->held = below ? revalidate_at(root, folder->c_str() + root_.size() + 1, *l)
                       : revalidate(*folder, *l);
    // a package removed from node_modules: its listing is not kept
    struct stat st;
    if (!*slot->held && ::lstat(folder->c_str(), &st) != 0 && errno == ENOENT) {
      slot->gone = true;
      dirty_ = true;
    }
  });
}

FolderListing& TreeCache::put(const std::string& folder, FolderListing listing) {
  auto [it, added] = folders_.insert_or_assign(folder, Slot{{}, std::move(listing), {}});
  dirty_ = true;
  return *it->second.listing;
}

const HiddenFolders* TreeCache::hidden(const std::string& dir) {
  auto it = hidden_.find(dir);
  if (it == hidden_.end() || it->second.gone) return nullptr;
  HiddenSlot& slot = it->second;
  const HiddenFolders& h = slot.folders;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      slot.gone = true;  // its packages went too
      dirty_ = true;
    }
    return nullptr;
  }
  return folder_holds(st, h.ino, h.mtime_ns, h.ctime_ns, h.made_ns) ? &h : nullptr;
}

void TreeCache::put_hidden(const std::string& dir, HiddenFolders folders) {
  // read again only because the snapshot was not loaded yet: what is kept
  // is as good, and the snapshot need not be written for it
  auto it = hidden_.find(dir);
  if (it != hidden_.end() && !it->second.gone) {
    const HiddenFolders& kept = it->second.folders;
    if (kept.ino == folders.ino && kept.mtime_ns == folders.mtime_ns &&
        kept.ctime_ns == folders.ctime_ns && kept.names == folders.names &&
        trusted_change(kept.ctime_ns, kept.made_ns)) {
      return;
    }
  }
  hidden_.insert_or_assign(dir, HiddenSlot{std::move(folders), false});
  dirty_ = true;
}

bool TreeCache::load() {
  hidden_.clear();
  folders_.clear();
  snapshot_.reset();
  std::optional<detail::MappedFile> file = detail::map_file(path_);
  if (!file) return true;
  auto damaged = [&] {
    ::unlink(path_.c_str());
    folders_.clear();
    hidden_.clear();
    return false;
  };
  auto body = detail::unseal(file->bytes);
  if (!body) return damaged();
  detail::RecordReader r{body->data(), body->data() + body->size()};
  if (r.le(4) != kMagic || r.le(4) != kVersion) return damaged();
  const std::string_view root = r.str();
  if (!r.ok) return damaged();
  if (root != root_) {  // another project's, under the same name (key_name): not ours to use
    folders_.clear();
    return true;
  }
  uint64_t count = r.le(4);
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    std::string folder(r.str());
    std::string_view bytes = r.view(r.le(4));
    folders_.emplace_hint(folders_.end(), std::move(folder),
                          Slot{{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, {}, {}});
  }
  uint64_t dirs = r.le(4);
  for (uint64_t i = 0; i < dirs && r.ok; ++i) {
    std::string dir(r.str());
    HiddenFolders h;
    h.made_ns = r.le(8);
    h.ino = r.le(8);
    h.mtime_ns = r.le(8);
    h.ctime_ns = r.le(8);
    uint64_t names = r.le(4);
    if (names > body->size()) return damaged();
    for (; names > 0 && r.ok; --names) h.names.emplace_back(r.str());
    hidden_.emplace_hint(hidden_.end(), std::move(dir), HiddenSlot{std::move(h), false});
  }
  if (!r.ok || r.p != r.end) return damaged();
  snapshot_ = std::move(file->hold);
  dirty_ = false;
  return true;
}

Status TreeCache::store() {
  if (!dirty_) return Ok{};
  detail::RecordWriter w;
  w.u32(kMagic);
  w.u32(kVersion);
  w.str(root_);
  w.u32(uint32_t(std::count_if(folders_.begin(), folders_.end(),
                                [](const auto& f) { return !f.second.gone; })));
  for (auto& [folder, slot] : folders_) {
    if (slot.gone) continue;
    w.str(folder);
    size_t at = w.bytes.size();
    w.u32(0);  // the size, once known
    if (slot.listing) {
      write_listing(w, *slot.listing);
    } else {
      w.raw(slot.bytes.data(), slot.bytes.size());
    }
    uint32_t size = uint32_t(w.bytes.size() - at - 4);
    for (int i = 0; i < 4; ++i) w.bytes[at + i] = uint8_t(size >> (8 * i));
  }
  w.u32(uint32_t(std::count_if(hidden_.begin(), hidden_.end(),
                                [](const auto& h) { return !h.second.gone; })));
  for (const auto& [dir, slot] : hidden_) {
    if (slot.gone) continue;
    const HiddenFolders& h = slot.folders;
    w.str(dir);
    w.u64(h.made_ns);
    w.u64(h.ino);
    w.u64(h.mtime_ns);
    w.u64(h.ctime_ns);
    w.u32(uint32_t(h.names.size()));
    for (const std::string& name : h.names) w.str(name);
  }
  w.seal();
  if (Status s = detail::write_file_atomically(path_, dir_ + "/tmp", w.bytes); !s) return s;
  dirty_ = false;
  return Ok{};
}

std::string project_root(const std::string& dir) {
  std::string root = std::filesystem::absolute(dir).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

struct TreePrefetch::Work {
  std::string dir, root;
  std::optional<TreeCache> cache;
  bool loaded = true;
  std::exception_ptr failed;       // what the load or the check threw
  std::atomic<bool> claimed{false};  // the load was taken by a thread
  std::latch load_done{1};         // the snapshot is read (or failed), the check started
  std::atomic<bool> stop{false};
  // the check runs in an arena that the prefetch thread and take()'s
  // caller both work in (each external thread has an arena of its own)
  tbb::task_arena arena{tbb::info::default_concurrency(),
                        unsigned(std::min(2, tbb::info::default_concurrency()))};
  tbb::task_group check;
  std::thread thread;

  // Loads the snapshot and starts the check, unless a thread has already:
  // the prefetch thread may be slow to start (the second core of a VM can
  // take 2 ms to wake), and then the first caller does it. Returns once
  // the load is done.
  void load_once() {
    if (!claimed.exchange(true)) {
      try {
        cache.emplace(dir, root);
        loaded = cache->load();
      } catch (...) {
        cache.reset();
        failed = std::current_exception();
      }
      if (cache) {
        arena.execute([this] {
          check.run([this] {
            try {
              cache->check_all(&stop);
            } catch (...) {
              failed = std::current_exception();  // read after the check is waited for
            }
          });
        });
      }
      load_done.count_down();
    }
    load_done.wait();
  }
  // Works on the check until it is done.
  void finish_check() {
    arena.execute([this] { check.wait(); });
  }
};

TreePrefetch::TreePrefetch(const std::string& dir, const std::string& project_dir) {
  if (dir.empty()) return;
  work_ = std::make_unique<Work>();
  Work& w = *work_;
  w.dir = dir;
  w.root = project_root(project_dir);
  w.thread = std::thread([&w] {
    w.load_once();
    if (w.cache) w.finish_check();
  });
}

TreePrefetch::~TreePrefetch() {
  if (!work_) return;
  Work& w = *work_;
  w.stop.store(true);
  if (!w.claimed.exchange(true)) w.load_done.count_down();  // not started: never will
  if (w.thread.joinable()) w.thread.join();
}

TreeCache* TreePrefetch::loaded(const std::string& dir, const std::string& root) {
  if (!work_) return nullptr;
  work_->load_once();
  if (work_->dir != dir || work_->root != root || !work_->cache) return nullptr;
  return &*work_->cache;
}

TreeCache* TreePrefetch::take(const std::string& dir, const std::string& root, bool& loaded) {
  if (!work_) return nullptr;
  Work& w = *work_;
  w.load_once();
  if (w.cache) w.finish_check();
  if (w.thread.joinable()) w.thread.join();
  if (w.failed) std::rethrow_exception(w.failed);
  if (w.dir != dir || w.root != root || !w.cache) return nullptr;
  loaded = w.loaded;
  return &*w.cache;
}

}  // namespace lockcut
