// record_io.cc: reading, sealing and atomically writing cache records (see
// record_io.h).
#include "record_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <libdeflate.h>

#include "lockcut/output.h"

namespace lockcut::detail {

namespace {
constexpr size_t kMapAbove = 256 << 10;
}  // namespace

std::string key_name(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string name(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) name[size_t(i)] = kDigits[h & 15];
  return name;
}

void RecordWriter::seal() { u32(uint32_t(libdeflate_crc32(0, bytes.data(), bytes.size()))); }

std::optional<MappedFile> map_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  size_t size = size_t(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile{};
  }
  if (size < kMapAbove) {
    // a small file costs less read than mapped and unmapped
    std::shared_ptr<uint8_t[]> buf(new uint8_t[size]);
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::read(fd, buf.get() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += size_t(n);
    }
    ::close(fd);
    std::span<const uint8_t> bytes(buf.get(), done);
    return MappedFile{std::move(buf), bytes};
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return std::nullopt;
  std::shared_ptr<const void> hold(p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  return MappedFile{std::move(hold), {static_cast<const uint8_t*>(p), size}};
}

std::optional<std::span<const uint8_t>> unseal(std::span<const uint8_t> record) {
  if (record.size() < 4) return std::nullopt;
  size_t body = record.size() - 4;
  RecordReader r{record.data() + body, record.data() + record.size()};
  if (r.le(4) != libdeflate_crc32(0, record.data(), body)) return std::nullopt;
  return record.first(body);
}

Status write_file_atomically(const std::string& dest, const std::string& tmp_dir,
                             std::span<const uint8_t> bytes) {
  const std::span<const uint8_t> parts[] = {bytes};
  return write_file_atomically(dest, tmp_dir, parts);
}

Status write_file_atomically(const std::string& dest, const std::string& tmp_dir,
                             std::span<const std::span<const uint8_t>> parts) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir, ec);
  if (!ec) std::filesystem::create_directories(std::filesystem::path(dest).parent_path(), ec);
  if (ec) return system_error("cannot create '" + tmp_dir + "': " + ec.message());
  std::string temp = tmp_dir + "/" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + ".part";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return system_error("cannot create '" + temp + "': " + std::strerror(errno));
  int err = 0;
  for (std::span<const uint8_t> bytes : parts) {
    for (size_t done = 0; done < bytes.size() && err == 0;) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      else done += size_t(n);
    }
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), dest.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return system_error("cannot write '" + dest + "': " + std::strerror(err), write_error_hints(err));
  }
  return Ok{};
}

}  // namespace lockcut::detail
