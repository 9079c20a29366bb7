// cache_prune.cc: counting and pruning lockcut's cache folder (see
// cache_prune.h).
//
// The layout is the writers' (entry_cache.cc, tree_cache.cc,
// tarball_store.cc, provision.cc); an item is matched by its full name
// pattern before it is counted, and lstat'ed, so a symlink or a stray file
// is neither followed nor removed. An unpacked folder is renamed out of its
// place before it is removed, so a pack that looks for it finds it whole or
// not at all (and unpacks it again).
#include "lockcut/cache_prune.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>

namespace lockcut {

std::string_view cache_kind_name(CacheKind kind) {
  switch (kind) {
    case CacheKind::entries: return "entries";
    case CacheKind::trees: return "trees";
    case CacheKind::plans: return "plans";
    case CacheKind::tarballs: return "tarballs";
    case CacheKind::unpacked: return "unpacked";
    case CacheKind::temporary: return "temporary";
  }
  return "entries";
}

namespace {

namespace fs = std::filesystem;

bool is_hex(std::string_view s, size_t length) {
  return s.size() == length && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// `<hex of length>` followed by `suffix`
bool hex_name(std::string_view name, size_t length, std::string_view suffix) {
  return name.size() == length + suffix.size() && name.ends_with(suffix) &&
         is_hex(name.substr(0, length), length);
}

struct Found {
  std::string path;
  struct stat st;
};

// The entries of `dir` (lstat'ed) whose names pass `want`; none when `dir`
// is not a folder.
Result<std::vector<Found>> entries_of(const std::string& dir,
                                      const std::function<bool(std::string_view)>& want) {
  std::vector<Found> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return out;
    return system_error("cannot read the cache folder '" + dir + "': " + std::strerror(errno));
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || !want(name)) continue;
    Found f{dir + "/" + std::string(name), {}};
    if (::fstatat(::dirfd(d), e->d_name, &f.st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone
    out.push_back(std::move(f));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const Found& a, const Found& b) { return a.path < b.path; });
  return out;
}

uint64_t folder_bytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code sec;
    if (it->is_regular_file(sec) && !it->is_symlink(sec)) bytes += it->file_size(sec);
  }
  return bytes;
}

class Pruner {
 public:
  explicit Pruner(const PruneOptions& options) : options_(options) {
    now_ = options.now_s ? options.now_s : int64_t(std::time(nullptr));
    for (size_t k = 0; k < parts_.size(); ++k) parts_[k].kind = CacheKind(k);
  }

  // The regular files `<dir>/<name>` that pass `want`, as `kind`.
  Status files(const std::string& dir, const std::function<bool(std::string_view)>& want,
               CacheKind kind) {
    return items(dir, want, kind, false);
  }

  // The folders `<dir>/<name>` that pass `want`, each one item of `kind`.
  Status folders(const std::string& dir, const std::function<bool(std::string_view)>& want,
                 CacheKind kind) {
    return items(dir, want, kind, true);
  }

  std::vector<CachePart> parts() const { return {parts_.begin(), parts_.end()}; }

 private:
  Status items(const std::string& dir, const std::function<bool(std::string_view)>& want,
               CacheKind kind, bool folders) {
    auto found = entries_of(dir, want);
    if (!found) return found.take_error();
    for (const Found& f : *found) {
      if (folders ? !S_ISDIR(f.st.st_mode) : !S_ISREG(f.st.st_mode)) continue;
      const uint64_t bytes = folders ? folder_bytes(f.path) : uint64_t(f.st.st_size);
      if (!unused(f.st, kind)) {
        keep(kind, bytes);
        continue;
      }
      Status gone = folders ? remove_folder(f.path) : remove_file(f.path);
      if (!gone) return gone;
      removed(kind, bytes);
    }
    return Ok{};
  }

  static Status remove_file(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return system_error("cannot remove '" + path + "' from the cache: " + std::strerror(errno),
                          {"check the cache folder's permissions"});
    }
    return Ok{};  // removed, or another prune was first
  }

  // renamed aside first, so a pack looking for it finds it whole or not at all
  static Status remove_folder(const std::string& path) {
    std::string aside = path + ".pruned-" + std::to_string(::getpid());
    if (::rename(path.c_str(), aside.c_str()) != 0) {
      if (errno == ENOENT) return Ok{};  // another prune was first
      return system_error("cannot remove '" + path + "' from the cache: " + std::strerror(errno),
                          {"check the cache folder's permissions"});
    }
    std::error_code ec;
    fs::remove_all(aside, ec);
    if (ec) {
      return system_error("cannot remove '" + aside + "' from the cache: " + ec.message(),
                          {"remove it by hand; nothing uses it"});
    }
    return Ok{};
  }

  bool unused(const struct stat& st, CacheKind kind) const {
    if (options_.unused_for_s < 0) return false;
    const int64_t used = std::max<int64_t>(st.st_atim.tv_sec, st.st_mtim.tv_sec);
    if (kind == CacheKind::temporary && now_ - int64_t(st.st_mtim.tv_sec) < kTemporaryGraceS) {
      return false;
    }
    return now_ - used > options_.unused_for_s;
  }
  void keep(CacheKind kind, uint64_t bytes) {
    ++parts_[size_t(kind)].items;
    parts_[size_t(kind)].bytes += bytes;
  }
  void removed(CacheKind kind, uint64_t bytes) {
    ++parts_[size_t(kind)].removed_items;
    parts_[size_t(kind)].removed_bytes += bytes;
  }

  PruneOptions options_;
  int64_t now_ = 0;
  std::array<CachePart, size_t(CacheKind::temporary) + 1> parts_{};
};

// The digests a tarball is stored under, and their length in hex.
constexpr std::pair<std::string_view, size_t> kAlgos[] = {
    {"sha1", 40}, {"sha256", 64}, {"sha384", 96}, {"sha512", 128}};

}  // namespace

Result<std::vector<CachePart>> prune_cache(const std::string& dir, const PruneOptions& options) {
  Pruner p(options);
  auto two_hex = [](std::string_view n) { return is_hex(n, 2); };
  auto part_file = [](std::string_view n) { return n.ends_with(".part"); };
  // entries/<2 hex>/<62 hex>.rec, entries/tmp/*.part
  auto shards = entries_of(dir + "/entries", two_hex);
  if (!shards) return shards.take_error();
  for (const Found& s : *shards) {
    if (!S_ISDIR(s.st.st_mode)) continue;
    Status st = p.files(s.path, [](std::string_view n) { return hex_name(n, 62, ".rec"); },
                        CacheKind::entries);
    if (!st) return st.take_error();
  }
  if (Status st = p.files(dir + "/entries/tmp", part_file, CacheKind::temporary); !st) {
    return st.take_error();
  }
  // entries/bundles/<64 hex>.bundle, entries/bundles/tmp/*.part
  if (Status st = p.files(dir + "/entries/bundles",
                          [](std::string_view n) { return hex_name(n, 64, ".bundle"); },
                          CacheKind::entries);
      !st) {
    return st.take_error();
  }
  if (Status st = p.files(dir + "/entries/bundles/tmp", part_file, CacheKind::temporary); !st) {
    return st.take_error();
  }
  // trees/<16 hex>.tree (<64 hex> from earlier builds), trees/tmp/*.part
  auto tree_name = [](std::string_view n) { return hex_name(n, 16, ".tree") || hex_name(n, 64, ".tree"); };
  if (Status st = p.files(dir + "/trees", tree_name,
                          CacheKind::trees);
      !st) {
    return st.take_error();
  }
  if (Status st = p.files(dir + "/trees/tmp", part_file, CacheKind::temporary); !st) {
    return st.take_error();
  }
  // plans/<16 hex>.plan, plans/tmp/*.part
  if (Status st = p.files(dir + "/plans", [](std::string_view n) { return hex_name(n, 16, ".plan"); },
                          CacheKind::plans);
      !st) {
    return st.take_error();
  }
  if (Status st = p.files(dir + "/plans/tmp", part_file, CacheKind::temporary); !st) {
    return st.take_error();
  }
  // <algo>/<2 hex>/<rest>.tgz, tmp/*.part; unpacked/<algo>/<2 hex>/<rest>/
  for (const auto& [algo, length] : kAlgos) {
    const size_t rest = length - 2;
    for (const auto& [root, kind] : {std::pair{dir + "/" + std::string(algo), CacheKind::tarballs},
                                     std::pair{dir + "/unpacked/" + std::string(algo),
                                               CacheKind::unpacked}}) {
      auto algo_shards = entries_of(root, two_hex);
      if (!algo_shards) return algo_shards.take_error();
      for (const Found& s : *algo_shards) {
        if (!S_ISDIR(s.st.st_mode)) continue;
        Status st = kind == CacheKind::tarballs
                        ? p.files(s.path, [rest](std::string_view n) { return hex_name(n, rest, ".tgz"); },
                                  kind)
                        : p.folders(s.path, [rest](std::string_view n) { return is_hex(n, rest); }, kind);
        if (!st) return st.take_error();
        if (kind != CacheKind::unpacked) continue;
        // an unpack that was killed (TempOutput: ".<hex>.lockcut-<pid>-...")
        // or a removal that failed ("<hex>.pruned-<pid>")
        st = p.folders(s.path, [rest](std::string_view n) {
          return (n.size() > rest + 1 && n[0] == '.' && is_hex(n.substr(1, rest), rest) &&
                  n.substr(rest + 1).starts_with(".lockcut-")) ||
                 (n.size() > rest && is_hex(n.substr(0, rest), rest) &&
                  n.substr(rest).starts_with(".pruned-"));
        }, CacheKind::temporary);
        if (!st) return st.take_error();
      }
    }
  }
  if (Status st = p.files(dir + "/tmp", part_file, CacheKind::temporary); !st) return st.take_error();
  return p.parts();
}

void touch_cache_folder(const std::string& folder) {
  const struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  ::utimensat(AT_FDCWD, folder.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

}  // namespace lockcut
