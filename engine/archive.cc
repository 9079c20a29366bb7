// archive.cc: write_archive: a temporary file, the zip (zip.cc) or tar
// writer, then the rename into place; and the Lambda size checks.
//
// Tar goes through libarchive (pax_restricted: plain ustar headers unless a
// name or size needs a pax record). Tar is not compressed by lockcut unless
// the name asks for gzip, and then libarchive's gzip filter writes no
// timestamp or name into its header, so the bytes stay reproducible.
#include "lockcut/archive.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "archive_api.h"
#include "lockcut/output.h"
#include "zip.h"

namespace lockcut {

int64_t archive_mtime_from_env() {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    char* end = nullptr;
    long long v = std::strtoll(sde, &end, 10);
    if (end && *end == '\0' && v >= 0) return std::max<int64_t>(v, 315532800);
  }
  return 315532800;  // 1980-01-01T00:00:00Z
}

uint32_t normalized_mode(uint32_t mode) { return (mode & 0111) ? 0755 : 0644; }

std::vector<std::string> lambda_limit_warnings(uint64_t unzipped, std::optional<uint64_t> zipped,
                                               uint64_t entries) {
  std::vector<std::string> w;
  auto mib = [](uint64_t b) { return std::to_string((b * 10 / 1048576) / 10) + "." +
                                     std::to_string((b * 10 / 1048576) % 10) + " MiB"; };
  if (zipped && *zipped >= kLambdaZippedLimit) {
    w.push_back("the zip is " + mib(*zipped) +
                ", over Lambda's 50 MiB limit for a direct upload: upload it through S3, or move "
                "packages into a layer");
  }
  if (unzipped >= kLambdaUnzippedLimit) {
    w.push_back("the package is " + mib(unzipped) +
                " unzipped, over Lambda's 250 MiB limit for a function and its layers");
  }
  if (entries > 60000) {
    w.push_back(std::to_string(entries) + " entries is near the 65,535 a zip holds without ZIP64");
  }
  return w;
}

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Error tar_unsupported(Error e) {
  e.hints.push_back("or write a zip (--zip), which lockcut writes without libarchive");
  return e;
}

Result<uint64_t> write_tar(const std::string& path, bool gzip, const PackPlan& plan,
                           const std::vector<detail::ArchiveItem>& items,
                           const ArchiveOptions& options) {
  auto api = detail::archive_api();
  if (!api) return tar_unsupported(api.take_error());
  const detail::ArchiveApi& la = *api.value();
  struct archive* a = la.write_new();
  auto fail = [&](const std::string& what) {
    int err = la.error_number(a);
    Error e = system_error("cannot write '" + path + "': " + what + ": " +
                               (la.error_string(a) ? la.error_string(a) : "unknown error") +
                               (err > 0 ? std::string(" (") + std::strerror(err) + ")" : ""),
                           write_error_hints(err));
    la.write_free(a);
    return e;
  };
  la.write_set_format_pax_restricted(a);
  if (gzip) {
    la.write_add_filter_gzip(a);
    la.write_set_filter_option(a, "gzip", "timestamp", nullptr);
  }
  la.write_set_bytes_in_last_block(a, 1);
  if (la.write_open_filename(a, path.c_str()) != ARCHIVE_OK) return fail("open");
  std::atomic<bool>& stop = interrupt_flag();
  std::vector<char> buf(1 << 16);
  struct archive_entry* entry = la.entry_new();
  for (const detail::ArchiveItem& item : items) {
    if (stop.load()) {
      la.entry_free(entry);
      la.write_free(a);
      return interrupted_error();
    }
    la.entry_clear(entry);
    std::string name(item.name);
    if (!item.entry) name.pop_back();
    la.entry_set_pathname_utf8(entry, name.c_str());
    la.entry_set_mtime(entry, options.mtime, 0);
    la.entry_set_uid(entry, 0);
    la.entry_set_gid(entry, 0);
    int fd = -1;
    std::string source;
    if (!item.entry) {
      la.entry_set_filetype(entry, AE_IFDIR);
      la.entry_set_perm(entry, 0755);
    } else if (item.entry->type == EntryType::symlink) {
      la.entry_set_filetype(entry, AE_IFLNK);
      la.entry_set_perm(entry, 0777);
      la.entry_set_symlink_utf8(entry, item.entry->target.c_str());
    } else {
      la.entry_set_filetype(entry, AE_IFREG);
      la.entry_set_perm(entry, normalized_mode(item.entry->mode));
      la.entry_set_size(entry, int64_t(item.entry->size));
      source = plan.source_of(*item.entry);
      fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) {
        Error e = system_error("cannot read '" + source + "': " + std::strerror(errno));
        la.entry_free(entry);
        la.write_free(a);
        return e;
      }
    }
    if (la.write_header(a, entry) != ARCHIVE_OK) {
      if (fd >= 0) ::close(fd);
      la.entry_free(entry);
      return fail("header of '" + name + "'");
    }
    if (fd >= 0) {
      uint64_t left = item.entry->size;
      while (left > 0) {
        ssize_t n = ::read(fd, buf.data(), std::min<uint64_t>(buf.size(), left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ::close(fd);
          la.entry_free(entry);
          la.write_free(a);
          return user_error("'" + source + "' changed while lockcut was packing it",
                            {"run again when nothing is writing into node_modules"});
        }
        if (la.write_data(a, buf.data(), size_t(n)) != n) {
          ::close(fd);
          la.entry_free(entry);
          return fail("data of '" + name + "'");
        }
        left -= uint64_t(n);
      }
      ::close(fd);
      if (options.progress) options.progress->fetch_add(1);
    }
  }
  la.entry_free(entry);
  if (la.write_close(a) != ARCHIVE_OK) return fail("close");
  la.write_free(a);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return system_error("cannot stat '" + path + "'");
  return uint64_t(st.st_size);
}

}  // namespace

Status check_tar_support() {
  auto api = detail::archive_api();
  if (!api) return tar_unsupported(api.take_error());
  return Ok{};
}

Result<WriteStats> write_archive(const PackPlan& plan, const std::string& dest,
                                 const ArchiveOptions& options) {
  auto temp = TempOutput::create(dest, options.replace);
  if (!temp) return temp.take_error();
  Result<uint64_t> size = uint64_t(0);
  WriteStats stats = written(plan);
  if (options.format == ArchiveFormat::zip) {
    int fd = ::open(temp->path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return system_error("cannot create '" + temp->path() + "': " + std::strerror(errno));
    size = detail::write_zip(fd, temp->path(), plan, options, stats);
    if (::close(fd) != 0 && size) {
      size = system_error("cannot write '" + temp->path() + "': " + std::strerror(errno));
    }
  } else {
    size = write_tar(temp->path(), ends_with(dest, ".gz") || ends_with(dest, ".tgz"), plan,
                     detail::archive_items(plan), options);
  }
  if (!size) return size.take_error();
  stats.output_bytes = size.value();
  if (Status s = temp->commit(); !s) return s.take_error();
  return stats;
}

}  // namespace lockcut
