// tarball_store.cc: verified tarballs by digest (see tarball_store.h).
//
// Temporary files live in `<dir>/tmp/` so the final rename(2) stays on one
// filesystem; their names carry the pid and a counter so two processes never
// share one. rename replaces an existing entry atomically, which is safe
// here because an entry's name is the digest of its bytes.
#include "lockcut/tarball_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "lockcut/output.h"

namespace lockcut {

namespace fs = std::filesystem;

std::string TarballStore::default_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') {
    return std::string(xdg) + "/lockcut";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.cache/lockcut";
  }
  return {};
}

std::string TarballStore::path_for(const Integrity& integrity) const {
  std::string hex = integrity.hex();
  return dir_ + "/" + std::string(algo_name(integrity.algo)) + "/" + hex.substr(0, 2) + "/" +
         hex.substr(2) + ".tgz";
}

std::optional<std::string> TarballStore::find(const Integrity& integrity) const {
  std::string path = path_for(integrity);
  if (::access(path.c_str(), R_OK) != 0) return std::nullopt;
  Result<Integrity> actual = hash_file(path, integrity.algo);
  if (actual && *actual == integrity) return path;
  // bit rot or a tampered file: drop it so the caller fetches it again
  ::unlink(path.c_str());
  return std::nullopt;
}

Result<TarballWriter> TarballStore::create(HashAlgo algo) const {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  std::string tmp_dir = dir_ + "/tmp";
  fs::create_directories(tmp_dir, ec);
  if (ec) {
    return system_error("cannot create the tarball cache '" + tmp_dir + "': " + ec.message(),
                        {"set a writable cache folder, or check the permissions of '" + dir_ + "'"});
  }
  std::string temp = tmp_dir + "/" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + ".tgz.part";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return system_error("cannot create '" + temp + "': " + std::strerror(errno));
  return TarballWriter(*this, std::move(temp), fd, algo);
}

TarballWriter::TarballWriter(const TarballStore& store, std::string temp, int fd, HashAlgo algo)
    : store_(store), temp_(std::move(temp)), fd_(fd), checker_(algo) {}

TarballWriter::TarballWriter(TarballWriter&& other) noexcept
    : store_(other.store_),
      temp_(std::move(other.temp_)),
      fd_(other.fd_),
      checker_(std::move(other.checker_)) {
  other.fd_ = -1;
  other.temp_.clear();
}

TarballWriter::~TarballWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

Status TarballWriter::write(const void* data, size_t size) {
  checker_.update(data, size);
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      return system_error("cannot write '" + temp_ + "': " + std::strerror(err),
                          write_error_hints(err));
    }
    p += n;
    size -= size_t(n);
  }
  return Ok{};
}

Integrity TarballWriter::digest() { return checker_.finish(); }

Result<std::string> TarballWriter::commit(const Integrity& key) {
  std::string dest = store_.path_for(key);
  if (::close(fd_) != 0) {
    fd_ = -1;
    int err = errno;
    return system_error("cannot write '" + temp_ + "': " + std::strerror(err), write_error_hints(err));
  }
  fd_ = -1;
  std::error_code ec;
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (ec || ::rename(temp_.c_str(), dest.c_str()) != 0) {
    return system_error("cannot move '" + temp_ + "' to '" + dest + "': " +
                        (ec ? ec.message() : std::strerror(errno)));
  }
  temp_.clear();
  return dest;
}

}  // namespace lockcut
