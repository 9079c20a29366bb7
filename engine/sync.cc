// sync.cc: the plan written over a previous output folder (see sync.h).
//
// In order, so no step ever writes through something stale: files and
// symlinks the plan no longer has are removed, then the folders it no
// longer has (deepest first), then missing folders are made (a symlink
// where the plan needs a folder was removed in the first step, so nothing
// is ever written through a link), then each entry is compared and, when it
// differs, written beside its old self and renamed over it (in parallel,
// like copy.cc), and last the manifest is replaced the same way. The
// manifest records a source mtime only when it is older than the run by
// more than a clock tick could hide ("racy" sources are compared byte for
// byte next time instead).
#include "lockcut/sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include <simdjson.h>
#include <tbb/parallel_for.h>

#include "copy_bytes.h"
#include "lockcut/file_time.h"
#include "lockcut/output.h"

namespace lockcut {

namespace {

namespace fs = std::filesystem;
namespace od = simdjson::ondemand;

constexpr uint64_t kRacy = UINT64_MAX;

// What the manifest says lockcut wrote at a path.
struct Recorded {
  uint64_t size = 0, mtime_ns = kRacy;  // the source's
  uint32_t mode = 0;
  uint64_t out_size = 0, out_mtime_ns = 0;  // the written file's
};

// What is in the output folder now.
struct Found {
  char type = 'f';  // f, l or d
  uint64_t size = 0, mtime_ns = 0;
  uint32_t mode = 0;
};

uint64_t mtime_of(const struct stat& st) { return timespec_ns(st.st_mtim); }

std::string json_escape(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (uint8_t(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(uint8_t(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// nullopt when missing or unreadable: either way not a folder we know.
std::optional<std::unordered_map<std::string, Recorded>> read_manifest(const std::string& path) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) return std::nullopt;
  od::parser parser;
  od::document doc;
  std::unordered_map<std::string, Recorded> out;
  if (parser.iterate(text).get(doc)) return std::nullopt;
  int64_t schema = 0;
  if (doc["schema"].get(schema) || schema != 1) return std::nullopt;
  od::array files;
  if (doc["files"].get(files)) return std::nullopt;
  for (auto item : files) {
    od::array row;
    if (item.get(row)) return std::nullopt;
    std::string_view name;
    uint64_t v[5];
    size_t i = 0;
    bool ok = true;
    for (auto field : row) {
      if (i == 0) ok = ok && !field.get_string().get(name);
      else if (i <= 5) ok = ok && !field.get_uint64().get(v[i - 1]);
      ++i;
    }
    if (!ok || i != 6) return std::nullopt;
    out[std::string(name)] = Recorded{v[0], v[1], uint32_t(v[2]), v[3], v[4]};
  }
  return out;
}

bool same_content(const std::string& a, const std::string& b, uint64_t size) {
  int fa = ::open(a.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  int fb = ::open(b.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  bool same = fa >= 0 && fb >= 0;
  static thread_local std::vector<char> ba(1 << 16), bb(1 << 16);
  for (uint64_t done = 0; same && done < size;) {
    ssize_t na = ::pread(fa, ba.data(), ba.size(), off_t(done));
    ssize_t nb = ::pread(fb, bb.data(), bb.size(), off_t(done));
    same = na > 0 && na == nb && std::memcmp(ba.data(), bb.data(), size_t(na)) == 0;
    done += uint64_t(std::max<ssize_t>(na, 0));
  }
  if (fa >= 0) ::close(fa);
  if (fb >= 0) ::close(fb);
  return same;
}

std::string temp_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) + ".lockcut-sync-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

Error write_error(const std::string& what, const std::string& path, int err) {
  return system_error("cannot " + what + " '" + path + "': " + std::strerror(err),
                      write_error_hints(err));
}

// Writes the entry (read from `source`) beside `path` and renames it over;
// fills `rec`.
std::optional<Error> replace_entry(const PlanEntry& e, const std::string& source,
                                   const std::string& path, Recorded& rec) {
  std::string temp = temp_beside(path);
  if (e.type == EntryType::symlink) {
    if (::symlink(e.target.c_str(), temp.c_str()) != 0) return write_error("create link", temp, errno);
  } else {
    int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) return system_error("cannot read '" + source + "': " + std::strerror(errno));
    int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
      int err = errno;
      ::close(in);
      return write_error("create", temp, err);
    }
    int err = detail::copy_file_bytes(in, out, e.size);
    struct stat st;
    if (err == 0 && ::fchmod(out, e.mode & 07777) != 0) err = errno;
    if (err == 0 && ::fstat(out, &st) != 0) err = errno;
    if (::close(out) != 0 && err == 0) err = errno;
    ::close(in);
    if (err != 0) {
      ::unlink(temp.c_str());
      return write_error("write", temp, err);
    }
    rec.out_size = uint64_t(st.st_size);
    rec.out_mtime_ns = mtime_of(st);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return write_error("replace", path, err);
  }
  return std::nullopt;
}

}  // namespace

Result<SyncStats> sync_folder(const PackPlan& plan, const std::string& dest,
                              const SyncOptions& options) {
  fs::path abs = fs::absolute(dest).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  const std::string root = abs.string();
  const std::string manifest_path = root + "/" + kSyncManifest;
  struct stat st;
  std::unordered_map<std::string, Recorded> manifest;
  if (::lstat(root.c_str(), &st) != 0) {
    if (Status s = check_output(root, false); !s) return s.take_error();
    if (::mkdir(root.c_str(), 0755) != 0) return write_error("create folder", root, errno);
  } else if (!S_ISDIR(st.st_mode)) {
    return user_error("'" + root + "' is not a folder", {"--sync updates a folder lockcut wrote"});
  } else if (auto m = read_manifest(manifest_path)) {
    manifest = std::move(*m);
  } else if (!options.adopt) {
    return user_error("'" + root + "' has no " + kSyncManifest + ": it is not a folder lockcut "
                                                                  "wrote with --sync",
                      {"pass --force to make it hold exactly the package (everything else in it "
                       "is removed)", "or choose another output folder"});
  }

  // what is there now (symlinks not followed)
  std::map<std::string, Found> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string rel = it->path().string().substr(root.size() + 1);
    if (rel == kSyncManifest || ::lstat(it->path().c_str(), &st) != 0) continue;
    char type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
    found[rel] = Found{type, uint64_t(st.st_size), mtime_of(st), uint32_t(st.st_mode & 07777)};
  }
  if (ec) return system_error("cannot list '" + root + "': " + ec.message());

  std::unordered_map<std::string_view, const PlanEntry*> wanted;
  std::set<std::string> wanted_dirs;
  for (const PlanEntry& e : plan.entries) {
    wanted.emplace(e.dest, &e);
    for (size_t slash = e.dest.find('/'); slash != std::string::npos; slash = e.dest.find('/', slash + 1)) {
      wanted_dirs.insert(e.dest.substr(0, slash));
    }
  }

  SyncStats stats;
  stats.files = plan.files;
  stats.links = plan.entries.size() - plan.files;
  stats.bytes = plan.bytes;
  // 1. stale files and links, then stale folders, deepest first
  for (const auto& [rel, f] : found) {
    if (f.type == 'd' || wanted.count(rel)) continue;
    if (::unlink((root + "/" + rel).c_str()) != 0) return write_error("remove", root + "/" + rel, errno);
    ++stats.removed;
  }
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    if (it->second.type != 'd' || wanted_dirs.count(it->first)) continue;
    std::string path = root + "/" + it->first;
    if (::rmdir(path.c_str()) != 0) return write_error("remove folder", path, errno);
  }
  // 2. missing folders, parents first (the set is sorted)
  for (const std::string& d : wanted_dirs) {
    auto f = found.find(d);
    if (f != found.end() && f->second.type == 'd') continue;
    if (::mkdir((root + "/" + d).c_str(), 0755) != 0) return write_error("create folder", root + "/" + d, errno);
  }
  // 3. each entry: left alone, or replaced
  const uint64_t racy_after = wall_clock_ns() - kRacyWindowNs;
  std::vector<Recorded> records(plan.entries.size());
  std::atomic<uint64_t> added{0}, changed{0}, unchanged{0};
  std::optional<Error> first_error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
  std::atomic<bool>& stop = interrupt_flag();
  tbb::parallel_for(size_t(0), plan.entries.size(), [&](size_t i) {
    if (stop.load() || failed.load(std::memory_order_relaxed)) return;
    const PlanEntry& e = plan.entries[i];
    std::string path = root + "/" + e.dest;
    auto f = found.find(e.dest);
    const Found* have = f != found.end() && f->second.type != 'd' ? &f->second : nullptr;
    Recorded& rec = records[i];
    rec = Recorded{e.size, e.mtime_ns >= racy_after ? kRacy : e.mtime_ns, e.mode, 0, 0};
    if (have && e.type == EntryType::symlink && have->type == 'l') {
      std::string target(e.target.size() + 1, '\0');
      ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n >= 0 && size_t(n) == e.target.size() && target.compare(0, size_t(n), e.target) == 0) {
        ++unchanged;
        return;
      }
    } else if (have && e.type == EntryType::file && have->type == 'f') {
      rec.out_size = have->size;
      rec.out_mtime_ns = have->mtime_ns;
      auto m = manifest.find(e.dest);
      bool trusted = m != manifest.end() && m->second.mtime_ns != kRacy &&
                     m->second.size == e.size && m->second.mtime_ns == e.mtime_ns &&
                     m->second.mode == e.mode && m->second.out_size == have->size &&
                     m->second.out_mtime_ns == have->mtime_ns;
      if (have->mode == (e.mode & 07777) && have->size == e.size &&
          (trusted || same_content(plan.source_of(e), path, e.size))) {
        ++unchanged;
        return;
      }
    }
    if (auto err = replace_entry(e, plan.source_of(e), path, rec)) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::move(*err);
      failed = true;
      return;
    }
    ++(have ? changed : added);
  });
  if (stop.load()) return interrupted_error();
  if (first_error) return std::move(*first_error);
  stats.added = added;
  stats.changed = changed;
  stats.unchanged = unchanged;

  // 4. the manifest, replaced whole
  std::string text = "{\"schema\":1,\"files\":[";
  bool first = true;
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    const PlanEntry& e = plan.entries[i];
    if (e.type != EntryType::file) continue;
    const Recorded& r = records[i];
    text += (first ? "\n[" : ",\n[") + json_escape(e.dest) + "," + std::to_string(r.size) + "," +
            std::to_string(r.mtime_ns) + "," + std::to_string(r.mode) + "," +
            std::to_string(r.out_size) + "," + std::to_string(r.out_mtime_ns) + "]";
    first = false;
  }
  text += "\n]}\n";
  std::string temp = temp_beside(manifest_path);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return write_error("create", temp, errno);
  int err = 0;
  for (size_t done = 0; done < text.size() && err == 0;) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += size_t(n);
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), manifest_path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return write_error("write", manifest_path, err);
  }
  return stats;
}

}  // namespace lockcut
