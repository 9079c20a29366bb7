// native_check.cc: the native binaries of a plan against the target (see
// native_check.h).
//
// Which files are read: names that only binaries have, plus anything with an
// exec bit or under a bin/ folder (prebuilt tools such as esbuild's). The
// rest of a tree (typically >99% of its files, all JavaScript) is never
// opened. Choosing them is one pass over the plan in slices, and reading is
// a few small preads per candidate, both spread over TBB workers: on a cold
// cache the wait is the disk's, not the parsing's.
//
// Each binary is judged in a fixed order, and a failure that makes the later
// questions meaningless stops there: wrong format or os, then wrong cpu, then
// wrong libc; glibc and libstdc++ versions are reported together.
#include "lockcut/native_check.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "lockcut/binary.h"

namespace lockcut {

namespace {

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// libfoo.so.1, libfoo.so.1.2.3
bool versioned_so(std::string_view name) {
  size_t at = name.rfind(".so.");
  if (at == std::string_view::npos || at + 4 == name.size()) return false;
  return std::all_of(name.begin() + long(at) + 4, name.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

bool may_be_binary(const PlanEntry& e) {
  if (e.type != EntryType::file || !e.has_source()) return false;
  std::string_view name = base_name(e.dest);
  for (std::string_view ext : {".node", ".so", ".dylib", ".dll", ".exe"}) {
    if (name.ends_with(ext)) return true;
  }
  return versioned_so(name) || (e.mode & 0111) != 0 || e.dest.starts_with("bin/") ||
         e.dest.find("/bin/") != std::string::npos;
}

// The parts of `.../prebuilds/<platform>-<archs>/<...>/<file>`.
struct PrebuildPath {
  std::string_view tuple, platform, archs, file;
};

std::optional<PrebuildPath> prebuild_path(std::string_view dest) {
  // The last `prebuilds/` with a tuple folder and something inside it.
  size_t at = dest.size();
  while (at > 0) {
    size_t found = dest.rfind("prebuilds/", at - 1);
    if (found == std::string_view::npos) return std::nullopt;
    at = found;
    if (found != 0 && dest[found - 1] != '/') continue;
    std::string_view rest = dest.substr(found + 10);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 == rest.size()) continue;
    std::string_view tuple = rest.substr(0, slash);
    size_t dash = tuple.find('-');
    if (dash == std::string_view::npos || dash == 0) continue;
    return PrebuildPath{tuple, tuple.substr(0, dash), tuple.substr(dash + 1), base_name(dest)};
  }
  return std::nullopt;
}

bool has_arch(std::string_view archs, std::string_view cpu) {
  while (true) {
    size_t plus = archs.find('+');
    if (archs.substr(0, plus) == cpu) return true;
    if (plus == std::string_view::npos) return false;
    archs.remove_prefix(plus + 1);
  }
}

// The libc tag of a prebuildify file name (`node.napi.musl.node`), or "".
std::string_view libc_tag(std::string_view file) {
  if (!file.ends_with(".node")) return {};
  file.remove_suffix(5);
  while (!file.empty()) {
    size_t dot = file.find('.');
    std::string_view tag = file.substr(0, dot);
    if (tag == "glibc" || tag == "musl") return tag;
    if (dot == std::string_view::npos) break;
    file.remove_prefix(dot + 1);
  }
  return {};
}

// The package-relative path of an entry ("" when it is not inside it).
std::string_view relative_to(std::string_view dest, std::string_view package_dest) {
  if (package_dest.empty()) return dest;
  if (dest.size() <= package_dest.size() || !dest.starts_with(package_dest) ||
      dest[package_dest.size()] != '/') {
    return {};
  }
  return dest.substr(package_dest.size() + 1);
}

std::string machine_name(std::string_view cpu) {
  if (cpu == "x64") return "x86-64";
  if (cpu == "arm64") return "aarch64";
  if (cpu == "ia32") return "i386";
  if (cpu == "arm") return "ARM";
  if (cpu == "riscv64") return "RISC-V";
  return std::string(cpu);
}

std::string_view format_name(BinaryFormat format) {
  switch (format) {
    case BinaryFormat::macho: return "Mach-O (macOS) binary";
    case BinaryFormat::pe: return "Windows PE binary";
    case BinaryFormat::elf: return "ELF";
    case BinaryFormat::none: break;
  }
  return "binary";
}

BinaryFormat native_format(std::string_view os) {
  if (os == "darwin") return BinaryFormat::macho;
  if (os == "win32") return BinaryFormat::pe;
  return BinaryFormat::elf;
}

bool cpu_fits(std::string_view cpus, std::string_view cpu) {
  return cpus.empty() || cpu.empty() || has_arch(cpus, cpu);
}

struct Problem {
  Severity severity = Severity::error;
  std::string problem, hint;
};

class Judge {
 public:
  explicit Judge(const NativeTarget& t) : t_(t) {}

  std::vector<Problem> operator()(const BinaryInfo& b) const {
    std::vector<Problem> out;
    std::string what(format_name(b.format));
    if (b.format != native_format(t_.os) || b.os != t_.os) {
      if (b.format == BinaryFormat::elf) what += " (" + b.os + ")";
      if (!b.cpu.empty()) what += " for " + b.cpu;
      out.push_back({Severity::error, what + ", target " + tuple(), install_hint()});
      return out;
    }
    if (!cpu_fits(b.cpu, t_.cpu)) {
      out.push_back({Severity::error,
                     what + " for " + machine_name(b.cpu) + " (" + b.cpu + "), target " + t_.cpu,
                     install_hint()});
      return out;
    }
    if (b.format != BinaryFormat::elf) return out;
    if (!t_.libc.empty() && !b.libc.empty() && b.libc != t_.libc) {
      std::string built = b.libc == "musl" ? "musl (Alpine)" : b.libc;
      out.push_back({Severity::error, "built for " + built + ", target " + t_.libc,
                     install_hint() + ", or rebuild it on a " + t_.libc + " system"});
      return out;
    }
    if (!t_.glibc_max.empty() && !b.glibc.empty() && compare_dotted(b.glibc, t_.glibc_max) > 0) {
      out.push_back({Severity::error,
                     "needs GLIBC_" + b.glibc + ", " + runtime() + " has glibc " + t_.glibc_max,
                     rebuild_hint() + ", or use a release built for glibc <= " + t_.glibc_max});
    }
    if (!t_.glibcxx_max.empty() && !b.glibcxx.empty() &&
        compare_dotted(b.glibcxx, t_.glibcxx_max) > 0) {
      out.push_back({Severity::error,
                     "needs GLIBCXX_" + b.glibcxx + ", " + runtime() + " has up to GLIBCXX_" +
                         t_.glibcxx_max,
                     rebuild_hint() + ", or link libstdc++ statically (-static-libstdc++)"});
    }
    return out;
  }

  std::string tuple() const { return t_.os + "-" + t_.cpu; }

 private:
  std::string runtime() const { return t_.runtime.empty() ? "the target" : t_.runtime; }

  std::string install_hint() const {
    std::string npm = "npm install --os=" + t_.os + " --cpu=" + t_.cpu;
    if (!t_.libc.empty() && t_.os == "linux") npm += " --libc=" + t_.libc;
    return "install the package's build for " + tuple() + " (" + npm + ")";
  }

  // Lambda's build images are public.ecr.aws/lambda/nodejs:<major>.
  std::string rebuild_hint() const {
    std::string_view r = t_.runtime;
    if (r.starts_with("nodejs") && r.ends_with(".x") && r.size() > 8) {
      return "rebuild inside the runtime's image (public.ecr.aws/lambda/nodejs:" +
             std::string(r.substr(6, r.size() - 8)) + ")";
    }
    return "rebuild on a system with the target's glibc";
  }

  const NativeTarget& t_;
};

}  // namespace

bool is_foreign_prebuild(std::string_view dest, const NativeTarget& target) {
  std::optional<PrebuildPath> p = prebuild_path(dest);
  if (!p) return false;
  if (p->platform != target.os || !cpu_fits(p->archs, target.cpu)) return true;
  std::string_view libc = libc_tag(p->file);
  return !libc.empty() && !target.libc.empty() && libc != target.libc;
}

std::vector<NativeFinding> check_native(const PackPlan& plan, const NativeTarget& target,
                                        int jobs) {
  // One pass over the plan, in slices across the workers (a large project
  // has tens of thousands of entries): which entries may be binaries, and
  // node-gyp-build's lookup, which packages ship prebuilds/ at their root
  // and which of those have a .node it would load on the target.
  const size_t n = plan.entries.size();
  std::vector<uint8_t> candidate(n, 0);
  std::unique_ptr<std::atomic<uint8_t>[]> has_prebuilds(new std::atomic<uint8_t>[plan.packages.size()]());
  std::unique_ptr<std::atomic<uint8_t>[]> loadable(new std::atomic<uint8_t>[plan.packages.size()]());
  std::vector<size_t> candidates;
  std::vector<std::optional<BinaryInfo>> infos;
  auto scan = [&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 2048), [&](const tbb::blocked_range<size_t>& r) {
      for (size_t i = r.begin(); i < r.end(); ++i) {
        const PlanEntry& e = plan.entries[i];
        candidate[i] = may_be_binary(e);
        if (e.package >= plan.packages.size()) continue;
        std::string_view rel = relative_to(e.dest, plan.packages[e.package].dest);
        if (rel.starts_with("prebuilds/")) has_prebuilds[e.package].store(1, std::memory_order_relaxed);
        if (!rel.ends_with(".node")) continue;
        if (rel.starts_with("build/Release/") ||
            (prebuild_path(e.dest) && !is_foreign_prebuild(e.dest, target))) {
          loadable[e.package].store(1, std::memory_order_relaxed);
        }
      }
    });
    for (size_t i = 0; i < n; ++i) {
      if (candidate[i]) candidates.push_back(i);
    }
    infos.resize(candidates.size());
    tbb::parallel_for(size_t(0), candidates.size(), [&](size_t i) {
      infos[i] = sniff_binary(plan.source_of(plan.entries[candidates[i]]));
    });
  };
  if (jobs > 0) {
    tbb::task_arena(jobs).execute(scan);
  } else {
    scan();
  }

  Judge judge(target);
  std::vector<NativeFinding> findings;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!infos[i]) continue;
    const PlanEntry& e = plan.entries[candidates[i]];
    const PlanPackage* pkg = e.package < plan.packages.size() ? &plan.packages[e.package] : nullptr;
    auto add = [&](Severity severity, std::string problem, std::string hint) {
      NativeFinding f{severity, "", "", e.dest, std::move(problem), std::move(hint)};
      if (pkg && e.package != kOwnFiles) {
        f.package = pkg->name + "@" + pkg->version;
        f.location = pkg->location;
      }
      findings.push_back(std::move(f));
    };
    if (is_foreign_prebuild(e.dest, target)) {
      // node-gyp-build picks its own folder: dead weight, not a failure.
      std::optional<PrebuildPath> p = prebuild_path(e.dest);
      std::string_view libc = libc_tag(p->file);
      std::string where = std::string(p->tuple) + (libc.empty() ? "" : " " + std::string(libc));
      std::string on = judge.tuple() + (libc.empty() ? "" : " " + target.libc);
      add(Severity::warning, "prebuild for " + where + ", never loaded on " + on,
          "--strip-foreign-prebuilds drops it");
      continue;
    }
    std::string_view rel = pkg ? relative_to(e.dest, pkg->dest) : std::string_view();
    bool shadows_prebuilds = pkg && has_prebuilds[e.package] && rel.starts_with("build/Release/") &&
                             rel.ends_with(".node");
    for (Problem& p : judge(*infos[i])) {
      if (shadows_prebuilds) {
        p.hint = "build/Release was built on the host and overrides prebuilds/ (node-gyp-build "
                 "loads build/Release first): remove build/Release, or rebuild on the target";
      }
      add(p.severity, std::move(p.problem), std::move(p.hint));
    }
  }
  // A package with prebuilds/ but none node-gyp-build would pick on the
  // target (and no build/Release) throws at require time there.
  for (size_t i = 0; i < plan.packages.size(); ++i) {
    if (!has_prebuilds[i] || loadable[i] || i == kOwnFiles) continue;
    const PlanPackage& p = plan.packages[i];
    findings.push_back({Severity::warning, p.name + "@" + p.version, p.location, p.dest + "/prebuilds/",
                        "no prebuild for " + judge.tuple() + (target.libc.empty() ? "" : " " + target.libc) +
                            " and no build/Release: node-gyp-build throws when it is required",
                        "fine when its dependents can do without it (ws falls back to JavaScript "
                        "without bufferutil or utf-8-validate); else build it on the target"});
  }
  std::stable_sort(findings.begin(), findings.end(),
                   [](const NativeFinding& a, const NativeFinding& b) { return a.file < b.file; });
  return findings;
}

}  // namespace lockcut
