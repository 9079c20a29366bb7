// native_check_test.cc: engine/binary.cc and engine/native_check.cc.
//
// Binaries are made by hand (binary_writer.h) so each header field and each
// way to find the version needs is exercised on purpose; the real ELF files
// of this machine are sniffed too and compared with readelf's answer when
// readelf is installed. check_native runs on plans built by hand over a
// temporary folder, with one planted fault per test.
#include <gnu/libc-version.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "binary_writer.h"
#include "lockcut/binary.h"
#include "lockcut/native_check.h"
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

// ---- check_native on plans ----

// A plan over real files in a temporary folder, each read from the folder
// at its own `dest` (every package's source is the folder). Package 0 is
// the project.
class PlanBuilder {
 public:
  PlanBuilder() {
    plan_.packages.push_back(
        PlanPackage{"", "", "app", "1.0.0", PlanReason::own, 0, 0, files_.dir(), ""});
  }

  uint32_t package(const std::string& location, const std::string& name,
                   const std::string& version) {
    plan_.packages.push_back(PlanPackage{location, location, name, version, PlanReason::package,
                                         0, 0, files_.dir(), ""});
    return uint32_t(plan_.packages.size() - 1);
  }

  void file(const std::string& dest, const std::string& bytes, uint32_t mode = 0644,
            uint32_t package = kOwnFiles) {
    std::string source = files_.write(dest, bytes, mode);
    PlanEntry e;
    e.dest = dest;
    e.mode = mode;
    e.package = package;
    e.size = std::filesystem::file_size(source);
    plan_.entries.push_back(e);
  }

  /// An entry with the bytes of an existing file elsewhere.
  void add(const std::string& dest, const std::string& source, uint32_t mode, uint32_t package) {
    std::ifstream in(source, std::ios::binary);
    file(dest, std::string(std::istreambuf_iterator<char>(in), {}), mode, package);
  }

  const PackPlan& plan() {
    std::sort(plan_.entries.begin(), plan_.entries.end(),
              [](const PlanEntry& a, const PlanEntry& b) { return a.dest < b.dest; });
    return plan_;
  }

 private:
  Files files_;
  PackPlan plan_;
};

NativeTarget lambda(const std::string& cpu, const std::string& glibc = "2.34",
                    const std::string& runtime = "nodejs22.x") {
  NativeTarget t;
  t.cpu = cpu;
  t.glibc_max = glibc;
  t.glibcxx_max = "3.4.29";
  t.runtime = runtime;
  return t;
}

std::string dump(const std::vector<NativeFinding>& findings) {
  std::string s;
  for (const auto& f : findings) {
    s += (f.severity == Severity::error ? "error " : "warning ") + f.file + ": " + f.problem +
         " [" + f.hint + "]\n";
  }
  return s;
}

TEST(NativeCheckPlan, X64AddonOnArm64IsAnError) {
  PlanBuilder b;
  uint32_t foo = b.package("node_modules/foo", "foo", "1.2.3");
  b.file("node_modules/foo/build/Release/foo.node", make_elf(glibc_addon(kX64)), 0755, foo);
  b.file("node_modules/foo/index.js", "module.exports = require('./build/Release/foo.node')\n",
         0644, foo);

  auto findings = check_native(b.plan(), lambda("arm64"));
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  const NativeFinding& f = findings[0];
  EXPECT_EQ(f.severity, Severity::error);
  EXPECT_EQ(f.file, "node_modules/foo/build/Release/foo.node");
  EXPECT_EQ(f.package, "foo@1.2.3");
  EXPECT_EQ(f.location, "node_modules/foo");
  EXPECT_EQ(f.problem, "ELF for x86-64 (x64), target arm64");
  EXPECT_NE(f.hint.find("--cpu=arm64"), std::string::npos) << f.hint;

  EXPECT_TRUE(check_native(b.plan(), lambda("x64")).empty());
}

TEST(NativeCheckPlan, MuslAndGlibcMustMatchTheTarget) {
  PlanBuilder b;
  uint32_t p = b.package("node_modules/@scope/addon-linux-x64-musl", "@scope/addon-linux-x64-musl",
                         "2.0.0");
  ElfSpec musl;
  musl.needed = {"libc.musl-x86_64.so.1"};
  b.file("node_modules/@scope/addon-linux-x64-musl/addon.node", make_elf(musl), 0644, p);

  auto findings = check_native(b.plan(), lambda("x64"));
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].problem, "built for musl (Alpine), target glibc");
  EXPECT_NE(findings[0].hint.find("--libc=glibc"), std::string::npos);

  NativeTarget alpine = lambda("x64", "");
  alpine.libc = "musl";
  EXPECT_TRUE(check_native(b.plan(), alpine).empty()) << dump(check_native(b.plan(), alpine));

  PlanBuilder g;
  g.file("native/addon.node", make_elf(glibc_addon(kX64)));
  findings = check_native(g.plan(), alpine);
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].problem, "built for glibc, target musl");
  EXPECT_EQ(findings[0].package, "");  // the project's own file
}

TEST(NativeCheckPlan, GlibcTooNewForNode18) {
  PlanBuilder b;
  uint32_t p = b.package("node_modules/fast", "fast", "0.1.0");
  b.file("node_modules/fast/fast.linux-x64-gnu.node", make_elf(glibc_addon(kX64, "2.38")), 0644, p);

  auto findings = check_native(b.plan(), lambda("x64", "2.26", "nodejs18.x"));
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].problem, "needs GLIBC_2.38, nodejs18.x has glibc 2.26");
  EXPECT_EQ(findings[0].hint,
            "rebuild inside the runtime's image (public.ecr.aws/lambda/nodejs:18), or use a "
            "release built for glibc <= 2.26");

  EXPECT_EQ(check_native(b.plan(), lambda("x64", "2.34")).size(), 1u);  // AL2023 too
  EXPECT_TRUE(check_native(b.plan(), lambda("x64", "2.38")).empty());
  EXPECT_TRUE(check_native(b.plan(), lambda("x64", "")).empty());  // not checked
}

TEST(NativeCheckPlan, LibstdcxxTooNew) {
  PlanBuilder b;
  b.file("lib/addon.so", make_elf(glibc_addon(kArm64, "2.17", "3.4.30")));
  auto findings = check_native(b.plan(), lambda("arm64"));
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].problem, "needs GLIBCXX_3.4.30, nodejs22.x has up to GLIBCXX_3.4.29");
  EXPECT_NE(findings[0].hint.find("-static-libstdc++"), std::string::npos);

  PlanBuilder ok;
  ok.file("lib/addon.so", make_elf(glibc_addon(kArm64, "2.17", "3.4.29")));
  EXPECT_TRUE(check_native(ok.plan(), lambda("arm64")).empty());
}

TEST(NativeCheckPlan, MacAndWindowsBinariesAreErrors) {
  PlanBuilder b;
  uint32_t p = b.package("node_modules/fsevents", "fsevents", "2.3.3");
  b.file("node_modules/fsevents/fsevents.node", make_fat_macho({kMachX64, kMachArm64}), 0755, p);
  b.file("node_modules/win/helper.exe", make_pe(0x8664, false));
  b.file("node_modules/mac/lib/libfoo.dylib", make_macho(kMachX64, 6));

  auto findings = check_native(b.plan(), lambda("x64"));
  ASSERT_EQ(findings.size(), 3u) << dump(findings);
  EXPECT_EQ(findings[0].file, "node_modules/fsevents/fsevents.node");
  EXPECT_EQ(findings[0].problem, "Mach-O (macOS) binary for x64+arm64, target linux-x64");
  EXPECT_EQ(findings[0].package, "fsevents@2.3.3");
  EXPECT_EQ(findings[1].problem, "Mach-O (macOS) binary for x64, target linux-x64");
  EXPECT_EQ(findings[2].problem, "Windows PE binary for x64, target linux-x64");
  for (const auto& f : findings) EXPECT_EQ(f.severity, Severity::error);
}

TEST(NativeCheckPlan, ForeignPrebuildsAreOnlyWarnings) {
  PlanBuilder b;
  uint32_t p = b.package("node_modules/kx", "kx", "1.0.0");
  const std::string dir = "node_modules/kx/prebuilds/";
  b.file(dir + "darwin-arm64/node.napi.node", make_macho(kMachArm64), 0644, p);
  b.file(dir + "darwin-x64+arm64/node.napi.node", make_fat_macho({kMachX64, kMachArm64}), 0644, p);
  b.file(dir + "linux-arm64/node.napi.node", make_elf(glibc_addon(kArm64)), 0644, p);
  b.file(dir + "linux-x64/node.napi.glibc.node", make_elf(glibc_addon(kX64)), 0644, p);
  ElfSpec musl;
  musl.needed = {"libc.musl-x86_64.so.1"};
  b.file(dir + "linux-x64/node.napi.musl.node", make_elf(musl), 0644, p);
  b.file(dir + "win32-x64/node.napi.node", make_pe(0x8664), 0644, p);

  auto findings = check_native(b.plan(), lambda("x64"));
  ASSERT_EQ(findings.size(), 5u) << dump(findings);
  for (const auto& f : findings) {
    EXPECT_EQ(f.severity, Severity::warning) << f.file;
    EXPECT_EQ(f.hint, "--strip-foreign-prebuilds drops it");
    EXPECT_NE(f.file, dir + "linux-x64/node.napi.glibc.node");  // the one that loads
  }
  EXPECT_EQ(findings[0].problem, "prebuild for darwin-arm64, never loaded on linux-x64");
  EXPECT_EQ(findings[3].problem, "prebuild for linux-x64 musl, never loaded on linux-x64 glibc");
}

TEST(NativeCheckPlan, HostBuildReleaseShadowsPrebuilds) {
  PlanBuilder b;
  uint32_t p = b.package("node_modules/db", "db", "5.0.0");
  b.file("node_modules/db/build/Release/db.node", make_elf(glibc_addon(kX64)), 0755, p);
  b.file("node_modules/db/prebuilds/linux-arm64/node.napi.node", make_elf(glibc_addon(kArm64)),
         0644, p);
  uint32_t q = b.package("node_modules/plain", "plain", "1.0.0");
  b.file("node_modules/plain/build/Release/plain.node", make_elf(glibc_addon(kX64)), 0755, q);

  auto findings = check_native(b.plan(), lambda("arm64"));
  ASSERT_EQ(findings.size(), 2u) << dump(findings);
  EXPECT_EQ(findings[0].file, "node_modules/db/build/Release/db.node");
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_NE(findings[0].hint.find("built on the host and overrides prebuilds/"), std::string::npos)
      << findings[0].hint;
  EXPECT_NE(findings[0].hint.find("node-gyp-build loads build/Release first"), std::string::npos);
  EXPECT_NE(findings[0].hint.find("remove build/Release"), std::string::npos);
  // without prebuilds there is nothing to shadow
  EXPECT_EQ(findings[1].file, "node_modules/plain/build/Release/plain.node");
  EXPECT_EQ(findings[1].hint.find("overrides"), std::string::npos) << findings[1].hint;
}

TEST(NativeCheckPlan, IsForeignPrebuild) {
  NativeTarget x64 = lambda("x64"), arm64 = lambda("arm64");
  NativeTarget mac = lambda("arm64");
  mac.os = "darwin";
  NativeTarget musl = lambda("x64");
  musl.libc = "musl";
  const std::string d = "node_modules/a/prebuilds/";
  EXPECT_TRUE(is_foreign_prebuild(d + "darwin-arm64/node.napi.node", x64));
  EXPECT_FALSE(is_foreign_prebuild(d + "linux-x64/node.napi.node", x64));
  EXPECT_TRUE(is_foreign_prebuild(d + "linux-x64/node.napi.node", arm64));
  EXPECT_TRUE(is_foreign_prebuild(d + "linux-arm64/node.napi.node", x64));
  EXPECT_FALSE(is_foreign_prebuild(d + "darwin-x64+arm64/node.napi.node", mac));
  EXPECT_TRUE(is_foreign_prebuild(d + "darwin-x64+arm64/node.napi.node", x64));
  EXPECT_FALSE(is_foreign_prebuild(d + "linux-arm+x64/node.napi.node", x64));
  EXPECT_TRUE(is_foreign_prebuild(d + "linux-x64/node.napi.musl.node", x64));
  EXPECT_FALSE(is_foreign_prebuild(d + "linux-x64/node.napi.musl.node", musl));
  EXPECT_TRUE(is_foreign_prebuild(d + "linux-x64/node.napi.glibc.node", musl));
  EXPECT_FALSE(is_foreign_prebuild(d + "linux-x64/node.napi.glibc.node", x64));
  EXPECT_TRUE(is_foreign_prebuild("prebuilds/win32-x64/a.node", x64));  // the project's own
  // not inside a prebuilds/<platform>-<arch>/ folder
  EXPECT_FALSE(is_foreign_prebuild(d + "README.md", x64));
  EXPECT_FALSE(is_foreign_prebuild(d + "darwin-arm64", x64));
  EXPECT_FALSE(is_foreign_prebuild("node_modules/a/lib/prebuilds.js", x64));
  EXPECT_FALSE(is_foreign_prebuild("node_modules/a/myprebuilds/darwin-x64/a.node", x64));
  EXPECT_FALSE(is_foreign_prebuild("node_modules/a/build/Release/a.node", x64));
}

TEST(NativeCheckPlan, OnlyLikelyBinariesAreOpened) {
  const std::string elf = make_elf(glibc_addon(kX64));
  PlanBuilder b;
  b.file("node_modules/t/bin/cli.js", "#!/usr/bin/env node\nrequire('../lib')\n", 0755);
  b.file("node_modules/t/run.sh", "#!/bin/sh\nexec node .\n", 0755);
  b.file("node_modules/t/data.bin", elf, 0644);  // an ELF by content, not by name or mode
  EXPECT_TRUE(check_native(b.plan(), lambda("arm64")).empty());

  PlanBuilder c;
  c.file("node_modules/t/tool", elf, 0755);               // exec bit
  c.file("node_modules/t/bin/tool-linux", elf, 0644);     // under bin/
  c.file("node_modules/t/lib/libz.so.1.2.13", elf, 0644);  // versioned .so
  c.file("node_modules/t/lib/libz.so.x", elf, 0644);      // not a version: not read
  auto findings = check_native(c.plan(), lambda("arm64"));
  ASSERT_EQ(findings.size(), 3u) << dump(findings);
  EXPECT_EQ(findings[0].file, "node_modules/t/bin/tool-linux");
  EXPECT_EQ(findings[1].file, "node_modules/t/lib/libz.so.1.2.13");
  EXPECT_EQ(findings[2].file, "node_modules/t/tool");
}

TEST(NativeCheckPlan, TruncatedElfIsNotAWrongMachine) {
  const std::string elf = make_elf(glibc_addon(kX64, "2.38"));
  PlanBuilder b;
  b.file("node_modules/t/a.node", elf.substr(0, 20));
  b.file("node_modules/t/b.node", elf.substr(0, 10));
  EXPECT_TRUE(check_native(b.plan(), lambda("x64", "2.26")).empty());
  // 10 bytes hold no machine: nothing to say on arm64 either; 20 bytes do
  auto findings = check_native(b.plan(), lambda("arm64"));
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_EQ(findings[0].file, "node_modules/t/a.node");
  EXPECT_EQ(findings[0].problem, "ELF for x86-64 (x64), target arm64");
}

TEST(NativeCheckPlan, CleanTreeOfRealLibraries) {
  if (host_cpu() != "x64") GTEST_SKIP() << "x86_64 libraries expected";
  PlanBuilder b;
  uint32_t p = b.package("node_modules/real", "real", "1.0.0");
  int n = 0;
  for (const char* lib : {"libstdc++.so.6", "libz.so.1", "libm.so.6", "libarchive.so.13"}) {
    std::string path = std::string("/usr/lib/x86_64-linux-gnu/") + lib;
    if (!std::filesystem::exists(path)) continue;
    b.add("node_modules/real/lib/" + std::string(lib), std::filesystem::canonical(path), 0644, p);
    ++n;
  }
  if (n == 0) GTEST_SKIP() << "no x86_64 libraries found";
  // This machine's own libraries need at most the glibc it runs (Debian 12: 2.36).
  NativeTarget host = lambda("x64", gnu_get_libc_version(), "");
  host.glibcxx_max = "";
  EXPECT_TRUE(check_native(b.plan(), host).empty()) << dump(check_native(b.plan(), host));
  // and the check can fail on them: no real library runs on glibc 2.1
  host.glibc_max = "2.1";
  EXPECT_EQ(check_native(b.plan(), host).size(), size_t(n));
  EXPECT_EQ(check_native(b.plan(), lambda("arm64")).size(), size_t(n));
}

TEST(NativeCheckPlan, SameFindingsWhateverTheThreadCount) {
  PlanBuilder b;
  for (int i = 0; i < 60; ++i) {
    std::string name =
        "node_modules/m" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".node";
    uint16_t machine = i % 3 == 0 ? kArm64 : kX64;
    b.file(name, make_elf(glibc_addon(machine, i % 5 == 0 ? "2.38" : "2.17")));
  }
  auto one = check_native(b.plan(), lambda("x64"), 1);
  auto two = check_native(b.plan(), lambda("x64"), 2);
  auto any = check_native(b.plan(), lambda("x64"));
  EXPECT_EQ(dump(one), dump(two));
  EXPECT_EQ(dump(one), dump(any));
  // i % 3 == 0: arm64 (20); else i % 5 == 0: glibc 2.38 (every 15th of the rest: 8)
  EXPECT_EQ(one.size(), 28u) << dump(one);
  EXPECT_TRUE(std::is_sorted(one.begin(), one.end(),
                             [](const auto& a, const auto& c) { return a.file < c.file; }));
}

}  // namespace
}  // namespace lockcut::test
