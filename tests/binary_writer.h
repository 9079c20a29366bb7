// binary_writer.h: tiny ELF, Mach-O and PE files for the native-check tests.
//
// make_elf writes a minimal but well-formed shared object (readelf -d -V
// reads it): an ELF header, PT_LOAD over the whole file at a non-zero base
// address (so vaddr -> offset mapping is exercised), PT_DYNAMIC, optional
// PT_INTERP, .dynstr, .gnu.version_r, .dynamic and .shstrtab, with or
// without section headers. Layout and constants follow the ELF gABI; no
// code, no symbols: the sniffer reads none.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lockcut::test {

/// What the generated ELF says.
struct ElfSpec {
  bool is64 = true;
  bool big = false;
  uint16_t machine = 62;  ///< EM_X86_64
  uint16_t type = 3;      ///< ET_DYN
  uint8_t osabi = 0;
  std::vector<std::string> needed;  ///< DT_NEEDED
  /// .gnu.version_r: vn_file and its vna_names.
  std::vector<std::pair<std::string, std::vector<std::string>>> verneed;
  std::string interp;            ///< PT_INTERP, "" for none
  bool section_headers = true;   ///< false: e_shoff = 0, found via PT_DYNAMIC only
  bool dt_verneed = true;        ///< false: no DT_VERNEED/NUM, found via sections only
};

/// A byte buffer written in one byte order.
class ByteWriter {
 public:
  explicit ByteWriter(bool big) : big_(big) {}
  void put(size_t off, uint64_t v, unsigned n) {
    if (out_.size() < off + n) out_.resize(off + n);
    for (unsigned i = 0; i < n; ++i) out_[off + (big_ ? n - 1 - i : i)] = char(v >> (8 * i));
  }
  size_t append(const std::string& bytes) {
    size_t at = out_.size();
    out_ += bytes;
    return at;
  }
  size_t align(size_t n) {
    out_.resize((out_.size() + n - 1) / n * n);
    return out_.size();
  }
  size_t size() const { return out_.size(); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool big_;
};

/// The ELF file `spec` describes.
inline std::string make_elf(const ElfSpec& spec) {
  const bool w64 = spec.is64;
  const unsigned word = w64 ? 8 : 4;
  const size_t ehsize = w64 ? 64 : 52, phentsize = w64 ? 56 : 32, shentsize = w64 ? 64 : 40;
  const uint64_t base = 0x10000;  // vaddr = base + offset
  const size_t phnum = spec.interp.empty() ? 2 : 3;
  ByteWriter b(spec.big);
  b.put(ehsize + phnum * phentsize - 1, 0, 1);

  size_t interp_off = 0;
  if (!spec.interp.empty()) interp_off = b.append(spec.interp + std::string(1, '\0'));

  // .dynstr
  std::string dynstr(1, '\0');
  auto intern = [&](const std::string& s) {
    size_t at = dynstr.size();
    dynstr += s + std::string(1, '\0');
    return uint32_t(at);
  };
  std::vector<uint32_t> needed;
  for (const auto& n : spec.needed) needed.push_back(intern(n));
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> verneed;
  for (const auto& [file, names] : spec.verneed) {
    verneed.push_back({intern(file), {}});
    for (const auto& n : names) verneed.back().second.push_back(intern(n));
  }
  const size_t dynstr_off = b.append(dynstr);

  // .gnu.version_r: Verneed {u16 version, u16 cnt, u32 file, u32 aux, u32
  // next}, each followed by its Vernaux {u32 hash, u16 flags, u16 other, u32
  // name, u32 next}
  const size_t verneed_off = b.align(8);
  size_t at = verneed_off;
  uint16_t other = 2;
  for (size_t i = 0; i < verneed.size(); ++i) {
    const auto& [file, names] = verneed[i];
    size_t len = 16 + 16 * names.size();
    b.put(at, 1, 2);
    b.put(at + 2, names.size(), 2);
    b.put(at + 4, file, 4);
    b.put(at + 8, names.empty() ? 0 : 16, 4);
    b.put(at + 12, i + 1 == verneed.size() ? 0 : len, 4);
    for (size_t j = 0; j < names.size(); ++j) {
      size_t aux = at + 16 + 16 * j;
      b.put(aux, 0x1234 + j, 4);
      b.put(aux + 4, 0, 2);
      b.put(aux + 6, other++, 2);
      b.put(aux + 8, names[j], 4);
      b.put(aux + 12, j + 1 == names.size() ? 0 : 16, 4);
    }
    at += len;
  }
  const size_t verneed_size = at - verneed_off;

  // .dynamic
  const size_t dynamic_off = b.align(8);
  std::vector<std::pair<uint64_t, uint64_t>> dyn;
  for (uint32_t n : needed) dyn.push_back({1, n});  // DT_NEEDED
  dyn.push_back({5, base + dynstr_off});             // DT_STRTAB
  dyn.push_back({10, dynstr.size()});                // DT_STRSZ
  if (spec.dt_verneed && !verneed.empty()) {
    dyn.push_back({0x6ffffffe, base + verneed_off});  // DT_VERNEED
    dyn.push_back({0x6fffffff, verneed.size()});      // DT_VERNEEDNUM
  }
  dyn.push_back({0, 0});  // DT_NULL
  for (size_t i = 0; i < dyn.size(); ++i) {
    b.put(dynamic_off + i * 2 * word, dyn[i].first, word);
    b.put(dynamic_off + i * 2 * word + word, dyn[i].second, word);
  }
  const size_t dynamic_size = dyn.size() * 2 * word;

  // .shstrtab and the section headers: null, .dynstr, .gnu.version_r,
  // .dynamic, .shstrtab
  size_t shoff = 0, shnum = 0;
  if (spec.section_headers) {
    const std::string shstr = std::string("\0.dynstr\0.gnu.version_r\0.dynamic\0.shstrtab\0", 43);
    const size_t shstr_off = b.append(shstr);
    shoff = b.align(8);
    shnum = 5;
    struct Sh {
      uint32_t name, type;
      size_t off, size;
      uint32_t link, info;
      size_t entsize;
    };
    const Sh sh[5] = {
        {0, 0, 0, 0, 0, 0, 0},
        {1, 3, dynstr_off, dynstr.size(), 0, 0, 0},
        {9, 0x6ffffffe, verneed_off, verneed_size, 1, uint32_t(verneed.size()), 0},
        {24, 6, dynamic_off, dynamic_size, 1, 0, 2 * word},
        {33, 3, shstr_off, shstr.size(), 0, 0, 0},
    };
    for (size_t i = 0; i < 5; ++i) {
      size_t s = shoff + i * shentsize;
      b.put(s + shentsize - 1, 0, 1);
      b.put(s, sh[i].name, 4);
      b.put(s + 4, sh[i].type, 4);
      b.put(s + 8, i == 0 || i == 4 ? 0 : 2, word);  // sh_flags: SHF_ALLOC
      b.put(s + (w64 ? 16 : 12), i == 0 || i == 4 ? 0 : base + sh[i].off, word);  // sh_addr
      b.put(s + (w64 ? 24 : 16), sh[i].off, word);
      b.put(s + (w64 ? 32 : 20), sh[i].size, word);
      b.put(s + (w64 ? 40 : 24), sh[i].link, 4);
      b.put(s + (w64 ? 44 : 28), sh[i].info, 4);
      b.put(s + (w64 ? 48 : 32), i == 0 ? 0 : 8, word);  // sh_addralign
      b.put(s + (w64 ? 56 : 36), sh[i].entsize, word);
    }
  }
  const size_t file_size = b.size();

  // ELF header
  b.put(0, 0x7f, 1);
  b.put(1, 'E', 1);
  b.put(2, 'L', 1);
  b.put(3, 'F', 1);
  b.put(4, w64 ? 2 : 1, 1);
  b.put(5, spec.big ? 2 : 1, 1);
  b.put(6, 1, 1);
  b.put(7, spec.osabi, 1);
  b.put(16, spec.type, 2);
  b.put(18, spec.machine, 2);
  b.put(20, 1, 4);
  size_t h = 24 + word;  // after e_entry
  b.put(h, ehsize, word);  // e_phoff: right after the header
  b.put(h + word, shoff, word);
  h += 2 * word + 4;  // e_flags
  b.put(h, ehsize, 2);
  b.put(h + 2, phentsize, 2);
  b.put(h + 4, phnum, 2);
  b.put(h + 6, spec.section_headers ? shentsize : 0, 2);
  b.put(h + 8, shnum, 2);
  b.put(h + 10, spec.section_headers ? 4 : 0, 2);

  // Program headers: PT_LOAD, PT_DYNAMIC, PT_INTERP
  auto phdr = [&](size_t i, uint32_t type, size_t off, size_t size, uint32_t flags) {
    size_t p = ehsize + i * phentsize;
    b.put(p, type, 4);
    if (w64) {
      b.put(p + 4, flags, 4);
      b.put(p + 8, off, 8);
      b.put(p + 16, base + off, 8);
      b.put(p + 24, base + off, 8);
      b.put(p + 32, size, 8);
      b.put(p + 40, size, 8);
      b.put(p + 48, type == 1 ? 0x1000 : 8, 8);
    } else {
      b.put(p + 4, off, 4);
      b.put(p + 8, base + off, 4);
      b.put(p + 12, base + off, 4);
      b.put(p + 16, size, 4);
      b.put(p + 20, size, 4);
      b.put(p + 24, flags, 4);
      b.put(p + 28, type == 1 ? 0x1000 : 8, 4);
    }
  };
  size_t i = 0;
  if (!spec.interp.empty()) phdr(i++, 3, interp_off, spec.interp.size() + 1, 4);
  phdr(i++, 1, 0, file_size, 4);
  phdr(i++, 2, dynamic_off, dynamic_size, 6);
  return b.take();
}

/// A typical glibc x64 addon: libc.so.6 with GLIBC_2.2.5 and `glibc`, and
/// libstdc++ with `glibcxx` when it is not empty.
inline ElfSpec glibc_addon(uint16_t machine = 62, const std::string& glibc = "2.17",
                           const std::string& glibcxx = "") {
  ElfSpec s;
  s.machine = machine;
  s.needed = {"libc.so.6"};
  s.verneed = {{"libc.so.6", {"GLIBC_2.2.5", "GLIBC_" + glibc}}};
  if (!glibcxx.empty()) {
    s.needed.push_back("libstdc++.so.6");
    s.verneed.push_back({"libstdc++.so.6", {"GLIBCXX_" + glibcxx, "CXXABI_1.3"}});
  }
  return s;
}

/// A thin little-endian Mach-O header (mach_header_64 when `is64`).
inline std::string make_macho(uint32_t cputype, uint32_t filetype = 8, bool is64 = true,
                              bool big = false) {
  ByteWriter b(big);
  b.put(0, is64 ? 0xfeedfacf : 0xfeedface, 4);
  b.put(4, cputype, 4);
  b.put(8, 0, 4);         // cpusubtype
  b.put(12, filetype, 4);  // MH_BUNDLE
  b.put(16, 0, 4);        // ncmds
  b.put(20, 0, 4);
  b.put(24, 0, 4);
  if (is64) b.put(28, 0, 4);
  return b.take();
}

/// A fat Mach-O (big-endian fat_header and fat_arch or fat_arch_64) with a
/// thin 64-bit bundle per cputype.
inline std::string make_fat_macho(const std::vector<uint32_t>& cputypes, bool fat64 = false) {
  ByteWriter b(true);
  b.put(0, fat64 ? 0xcafebabf : 0xcafebabe, 4);
  b.put(4, cputypes.size(), 4);
  const size_t entsize = fat64 ? 32 : 20;
  size_t slice = 8 + entsize * cputypes.size();
  slice = (slice + 15) / 16 * 16;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < cputypes.size(); ++i) offsets.push_back(slice + 32 * i);
  for (size_t i = 0; i < cputypes.size(); ++i) {
    size_t at = 8 + entsize * i;
    b.put(at, cputypes[i], 4);
    b.put(at + 4, 0, 4);
    if (fat64) {
      b.put(at + 8, offsets[i], 8);
      b.put(at + 16, 32, 8);
      b.put(at + 24, 4, 4);
      b.put(at + 28, 0, 4);
    } else {
      b.put(at + 8, offsets[i], 4);
      b.put(at + 12, 32, 4);
      b.put(at + 16, 4, 4);
    }
  }
  std::string out = b.take();
  out.resize(slice);
  for (uint32_t cpu : cputypes) out += make_macho(cpu);
  return out;
}

/// A PE file: a DOS header whose e_lfanew points at `PE\0\0` and a COFF
/// header with `machine` and the DLL flag when `dll`.
inline std::string make_pe(uint16_t machine, bool dll = true) {
  ByteWriter b(false);
  b.put(0, 'M', 1);
  b.put(1, 'Z', 1);
  b.put(0x3c, 0x80, 4);  // e_lfanew
  b.put(0x80, 'P', 1);
  b.put(0x81, 'E', 1);
  b.put(0x82, 0, 2);
  b.put(0x84, machine, 2);
  b.put(0x86, 0, 2);  // NumberOfSections
  b.put(0x96, dll ? 0x2022 : 0x0022, 2);  // Characteristics
  return b.take();
}

}  // namespace lockcut::test
