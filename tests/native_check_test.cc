// native_check_test.cc: engine/binary.cc.
//
// Binaries are made by hand (binary_writer.h) so each header field and each
// way to find the version needs is exercised on purpose; the real ELF files
// of this machine are sniffed too and compared with readelf's answer when
// readelf is installed.
#include <gnu/libc-version.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "binary_writer.h"
#include "lockcut/binary.h"
#include "test_project.h"

namespace lockcut::test {
namespace {

constexpr uint16_t kX64 = 62, kArm64 = 183, kI386 = 3, kPpc = 20, kS390 = 22;
constexpr uint32_t kMachX64 = 0x01000007, kMachArm64 = 0x0100000c;

// A folder of test files, removed with the object.
class Files {
 public:
  Files() : dir_(ProjectFiles{}) {}
  std::string write(const std::string& rel, const std::string& bytes, mode_t mode = 0644) const {
    dir_.write(rel, bytes);
    std::string path = dir_.dir() + "/" + rel;
    ::chmod(path.c_str(), mode);
    return path;
  }
  const std::string& dir() const { return dir_.dir(); }

 private:
  TestProject dir_;
};

std::optional<BinaryInfo> sniff_bytes(const Files& files, const std::string& bytes,
                                      const std::string& name = "x.node") {
  return sniff_binary(files.write(name, bytes));
}

// ---- sniffing ----

TEST(NativeCheckSniff, Elf64TakesTheHighestVersionPerFamily) {
  Files files;
  ElfSpec s;
  s.needed = {"libstdc++.so.6", "libm.so.6", "libc.so.6"};
  s.verneed = {
      {"libstdc++.so.6", {"GLIBCXX_3.4.9", "CXXABI_1.3.13", "GLIBCXX_3.4.30", "CXXABI_1.3.9"}},
      {"libm.so.6", {"GLIBC_2.29"}},
      {"libc.so.6", {"GLIBC_2.2.5", "GLIBC_PRIVATE", "GLIBC_2.38", "GLIBC_2.4"}},
  };
  auto info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, BinaryFormat::elf);
  EXPECT_EQ(info->cpu, "x64");
  EXPECT_EQ(info->os, "linux");
  EXPECT_EQ(info->libc, "glibc");
  // numeric, not textual: 2.38 > 2.4, 3.4.30 > 3.4.9, 1.3.13 > 1.3.9
  EXPECT_EQ(info->glibc, "2.38");
  EXPECT_EQ(info->glibcxx, "3.4.30");
  EXPECT_EQ(info->cxxabi, "1.3.13");
  EXPECT_TRUE(info->shared_object);
}

TEST(NativeCheckSniff, Elf32AndBigEndian) {
  Files files;
  ElfSpec s = glibc_addon(kI386, "2.3.4");
  s.is64 = false;
  auto info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "ia32");
  EXPECT_EQ(info->glibc, "2.3.4");
  EXPECT_EQ(info->libc, "glibc");

  s = glibc_addon(kPpc, "2.17");
  s.is64 = false;
  s.big = true;
  info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "ppc");
  EXPECT_EQ(info->glibc, "2.17");

  s = glibc_addon(kS390, "2.33", "3.4.28");
  s.big = true;
  info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "s390x");
  EXPECT_EQ(info->glibc, "2.33");
  EXPECT_EQ(info->glibcxx, "3.4.28");
}

TEST(NativeCheckSniff, VersionNeedsWithoutSectionHeadersComeFromPtDynamic) {
  Files files;
  for (bool is64 : {true, false}) {
    ElfSpec s = glibc_addon(kArm64, "2.35", "3.4.29");
    s.is64 = is64;
    s.section_headers = false;
    auto info = sniff_bytes(files, make_elf(s));
    ASSERT_TRUE(info) << is64;
    EXPECT_EQ(info->cpu, "arm64");
    EXPECT_EQ(info->glibc, "2.35") << is64;
    EXPECT_EQ(info->glibcxx, "3.4.29") << is64;
    EXPECT_EQ(info->libc, "glibc");
  }
}

TEST(NativeCheckSniff, VersionNeedsFromSectionHeadersWithoutDtVerneed) {
  Files files;
  ElfSpec s = glibc_addon(kX64, "2.28");
  s.dt_verneed = false;
  auto info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->glibc, "2.28");

  // neither way: nothing to find, and no guess
  s.section_headers = false;
  info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->glibc, "");
  EXPECT_EQ(info->libc, "glibc");  // DT_NEEDED libc.so.6 still says so
}

TEST(NativeCheckSniff, MuslFromNeededOrInterpreter) {
  Files files;
  ElfSpec s;
  s.needed = {"libstdc++.so.6", "libc.musl-x86_64.so.1"};
  auto info = sniff_bytes(files, make_elf(s));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->libc, "musl");
  EXPECT_EQ(info->glibc, "");

  ElfSpec exe;
  exe.machine = kArm64;
  exe.type = 2;  // ET_EXEC
  exe.interp = "/lib/ld-musl-aarch64.so.1";
  exe.section_headers = false;
  info = sniff_bytes(files, make_elf(exe), "bin/tool");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->libc, "musl");
  EXPECT_EQ(info->cpu, "arm64");
  EXPECT_FALSE(info->shared_object);

  exe.interp = "/lib64/ld-linux-x86-64.so.2";
  exe.machine = kX64;
  info = sniff_bytes(files, make_elf(exe), "bin/tool");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->libc, "glibc");
}

TEST(NativeCheckSniff, StaticElfHasNoLibcAndFreeBsdIsNotLinux) {
  Files files;
  auto info = sniff_bytes(files, make_elf(ElfSpec{}));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->libc, "");
  EXPECT_EQ(info->glibc, "");
  EXPECT_EQ(info->os, "linux");

  ElfSpec bsd = glibc_addon();
  bsd.osabi = 9;
  info = sniff_bytes(files, make_elf(bsd));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->os, "freebsd");
}

TEST(NativeCheckSniff, MachOThinAndFat) {
  Files files;
  auto info = sniff_bytes(files, make_macho(kMachArm64));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, BinaryFormat::macho);
  EXPECT_EQ(info->os, "darwin");
  EXPECT_EQ(info->cpu, "arm64");
  EXPECT_TRUE(info->shared_object);  // MH_BUNDLE

  info = sniff_bytes(files, make_macho(7, 2, false, true));  // 32-bit, big-endian, MH_EXECUTE
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "ia32");
  EXPECT_FALSE(info->shared_object);

  for (bool fat64 : {false, true}) {
    info = sniff_bytes(files, make_fat_macho({kMachX64, kMachArm64}, fat64));
    ASSERT_TRUE(info) << fat64;
    EXPECT_EQ(info->format, BinaryFormat::macho);
    EXPECT_EQ(info->cpu, "x64+arm64");
    EXPECT_TRUE(info->shared_object);
  }
}

TEST(NativeCheckSniff, JavaClassIsNotFatMachO) {
  Files files;
  // magic, minor 0, major 52 (Java 8): nfat_arch would read as 52
  std::string java("\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x10", 10);
  EXPECT_FALSE(sniff_bytes(files, java, "A.class"));
}

TEST(NativeCheckSniff, PeMachines) {
  Files files;
  auto info = sniff_bytes(files, make_pe(0x8664), "a.dll");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, BinaryFormat::pe);
  EXPECT_EQ(info->os, "win32");
  EXPECT_EQ(info->cpu, "x64");
  EXPECT_TRUE(info->shared_object);
  info = sniff_bytes(files, make_pe(0xaa64, false), "a.exe");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "arm64");
  EXPECT_FALSE(info->shared_object);
  info = sniff_bytes(files, make_pe(0x14c), "a.dll");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cpu, "ia32");
}

TEST(NativeCheckSniff, NotBinaries) {
  Files files;
  EXPECT_FALSE(sniff_bytes(files, "#!/bin/sh\necho hi\n", "run.sh"));
  EXPECT_FALSE(sniff_bytes(files, "", "empty"));
  EXPECT_FALSE(sniff_bytes(files, "\x7f" "EL", "short"));
  EXPECT_FALSE(sniff_bytes(files, std::string(200, 'M'), "mmm"));
  EXPECT_FALSE(sniff_bytes(files, "MZ is how this text starts, and it goes on for a while..."
                                  "........................................", "mz.txt"));
  EXPECT_FALSE(sniff_binary(files.dir() + "/missing.node"));
  EXPECT_FALSE(sniff_binary(files.dir()));  // a folder
}

TEST(NativeCheckSniff, TruncatedElfNeverInventsAMachine) {
  Files files;
  const std::string full = make_elf(glibc_addon(kX64, "2.38", "3.4.30"));
  for (size_t n = 4; n < full.size(); ++n) {
    auto info = sniff_bytes(files, full.substr(0, n));
    ASSERT_TRUE(info) << n;
    EXPECT_EQ(info->format, BinaryFormat::elf) << n;
    // the machine is either read whole or not at all
    EXPECT_EQ(info->cpu, n >= 20 ? "x64" : "") << n;
    EXPECT_TRUE(info->glibc.empty() || info->glibc == "2.38") << n;
    EXPECT_TRUE(info->glibcxx.empty() || info->glibcxx == "3.4.30") << n;
  }
}

TEST(NativeCheckSniff, CorruptInputsDoNotCrash) {
  // Random byte and word mutations of well-formed files: whatever comes out,
  // sniffing returns (run under ASan/UBSan to catch reads out of bounds).
  Files files;
  std::vector<std::string> seeds;
  for (bool is64 : {true, false}) {
    for (bool big : {false, true}) {
      for (bool sections : {true, false}) {
        ElfSpec s = glibc_addon(kX64, "2.38", "3.4.30");
        s.is64 = is64, s.big = big, s.section_headers = sections;
        s.interp = "/lib64/ld-linux-x86-64.so.2";
        seeds.push_back(make_elf(s));
      }
    }
  }
  seeds.push_back(make_fat_macho({kMachX64, kMachArm64}, true));
  seeds.push_back(make_pe(0x8664));

  std::mt19937 rng(20240611);
  int parsed = 0;
  for (int i = 0; i < 600; ++i) {
    std::string bytes = seeds[size_t(i) % seeds.size()];
    int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = 4 + rng() % (bytes.size() - 4);  // keep the magic
      switch (rng() % 4) {
        case 0: bytes[at] = char(rng()); break;
        case 1: bytes[at] = char(0xff); break;
        case 2:  // a whole word: offsets, sizes and counts
          for (size_t k = 0; k < 4 && at + k < bytes.size(); ++k) bytes[at + k] = char(rng());
          break;
        default: bytes.resize(std::max<size_t>(5, at)); break;
      }
    }
    auto info = sniff_bytes(files, bytes);
    if (info) {
      ++parsed;
      EXPECT_NE(info->format, BinaryFormat::none);
    }
  }
  EXPECT_GT(parsed, 500);  // the magic was kept: nearly all still sniff
}

TEST(NativeCheckSniff, CompareDotted) {
  EXPECT_LT(compare_dotted("2.34", "2.38"), 0);
  EXPECT_LT(compare_dotted("2.4", "2.38"), 0);
  EXPECT_GT(compare_dotted("3.4.30", "3.4.9"), 0);
  EXPECT_EQ(compare_dotted("2.34", "2.34.0"), 0);
  EXPECT_EQ(compare_dotted("2.34", "2.34"), 0);
  EXPECT_GT(compare_dotted("2.34.1", "2.34"), 0);
  EXPECT_LT(compare_dotted("", "1"), 0);
  EXPECT_GT(compare_dotted("10", "9"), 0);
}

// ---- the live comparison: this machine's binaries, and readelf ----

bool have_readelf() { return std::system("readelf --version >/dev/null 2>&1") == 0; }

// Highest version per family in readelf's "Version needs" section only (the
// "Version definition" section of libc or libstdc++ lists what they define).
struct ReadelfNeeds {
  std::string glibc, glibcxx;
};

ReadelfNeeds readelf_needs(const std::string& path) {
  ReadelfNeeds out;
  std::string cmd = "readelf -V --wide '" + path + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  bool in_needs = false;
  char line[4096];
  while (std::fgets(line, sizeof line, p)) {
    std::string_view l = line;
    if (l.starts_with("Version needs section")) in_needs = true;
    else if (l.starts_with("Version ")) in_needs = false;
    size_t at = l.find("Name: ");
    if (!in_needs || at == std::string_view::npos) continue;
    std::string_view name = l.substr(at + 6);
    name = name.substr(0, name.find_first_of(" \t\n"));
    auto keep = [&](std::string& best, std::string_view prefix) {
      if (!name.starts_with(prefix) || name.size() == prefix.size()) return;
      char c = name[prefix.size()];
      if (c < '0' || c > '9') return;
      std::string_view v = name.substr(prefix.size());
      if (best.empty() || compare_dotted(v, best) > 0) best = v;
    };
    keep(out.glibc, "GLIBC_");
    keep(out.glibcxx, "GLIBCXX_");
  }
  ::pclose(p);
  return out;
}

std::vector<std::string> real_elf_files() {
  std::vector<std::string> out;
  for (const char* p : {"/usr/bin/node", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                        "/usr/lib/x86_64-linux-gnu/libarchive.so.13", "/usr/bin/cmake",
                        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/bin/ls"}) {
    if (std::filesystem::exists(p)) out.push_back(std::filesystem::canonical(p).string());
  }
  return out;
}

std::string host_cpu() {
#if defined(__x86_64__)
  return "x64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "";
#endif
}

TEST(NativeCheckLive, RealBinariesMatchReadelf) {
  std::vector<std::string> files = real_elf_files();
  if (files.empty() || host_cpu().empty()) GTEST_SKIP() << "no known ELF files on this machine";
  const bool readelf = have_readelf();
  for (const std::string& f : files) {
    auto info = sniff_binary(f);
    ASSERT_TRUE(info) << f;
    EXPECT_EQ(info->format, BinaryFormat::elf) << f;
    EXPECT_EQ(info->cpu, host_cpu()) << f;
    EXPECT_EQ(info->os, "linux") << f;
    EXPECT_EQ(info->libc, "glibc") << f;
    ASSERT_FALSE(info->glibc.empty()) << f;
    // nothing on this machine can need a newer glibc than the one it runs
    EXPECT_LE(compare_dotted(info->glibc, gnu_get_libc_version()), 0) << f << " " << info->glibc;
    EXPECT_GE(compare_dotted(info->glibc, "2.2"), 0) << f;
    if (readelf) {
      ReadelfNeeds r = readelf_needs(f);
      EXPECT_EQ(info->glibc, r.glibc) << f;
      EXPECT_EQ(info->glibcxx, r.glibcxx) << f;
    }
  }
  if (!readelf) GTEST_SKIP() << "readelf not installed: versions checked for plausibility only";
}

TEST(NativeCheckLive, GeneratedFilesMatchReadelf) {
  if (!have_readelf()) GTEST_SKIP() << "readelf not installed";
  Files files;
  for (bool is64 : {true, false}) {
    for (bool big : {false, true}) {
      ElfSpec s = glibc_addon(kX64, "2.38", "3.4.30");
      s.is64 = is64, s.big = big;
      std::string path = files.write("gen.so", make_elf(s));
      ReadelfNeeds r = readelf_needs(path);
      EXPECT_EQ(r.glibc, "2.38") << is64 << big;  // the writer is right
      EXPECT_EQ(r.glibcxx, "3.4.30") << is64 << big;
      auto info = sniff_binary(path);
      ASSERT_TRUE(info);
      EXPECT_EQ(info->glibc, r.glibc);
      EXPECT_EQ(info->glibcxx, r.glibcxx);
    }
  }
}

}  // namespace
}  // namespace lockcut::test
