// binary.h: what machine, os and libc a native file (ELF, Mach-O, PE) needs.
//
// sniff_binary reads only the headers and the few tables that answer the
// question (ELF: program and section headers, the dynamic section, the
// version needs and the strings they name), each read with pread and capped,
// so auditing a tree of large shared objects costs a few KiB per file. The
// constants are the ELF gABI's, mach-o/loader.h's and the PE/COFF spec's.
// Truncated or corrupt files give what could be read (never a guess), so a
// fuzzed input can only lose information, not invent it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockcut {

/// The container format of a binary.
enum class BinaryFormat : uint8_t { none, elf, macho, pe };

/// What a binary is built for and what it needs from the system.
struct BinaryInfo {
  BinaryFormat format = BinaryFormat::none;
  /// node's process.arch spelling: x64, arm64, ia32, arm, riscv64, ppc64,
  /// s390x...; a fat Mach-O lists its slices ("x64+arm64"); "" unknown.
  std::string cpu;
  /// linux (ELF), freebsd (ELF with OSABI FreeBSD), darwin (Mach-O), win32 (PE).
  std::string os;
  /// ELF only: "glibc" (libc.so.6, GLIBC_ versions or the glibc loader),
  /// "musl" (libc.musl-* or the musl loader), "" unknown or static.
  std::string libc;
  std::string glibc;    ///< highest GLIBC_x.y needed ("2.38"); "" none
  std::string glibcxx;  ///< highest GLIBCXX_3.4.x needed; "" none
  std::string cxxabi;   ///< highest CXXABI_1.3.x needed; "" none
  /// A library rather than a program: ELF ET_DYN, Mach-O dylib or bundle, PE DLL.
  bool shared_object = false;
};

/// The binary at `path`, or nullopt when it cannot be read or has no ELF,
/// Mach-O (thin or fat) or PE magic. A bare `MZ` without a `PE\0\0` header
/// (DOS programs, text that starts with "MZ") is not a binary here.
std::optional<BinaryInfo> sniff_binary(const std::string& path);

/// Compares dotted numbers ("2.34" < "2.38", "3.4.9" < "3.4.29", "2.34" ==
/// "2.34.0"): negative, zero or positive like strcmp.
int compare_dotted(std::string_view a, std::string_view b);

}  // namespace lockcut
