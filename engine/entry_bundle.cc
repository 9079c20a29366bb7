// entry_bundle.cc: one pack's registry records in one file (see
// entry_bundle.h).
#include "lockcut/entry_bundle.h"

#include <unistd.h>

#include <libdeflate.h>

#include "lockcut/entry_cache.h"
#include "lockcut/integrity.h"
#include "record_io.h"

namespace lockcut {

namespace {

constexpr uint32_t kMagic = 0x425a434c;  // "LCZB"
constexpr uint32_t kVersion = 1;

}  // namespace

EntryBundle::EntryBundle(const std::string& dir, const std::vector<std::string>& keys)
    : dir_(dir + "/bundles"), count_(keys.size()) {
  std::string all = "bundle v" + std::to_string(kVersion) + "\n";
  size_t size = all.size();
  for (const std::string& k : keys) size += k.size() + 1;
  all.reserve(size);
  for (const std::string& k : keys) {
    all += k;
    all += '\0';
  }
  Sha256 d = sha256(all.data(), all.size());
  path_ = dir_ + "/" + to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())) +
          ".bundle";
}

bool EntryBundle::load() {
  records_.clear();
  hold_.reset();
  damaged_ = false;
  std::optional<detail::MappedFile> file = detail::map_file(path_);
  if (!file) return false;
  auto damaged = [&] {
    remove();
    records_.clear();
    damaged_ = true;
    return false;
  };
  const std::span<const uint8_t> bytes = file->bytes;
  detail::RecordReader r{bytes.data(), bytes.data() + bytes.size()};
  if (r.le(4) != kMagic || r.le(4) != kVersion || r.le(4) != count_) return damaged();
  std::vector<uint64_t> sizes(count_);
  for (uint64_t& size : sizes) size = r.le(8);
  const size_t header = size_t(r.p - bytes.data());
  if (!r.ok || r.le(4) != libdeflate_crc32(0, bytes.data(), header)) return damaged();
  records_.reserve(count_);
  for (uint64_t size : sizes) {
    std::string_view record = r.view(size);
    if (!r.ok) return damaged();
    records_.emplace_back(reinterpret_cast<const uint8_t*>(record.data()), record.size());
  }
  if (r.p != r.end) return damaged();
  hold_ = std::move(file->hold);
  return true;
}

std::span<const uint8_t> EntryBundle::record(size_t i) const {
  return i < records_.size() ? records_[i] : std::span<const uint8_t>{};
}

Status EntryBundle::store(const std::vector<std::span<const uint8_t>>& records) const {
  detail::RecordWriter header;
  header.u32(kMagic);
  header.u32(kVersion);
  header.u32(uint32_t(records.size()));
  for (const auto& r : records) header.u64(r.size());
  header.seal();
  // the records go from where they are (mapped, or just stored), not copied
  std::vector<std::span<const uint8_t>> parts;
  parts.reserve(records.size() + 1);
  parts.emplace_back(header.bytes);
  parts.insert(parts.end(), records.begin(), records.end());
  return detail::write_file_atomically(path_, dir_ + "/tmp", parts);
}

void EntryBundle::remove() const { ::unlink(path_.c_str()); }

}  // namespace lockcut
