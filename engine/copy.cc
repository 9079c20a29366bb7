// copy.cc: the plan -> a folder (see copy.h).
//
// Measured on ext4 over virtio (the corpus machine): creating a file costs
// far more than copying its bytes (most package files are under 4 KiB), so
// the work is spread over files, not packages, and each file costs one
// open/create pair and one copy_file_range. Modes are set with fchmod so the
// output has the installed modes whatever the umask.
#include "lockcut/copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include "copy_bytes.h"
#include "lockcut/output.h"

namespace lockcut {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

Error write_error(const std::string& what, const std::string& path, int err) {
  return system_error("cannot " + what + " '" + path + "': " + errno_text(err),
                      write_error_hints(err));
}

// Whether FICLONE is worth trying: the first refusal (ext4, tmpfs) turns it
// off for the run instead of costing a failed ioctl per file.
std::atomic<bool> try_reflink{true};

// Copies src to dst (both open); returns 0 or an errno.
int copy_bytes(int in, int out, uint64_t size) {
  if (size == 0) return 0;
  if (try_reflink.load(std::memory_order_relaxed)) {
    if (::ioctl(out, FICLONE, in) == 0) return 0;
    if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL || errno == EXDEV) {
      try_reflink.store(false, std::memory_order_relaxed);
    }
  }
  uint64_t done = 0;
  bool plain = false;
  while (done < size && !plain) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) {
        plain = true;
        break;
      }
      return errno;
    }
    if (n == 0) break;  // the file shrank meanwhile
    done += uint64_t(n);
  }
  if (!plain) return 0;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::pread(in, buf, sizeof buf, off_t(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (ssize_t w = 0; w < n;) {
      ssize_t m = ::pwrite(out, buf + w, size_t(n - w), off_t(done + uint64_t(w)));
      if (m < 0 && errno == EINTR) continue;
      if (m < 0) return errno;
      w += m;
    }
    done += uint64_t(n);
  }
}

// `source`: where the entry is read from (PackPlan::source_of)
std::optional<Error> write_entry(int root, const std::string& root_path, const PlanEntry& e,
                                 const std::string& source, bool link, mode_t umask) {
  const char* rel = e.dest.c_str();
  if (e.type == EntryType::symlink) {
    if (::symlinkat(e.target.c_str(), root, rel) != 0) {
      return write_error("create link", root_path + "/" + e.dest, errno);
    }
    return std::nullopt;
  }
  if (link) {
    if (::linkat(AT_FDCWD, source.c_str(), root, rel, 0) != 0) {
      int err = errno;
      if (err == EXDEV) {
        return user_error("--link needs the output on the same filesystem as '" + source + "'",
                          {"drop --link, or write the output on that filesystem"});
      }
      return write_error("link", root_path + "/" + e.dest, err);
    }
    return std::nullopt;
  }
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return system_error("cannot read '" + source + "': " + errno_text(errno));
  // created with its mode; fchmod only when the umask would take bits away
  mode_t mode = e.mode & 07777;
  int out = ::openat(root, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode | 0600);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return write_error("create", root_path + "/" + e.dest, err);
  }
  int err = copy_bytes(in, out, e.size);
  if (err == 0 && ((mode | 0600) & ~umask) != mode && ::fchmod(out, mode) != 0) {
    err = errno;
  }
  if (::close(out) != 0 && err == 0) err = errno;
  ::close(in);
  if (err != 0) return write_error("write", root_path + "/" + e.dest, err);
  return std::nullopt;
}

}  // namespace

int detail::copy_file_bytes(int in, int out, uint64_t size) { return copy_bytes(in, out, size); }

Result<WriteStats> write_folder(const PackPlan& plan, const std::string& dest,
                                const CopyOptions& options) {
  auto temp = TempOutput::create(dest, options.replace);
  if (!temp) return temp.take_error();
  const std::string& root_path = temp->path();
  if (::mkdir(root_path.c_str(), 0755) != 0) {
    return write_error("create folder", root_path, errno);
  }
  int root = ::open(root_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return write_error("open folder", root_path, errno);

  // folders first, level by level (parents before children), each level in
  // parallel: a mkdir costs about as much as a file
  std::vector<std::vector<std::string>> levels;
  {
    std::set<std::string> dirs;
    for (const PlanEntry& e : plan.entries) {
      size_t depth = 0;
      for (size_t slash = e.dest.find('/'); slash != std::string::npos;
           slash = e.dest.find('/', slash + 1), ++depth) {
        if (dirs.insert(e.dest.substr(0, slash)).second) {
          if (levels.size() <= depth) levels.resize(depth + 1);
          levels[depth].push_back(e.dest.substr(0, slash));
        }
      }
    }
  }
  std::optional<Error> dir_error;
  std::mutex dir_mutex;
  for (const std::vector<std::string>& level : levels) {
    tbb::parallel_for(size_t(0), level.size(), [&](size_t i) {
      if (::mkdirat(root, level[i].c_str(), 0755) != 0 && errno != EEXIST) {
        std::lock_guard lock(dir_mutex);
        if (!dir_error) dir_error = write_error("create folder", root_path + "/" + level[i], errno);
      }
    });
    if (dir_error) {
      ::close(root);
      return std::move(*dir_error);
    }
  }
  mode_t umask = ::umask(0);
  ::umask(umask);

  std::atomic<bool> failed{false};
  std::optional<Error> first_error;
  std::mutex error_mutex;
  std::atomic<bool>& stop = interrupt_flag();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, plan.entries.size(), 32),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i) {
                        if (failed.load(std::memory_order_relaxed) || stop.load()) return;
                        const PlanEntry& e = plan.entries[i];
                        auto err =
                            write_entry(root, root_path, e, plan.source_of(e), options.link, umask);
                        if (err) {
                          std::lock_guard lock(error_mutex);
                          if (!first_error) first_error = std::move(*err);
                          failed = true;
                          return;
                        }
                        if (options.progress) options.progress->fetch_add(1);
                      }
                    });
  ::close(root);
  if (stop.load()) return interrupted_error();
  if (first_error) return std::move(*first_error);

  WriteStats stats = written(plan);
  if (Status s = temp->commit(); !s) return s.take_error();
  return stats;
}

}  // namespace lockcut
