// binary.cc: sniffing ELF, Mach-O and PE files (see binary.h).
//
// ELF answers the most questions. The machine and os are in the first 20
// bytes. The libc and the glibc/libstdc++ versions come from the dynamic
// linking tables: DT_NEEDED names (libc.so.6 or libc.musl-*), PT_INTERP (the
// loader's path) and the version needs (.gnu.version_r: one Verneed per
// library, each with a chain of Vernaux naming GLIBC_2.x, GLIBCXX_3.4.x...),
// as auditwheel's elf_find_versioned_symbols reads them. The version needs
// are found through the section headers when there are some, else through
// DT_VERNEED, whose address is mapped to a file offset through the PT_LOAD
// segments (strip --strip-section-headers and some packers drop them).
//
// Every offset and count comes from the file, so all of them are checked
// against what was actually read: a Bytes view returns 0 past its end, reads
// stop at the end of the file and are capped, and chains are walked a
// bounded number of steps.
#include "lockcut/binary.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

namespace lockcut {

namespace {

constexpr uint64_t kHeadBytes = 4096;        // ELF/PE header, Mach-O fat table
constexpr uint64_t kMaxTable = 4u << 20;     // 65535 section headers of 64 bytes
constexpr uint64_t kMaxDynamic = 1u << 20;   // 65536 Elf64_Dyn
constexpr uint64_t kMaxVerneed = 1u << 20;
constexpr uint64_t kMaxName = 256;           // library and version names
constexpr unsigned kMaxChain = 4096;         // Verneed/Vernaux/DT_NEEDED steps

// ELF gABI and GNU constants.
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr uint32_t kShtDynamic = 6, kShtGnuVerneed = 0x6ffffffe;
constexpr uint64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10;
constexpr uint64_t kDtVerneed = 0x6ffffffe, kDtVerneednum = 0x6fffffff;

// An open regular file, read at offsets: never past its end, never more
// than asked.
class File {
 public:
  explicit File(const std::string& path) {
    // O_NONBLOCK: a FIFO in a package folder must not hang the audit.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd_ >= 0 && (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) {
      ::close(fd_);
      fd_ = -1;
    }
    if (fd_ >= 0) size_ = uint64_t(st.st_size);
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  bool ok() const { return fd_ >= 0; }

  /// Up to `n` bytes at `off`, fewer at the end of the file or on an error.
  std::string read(uint64_t off, uint64_t n) const {
    std::string out;
    if (fd_ < 0 || off >= size_) return out;
    out.resize(size_t(std::min(n, size_ - off)));
    size_t got = 0;
    while (got < out.size()) {
      ssize_t r = ::pread(fd_, out.data() + got, out.size() - got, off_t(off + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += size_t(r);
    }
    out.resize(got);
    return out;
  }

  /// The NUL-terminated string at `table + index`, or "" when it does not
  /// end inside the table (`table_size`) or within kMaxName bytes.
  std::string name(uint64_t table, uint64_t table_size, uint64_t index) const {
    if (index >= table_size || table > std::numeric_limits<uint64_t>::max() - index) return {};
    std::string s = read(table + index, std::min(kMaxName, table_size - index));
    size_t nul = s.find('\0');
    if (nul == std::string::npos) return {};
    s.resize(nul);
    return s;
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Integers at offsets of a buffer, in the file's byte order; 0 past the end.
struct Bytes {
  std::string_view data;
  bool big = false;

  bool has(uint64_t off, uint64_t n) const { return off <= data.size() && n <= data.size() - off; }
  uint64_t get(uint64_t off, unsigned n) const {
    if (!has(off, n)) return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      v = v << 8 | uint8_t(data[size_t(off) + (big ? i : n - 1 - i)]);
    }
    return v;
  }
  uint16_t u16(uint64_t off) const { return uint16_t(get(off, 2)); }
  uint32_t u32(uint64_t off) const { return uint32_t(get(off, 4)); }
  uint64_t u64(uint64_t off) const { return get(off, 8); }
};

bool starts_with_digit(std::string_view s, size_t at) {
  return at < s.size() && s[at] >= '0' && s[at] <= '9';
}

void keep_max(std::string& best, std::string_view version) {
  if (best.empty() || compare_dotted(version, best) > 0) best = version;
}

// ---- ELF ----

std::string elf_cpu(uint16_t machine, bool is64, bool big) {
  switch (machine) {
    case 62: return "x64";
    case 183: return "arm64";
    case 3: return "ia32";
    case 40: return "arm";
    case 243: return is64 ? "riscv64" : "riscv32";
    case 21: return "ppc64";
    case 20: return "ppc";
    case 22: return is64 ? "s390x" : "s390";
    case 8: return is64 ? "mips64el" : (big ? "mips" : "mipsel");
    case 258: return "loong64";
    default: return {};
  }
}

struct Segment {
  uint64_t vaddr = 0, offset = 0, filesz = 0;
};

struct Section {
  uint32_t type = 0, link = 0, info = 0;
  uint64_t offset = 0, size = 0;
};

// A string table: file offset and size (size unknown: the rest of the file).
struct StrTab {
  uint64_t offset = 0, size = 0;
  bool found = false;
};

// What the dynamic linking tables say, before it becomes a BinaryInfo.
struct ElfNeeds {
  bool musl = false, glibc = false;
};

class ElfReader {
 public:
  ElfReader(const File& file, std::string_view head, BinaryInfo& info)
      : file_(file), info_(info) {
    is64_ = head[4] == 2;
    h_ = Bytes{head, head[5] == 2};
  }

  void run() {
    const Bytes& h = h_;
    if (h.has(0x10, 2)) info_.shared_object = h.u16(0x10) == 3;
    if (h.has(0x12, 2)) info_.cpu = elf_cpu(h.u16(0x12), is64_, h.big);
    if (!h.has(0, is64_ ? 64 : 52)) return;
    read_program_headers(word(h, is64_ ? 0x20 : 0x1c), h.u16(is64_ ? 0x36 : 0x2a),
                         h.u16(is64_ ? 0x38 : 0x2c));
    read_section_headers(word(h, is64_ ? 0x28 : 0x20), h.u16(is64_ ? 0x3a : 0x2e),
                         h.u16(is64_ ? 0x3c : 0x30));
    read_dynamic();
    read_version_needs();
    if (needs_.musl) {
      info_.libc = "musl";
    } else if (needs_.glibc || !info_.glibc.empty()) {
      info_.libc = "glibc";
    }
  }

 private:
  uint64_t word(const Bytes& b, uint64_t off) const { return is64_ ? b.u64(off) : b.u32(off); }
  Bytes bytes(std::string_view data) const { return Bytes{data, h_.big}; }

  void read_program_headers(uint64_t off, uint16_t entsize, uint16_t count) {
    if (entsize < (is64_ ? 56 : 32) || count == 0) return;
    std::string table = file_.read(off, std::min<uint64_t>(uint64_t(entsize) * count, kMaxTable));
    Bytes t = bytes(table);
    for (uint64_t at = 0; t.has(at, entsize); at += entsize) {
      uint32_t type = t.u32(at);
      Segment s;
      s.offset = word(t, at + (is64_ ? 8 : 4));
      s.vaddr = word(t, at + (is64_ ? 16 : 8));
      s.filesz = word(t, at + (is64_ ? 32 : 16));
      if (type == kPtLoad) loads_.push_back(s);
      if (type == kPtDynamic) dynamic_ = s;
      if (type == kPtInterp) {
        std::string interp = file_.name(s.offset, s.filesz, 0);
        if (interp.find("ld-musl") != std::string::npos) needs_.musl = true;
        if (interp.find("ld-linux") != std::string::npos) needs_.glibc = true;
      }
    }
  }

  void read_section_headers(uint64_t off, uint16_t entsize, uint16_t count) {
    // count 0 with sections is extended numbering (>= 0xff00 sections):
    // never a native addon, so treated as no section headers.
    if (off == 0 || entsize < (is64_ ? 64 : 40) || count == 0) return;
    std::string table = file_.read(off, std::min<uint64_t>(uint64_t(entsize) * count, kMaxTable));
    Bytes t = bytes(table);
    for (uint64_t at = 0; t.has(at, entsize); at += entsize) {
      Section s;
      s.type = t.u32(at + 4);
      s.offset = word(t, at + (is64_ ? 24 : 16));
      s.size = word(t, at + (is64_ ? 32 : 20));
      s.link = t.u32(at + (is64_ ? 40 : 24));
      s.info = t.u32(at + (is64_ ? 44 : 28));
      sections_.push_back(s);
    }
  }

  // The file offset of a virtual address, through the PT_LOAD segment that
  // holds it in the file.
  std::optional<uint64_t> to_offset(uint64_t vaddr) const {
    for (const Segment& s : loads_) {
      if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return s.offset + (vaddr - s.vaddr);
    }
    return std::nullopt;
  }

  // The string table a section links to (.dynamic -> .dynstr).
  StrTab linked_strtab(const Section& s) const {
    if (s.link == 0 || s.link >= sections_.size()) return {};
    const Section& t = sections_[s.link];
    return StrTab{t.offset, t.size, true};
  }

  void read_dynamic() {
    uint64_t off = dynamic_.offset, size = dynamic_.filesz;
    for (const Section& s : sections_) {
      if (s.type != kShtDynamic) continue;
      if (size == 0) off = s.offset, size = s.size;
      strtab_ = linked_strtab(s);
      break;
    }
    if (size == 0) return;
    std::string data = file_.read(off, std::min(size, kMaxDynamic));
    Bytes d = bytes(data);
    const unsigned step = is64_ ? 16 : 8;
    std::vector<uint64_t> needed;
    uint64_t strtab_vaddr = 0, strsz = 0;
    bool has_strtab = false;
    for (uint64_t at = 0; d.has(at, step); at += step) {
      uint64_t tag = word(d, at), val = word(d, at + step / 2);
      if (tag == kDtNull) break;
      if (tag == kDtNeeded && needed.size() < kMaxChain) needed.push_back(val);
      if (tag == kDtStrtab) strtab_vaddr = val, has_strtab = true;
      if (tag == kDtStrsz) strsz = val;
      if (tag == kDtVerneed) verneed_vaddr_ = val, has_verneed_ = true;
      if (tag == kDtVerneednum) verneed_count_ = val;
    }
    if (!strtab_.found && has_strtab) {
      if (auto o = to_offset(strtab_vaddr)) {
        strtab_ = StrTab{*o, strsz ? strsz : std::numeric_limits<uint64_t>::max(), true};
      }
    }
    if (!strtab_.found) return;
    for (uint64_t index : needed) {
      std::string lib = file_.name(strtab_.offset, strtab_.size, index);
      if (lib.starts_with("libc.musl-")) needs_.musl = true;
      if (lib == "libc.so.6") needs_.glibc = true;
    }
  }

  void read_version_needs() {
    uint64_t off = 0, size = 0, count = 0;
    StrTab names;
    for (const Section& s : sections_) {
      if (s.type != kShtGnuVerneed) continue;
      off = s.offset, size = s.size, count = s.info;
      names = linked_strtab(s);
      break;
    }
    if (!names.found && has_verneed_) {
      auto o = to_offset(verneed_vaddr_);
      if (!o) return;
      off = *o, size = kMaxVerneed, count = verneed_count_;
      names = strtab_;
    }
    if (!names.found || size == 0) return;
    std::string data = file_.read(off, std::min(size, kMaxVerneed));
    Bytes v = bytes(data);
    // Elf32_Verneed and Elf64_Verneed are the same 16 bytes, as are Vernaux.
    uint64_t at = 0;
    for (unsigned i = 0; i < kMaxChain && (count == 0 || i < count) && v.has(at, 16); ++i) {
      uint16_t aux_count = v.u16(at + 2);
      if (file_.name(names.offset, names.size, v.u32(at + 4)) == "libc.so.6") needs_.glibc = true;
      uint64_t aux = at + v.u32(at + 8);
      for (unsigned j = 0; j < aux_count && j < kMaxChain && v.has(aux, 16); ++j) {
        note_version(file_.name(names.offset, names.size, v.u32(aux + 8)));
        uint32_t next = v.u32(aux + 12);
        if (next == 0) break;
        aux += next;
      }
      uint32_t next = v.u32(at + 12);
      if (next == 0) break;
      at += next;
    }
  }

  // GLIBC_PRIVATE, GCC_x and CXXABI_TM_1 are not versions we compare.
  void note_version(std::string_view name) {
    if (name.starts_with("GLIBC_") && starts_with_digit(name, 6)) {
      keep_max(info_.glibc, name.substr(6));
    } else if (name.starts_with("GLIBCXX_") && starts_with_digit(name, 8)) {
      keep_max(info_.glibcxx, name.substr(8));
    } else if (name.starts_with("CXXABI_") && starts_with_digit(name, 7)) {
      keep_max(info_.cxxabi, name.substr(7));
    }
  }

  const File& file_;
  BinaryInfo& info_;
  Bytes h_;
  bool is64_ = true;
  std::vector<Segment> loads_;
  Segment dynamic_;
  std::vector<Section> sections_;
  StrTab strtab_;  // .dynstr
  ElfNeeds needs_;
  uint64_t verneed_vaddr_ = 0, verneed_count_ = 0;
  bool has_verneed_ = false;
};

// ---- Mach-O ----

constexpr uint32_t kMhMagic = 0xfeedface, kMhMagic64 = 0xfeedfacf;
constexpr uint32_t kFatMagic = 0xcafebabe, kFatMagic64 = 0xcafebabf;
// Java .class files share 0xcafebabe; their major version (>= 45) sits
// where nfat_arch is, so a small count tells the two apart.
constexpr uint32_t kMaxFatArch = 30;

std::string macho_cpu(uint32_t cputype) {
  switch (cputype) {
    case 0x01000007: return "x64";
    case 0x0100000c: return "arm64";
    case 7: return "ia32";
    case 12: return "arm";
    case 18: return "ppc";
    case 0x01000012: return "ppc64";
    default: return {};
  }
}

// MH_DYLIB or MH_BUNDLE (what node addons are).
bool macho_library(uint32_t filetype) { return filetype == 6 || filetype == 8; }

std::optional<BinaryInfo> sniff_macho_fat(const File& file, Bytes h) {
  uint32_t count = h.u32(4);
  if (count == 0 || count > kMaxFatArch) return std::nullopt;
  BinaryInfo info;
  info.format = BinaryFormat::macho;
  info.os = "darwin";
  const unsigned entsize = h.u32(0) == kFatMagic64 ? 32 : 20;
  std::vector<std::string> cpus;
  for (uint32_t i = 0; i < count && h.has(8 + uint64_t(i) * entsize, entsize); ++i) {
    uint64_t at = 8 + uint64_t(i) * entsize;
    std::string cpu = macho_cpu(h.u32(at));
    if (!cpu.empty() && std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) {
      info.cpu += (cpus.empty() ? "" : "+") + cpu;
      cpus.push_back(std::move(cpu));
    }
    if (i == 0) {
      uint64_t offset = entsize == 32 ? h.u64(at + 8) : h.u32(at + 8);
      std::string slice = file.read(offset, 16);
      Bytes s{slice, false};
      s.big = s.u32(0) != kMhMagic && s.u32(0) != kMhMagic64;
      info.shared_object = macho_library(s.u32(12));
    }
  }
  return info;
}

BinaryInfo sniff_macho_thin(Bytes h) {
  BinaryInfo info;
  info.format = BinaryFormat::macho;
  info.os = "darwin";
  if (h.has(4, 4)) info.cpu = macho_cpu(h.u32(4));
  if (h.has(12, 4)) info.shared_object = macho_library(h.u32(12));
  return info;
}

// ---- PE ----

std::optional<BinaryInfo> sniff_pe(const File& file, Bytes h) {
  if (!h.has(0x3c, 4)) return std::nullopt;
  std::string coff = file.read(h.u32(0x3c), 24);
  if (coff.size() < 4 || std::memcmp(coff.data(), "PE\0\0", 4) != 0) return std::nullopt;
  Bytes c{coff, false};
  BinaryInfo info;
  info.format = BinaryFormat::pe;
  info.os = "win32";
  switch (c.u16(4)) {
    case 0x8664: info.cpu = "x64"; break;
    case 0xaa64: info.cpu = "arm64"; break;
    case 0x14c: info.cpu = "ia32"; break;
    case 0x1c4: info.cpu = "arm"; break;
    default: break;
  }
  if (c.has(22, 2)) info.shared_object = (c.u16(22) & 0x2000) != 0;  // IMAGE_FILE_DLL
  return info;
}

}  // namespace

std::optional<BinaryInfo> sniff_binary(const std::string& path) {
  File file(path);
  if (!file.ok()) return std::nullopt;
  std::string head = file.read(0, kHeadBytes);
  if (head.size() < 4) return std::nullopt;
  Bytes le{head, false}, be{head, true};

  if (std::memcmp(head.data(), "\x7f" "ELF", 4) == 0) {
    BinaryInfo info;
    info.format = BinaryFormat::elf;
    info.os = head.size() > 7 && head[7] == 9 ? "freebsd" : "linux";
    // Without a known class and byte order nothing else can be read.
    if (head.size() < 6 || (head[4] != 1 && head[4] != 2) || (head[5] != 1 && head[5] != 2)) {
      return info;
    }
    ElfReader(file, head, info).run();
    return info;
  }
  if (le.u32(0) == kMhMagic || le.u32(0) == kMhMagic64) return sniff_macho_thin(le);
  if (be.u32(0) == kMhMagic || be.u32(0) == kMhMagic64) return sniff_macho_thin(be);
  if (be.u32(0) == kFatMagic || be.u32(0) == kFatMagic64) return sniff_macho_fat(file, be);
  if (head[0] == 'M' && head[1] == 'Z') return sniff_pe(file, le);
  return std::nullopt;
}

int compare_dotted(std::string_view a, std::string_view b) {
  // One number of a dotted version: its leading digits (saturated), then
  // everything up to and including the next dot.
  auto take = [](std::string_view& s) {
    uint64_t n = 0;
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      n = std::min<uint64_t>(n * 10 + uint64_t(s[i] - '0'), uint64_t(1) << 60);
    }
    size_t dot = s.find('.', i);
    s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    return n;
  };
  while (!a.empty() || !b.empty()) {
    uint64_t x = take(a), y = take(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace lockcut
