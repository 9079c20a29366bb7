// unpack.cc: pacote's extraction rules on libarchive (see unpack.h).
//
// Entries go under a fresh folder that only this function writes and that
// never holds a link (links are checked, then dropped), so no entry can be
// redirected outside through an earlier one; files are opened O_NOFOLLOW all
// the same. Parent folders are created on demand because npm's tarballs
// usually carry no folder entries. Modes drop setuid/setgid/sticky bits.
#include "lockcut/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <simdjson.h>
#include <string_view>
#include <vector>

#include "archive_api.h"
#include "lockcut/output.h"

namespace lockcut {

namespace fs = std::filesystem;

namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(detail::ArchiveApi::read_free)>;

// The entry's path below the package folder: the first component stripped,
// `.` components dropped. nullopt when the path is unsafe; "" for the top.
std::optional<std::string> package_path(std::string_view path) {
  if (path.starts_with('/')) return std::nullopt;
  std::string out;
  bool first = true;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part == "..") return std::nullopt;
    if (part.empty() || part == ".") continue;
    if (first) {
      first = false;
      continue;
    }
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// Whether a symlink at `rel` (package-relative) pointing at `target` stays
// inside the package.
bool link_stays_inside(const std::string& rel, std::string_view target) {
  if (target.empty() || target.starts_with('/')) return false;
  // `rel` is normalised, so its slashes count the folders above the link
  auto depth = std::count(rel.begin(), rel.end(), '/');
  while (!target.empty()) {
    size_t slash = target.find('/');
    std::string_view part = target.substr(0, slash);
    target = slash == std::string_view::npos ? std::string_view() : target.substr(slash + 1);
    if (part == ".." && --depth < 0) return false;
    if (part != ".." && !part.empty() && part != ".") ++depth;
  }
  return true;
}

// package.json `bin` targets, normalised (`./bin/x` -> `bin/x`).
std::vector<std::string> bin_files(const fs::path& dir) {
  std::vector<std::string> out;
  simdjson::padded_string json;
  if (simdjson::padded_string::load((dir / "package.json").string()).get(json)) return out;
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::value bin;
  if (parser.iterate(json).get(doc) || doc["bin"].get(bin)) return out;
  auto add = [&](std::string_view p) {
    std::string norm = fs::path(std::string(p)).lexically_normal().string();
    if (!norm.empty() && norm[0] != '/' && !norm.starts_with("..")) out.push_back(norm);
  };
  std::string_view one;
  simdjson::ondemand::object many;
  if (!bin.get_string().get(one)) {
    add(one);
  } else if (!bin.get_object().get(many)) {
    for (auto field : many) {
      if (!field.value().get_string().get(one)) add(one);
    }
  }
  return out;
}

Status write_file(const detail::ArchiveApi& la, struct archive* a, const fs::path& path, mode_t mode,
                  const std::string& what) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    return system_error("cannot unpack " + what + ": cannot create '" + path.string() +
                            "': " + std::strerror(err),
                        write_error_hints(err));
  }
  const void* buf;
  size_t size;
  la_int64_t offset;
  int r;
  off_t written = 0;
  while ((r = la.read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
    // sparse entries leave holes: seek to where the block belongs
    if (offset != written && ::lseek(fd, offset, SEEK_SET) < 0) break;
    const char* p = static_cast<const char*>(buf);
    size_t left = size;
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return system_error("cannot unpack " + what + ": cannot write '" + path.string() +
                                "': " + std::strerror(err),
                            write_error_hints(err));
      }
      p += n;
      left -= size_t(n);
    }
    written = offset + la_int64_t(size);
  }
  if (written > 0 && ::ftruncate(fd, written) != 0) r = ARCHIVE_FATAL;
  ::fchmod(fd, mode);
  ::close(fd);
  if (r != ARCHIVE_EOF) {
    return user_error("cannot unpack " + what + ": the tarball is damaged: " +
                          (la.error_string(a) ? la.error_string(a) : "read error"),
                      {"remove it from the cache and fetch it again"});
  }
  return Ok{};
}

Status extract(const detail::ArchiveApi& la, struct archive* a, const fs::path& root,
               const std::string& tarball, const std::string& what) {
  auto refuse = [&](const std::string& entry, const std::string& why) -> Status {
    return user_error("refusing to unpack " + what + ": '" + entry + "' in '" + tarball + "' " + why,
                      {"the tarball is not a normal npm package; check where it came from"});
  };
  std::set<std::string> ignores;
  struct archive_entry* entry;
  int r;
  while ((r = la.read_next_header(a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (interrupt_flag()) return interrupted_error();
    const char* raw = la.entry_pathname(entry);
    std::string name = raw ? raw : "";
    std::optional<std::string> rel = package_path(name);
    if (!rel) return refuse(name, "has an absolute path or a '..' component");
    mode_t type = la.entry_filetype(entry);
    if (const char* hard = la.entry_hardlink(entry)) {
      if (!package_path(hard)) return refuse(name, "is a hard link to '" + std::string(hard) + "'");
      continue;  // links are dropped, as pacote does
    }
    if (type == AE_IFLNK) {
      const char* target = la.entry_symlink(entry);
      if (!link_stays_inside(*rel, target ? target : "")) {
        return refuse(name, "is a link to '" + std::string(target ? target : "") +
                                "', outside the package");
      }
      continue;
    }
    if (type != AE_IFREG && type != AE_IFDIR) return refuse(name, "is a device, fifo or socket");
    if (rel->empty()) continue;
    fs::path path = root / *rel;
    std::error_code ec;
    if (type == AE_IFDIR) {
      fs::create_directories(path, ec);
      if (ec) return system_error("cannot unpack " + what + ": cannot create '" + path.string() +
                                  "': " + ec.message());
      continue;
    }
    std::string base = path.filename().string();
    if (base == ".npmignore") ignores.insert(*rel);
    if (base == ".gitignore") {
      std::string renamed = rel->substr(0, rel->size() - base.size()) + ".npmignore";
      if (ignores.count(renamed)) continue;
      path = root / renamed;
    }
    fs::create_directories(path.parent_path(), ec);
    if (ec) return system_error("cannot unpack " + what + ": cannot create '" +
                                path.parent_path().string() + "': " + ec.message());
    mode_t mode = ((la.entry_perm(entry) | 0666) & ~mode_t(022) & 0777) | 0600;
    if (Status s = write_file(la, a, path, mode, what); !s) return s;
  }
  if (r != ARCHIVE_EOF) {
    return user_error("cannot unpack " + what + ": '" + tarball + "' is damaged: " +
                          (la.error_string(a) ? la.error_string(a) : "read error"),
                      {"remove it from the cache and fetch it again"});
  }
  return Ok{};
}

}  // namespace

Status unpack_tarball(const std::string& tarball, const std::string& dest, const std::string& what) {
  auto api = detail::archive_api();
  if (!api) return api.take_error();
  const detail::ArchiveApi& la = *api.value();
  Result<TempOutput> out = TempOutput::create(dest, false);
  if (!out) return out.take_error();
  if (::mkdir(out->path().c_str(), 0755) != 0) {
    return system_error("cannot create '" + out->path() + "': " + std::strerror(errno));
  }
  ArchivePtr a(la.read_new(), la.read_free);
  la.read_support_filter_gzip(a.get());
  la.read_support_format_tar(a.get());
  if (la.read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK) {
    return user_error("cannot unpack " + what + ": cannot read '" + tarball + "': " +
                          (la.error_string(a.get()) ? la.error_string(a.get()) : "unknown"),
                      {"remove it from the cache and fetch it again"});
  }
  fs::path root = out->path();
  if (Status s = extract(la, a.get(), root, tarball, what); !s) return s;
  for (const std::string& bin : bin_files(root)) {
    struct stat st;
    fs::path p = root / bin;
    if (::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::chmod(p.c_str(), (st.st_mode | 0111) & 07777);
  }
  return out->commit();
}

}  // namespace lockcut
