// output.cc: temporary outputs renamed into place (see output.h).
//
// The temporary name is `.<name>.lockcut-<pid>-<n>` in the destination's
// folder: hidden, recognisable, unique per process, and on the same
// filesystem so rename(2) is atomic. Without replacement the final rename
// uses RENAME_NOREPLACE, so an output that appeared meanwhile is not
// clobbered either.
#include "lockcut/output.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lockcut {

namespace fs = std::filesystem;

std::atomic<bool>& interrupt_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

Error interrupted_error() {
  return Error{ErrorKind::interrupted, "interrupted; nothing was written", {}};
}

std::vector<std::string> write_error_hints(int err) {
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    return {"the output's filesystem is full (or a file size limit was hit); free space or write "
            "the output elsewhere"};
  }
  return {};
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

namespace {

fs::path absolute_dest(const std::string& dest) {
  fs::path abs = fs::absolute(dest).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  return abs;
}

}  // namespace

Status check_output(const std::string& dest, bool replace) {
  fs::path abs = absolute_dest(dest);
  fs::path dir = abs.parent_path();
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return user_error("cannot write '" + abs.string() + "': folder '" + dir.string() +
                          "' does not exist",
                      {"create it first, or choose another output path"});
  }
  if (::lstat(abs.c_str(), &st) == 0 && !replace) {
    return user_error("'" + abs.string() + "' already exists",
                      {"pass --force to replace it, or choose another output path"});
  }
  return Ok{};
}

Result<TempOutput> TempOutput::create(const std::string& dest, bool replace) {
  static std::atomic<unsigned> counter{0};
  if (Status s = check_output(dest, replace); !s) return s.take_error();
  fs::path abs = absolute_dest(dest);
  fs::path dir = abs.parent_path();
  TempOutput t;
  t.dest_ = abs.string();
  t.path_ = (dir / ("." + abs.filename().string() + ".lockcut-" + std::to_string(::getpid()) +
                    "-" + std::to_string(counter++)))
                .string();
  t.replace_ = replace;
  return t;
}

TempOutput::TempOutput(TempOutput&& other) noexcept
    : dest_(std::move(other.dest_)),
      path_(std::move(other.path_)),
      replace_(other.replace_),
      committed_(other.committed_) {
  other.committed_ = true;
}

TempOutput::~TempOutput() {
  if (!committed_ && !path_.empty()) remove_tree(path_);
}

Status TempOutput::commit() {
  if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, dest_.c_str(), RENAME_NOREPLACE) == 0) {
    committed_ = true;
    return Ok{};
  }
  int err = errno;
  if (err == EEXIST && !replace_) {
    return user_error("'" + dest_ + "' appeared while lockcut was writing it",
                      {"pass --force to replace it"});
  }
  if (err == EEXIST) {
    // swap the new output in, then remove the old one
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, dest_.c_str(), RENAME_EXCHANGE) == 0) {
      committed_ = true;
      remove_tree(path_);
      return Ok{};
    }
    err = errno;
    struct stat st;
    // RENAME_EXCHANGE is not on every filesystem; a file can still be
    // replaced atomically with plain rename
    if (::lstat(dest_.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) &&
        ::rename(path_.c_str(), dest_.c_str()) == 0) {
      committed_ = true;
      return Ok{};
    }
    err = errno;
  }
  return system_error("cannot move '" + path_ + "' to '" + dest_ + "': " + std::strerror(err));
}

}  // namespace lockcut
