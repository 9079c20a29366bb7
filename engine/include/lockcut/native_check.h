// native_check.h: will the native binaries of a pack plan load on the target?
//
// A Lambda function fails at its first require when a `.node` addon was
// built for the developer's Mac, for x64 while the function runs on arm64,
// against musl (Alpine), or against a newer glibc or libstdc++ than the
// runtime's image has (nodejs18.x: glibc 2.26; nodejs20.x and later on
// Amazon Linux 2023: glibc 2.34, GLIBCXX_3.4.29). check_native finds these
// before the upload: it sniffs every file of the plan that can be a binary
// (binary.h) and compares it with the target.
//
// node-gyp-build is taken into account: it loads `build/Release/*.node`
// before `prebuilds/<platform>-<arch>/`, so a host-built build/Release
// shadows a good prebuild (an error whose hint says so), and prebuilds for
// other platforms are never loaded (a warning; --strip-foreign-prebuilds
// drops them, is_foreign_prebuild).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/plan.h"

namespace lockcut {

/// The machine the packed binaries must load on.
struct NativeTarget {
  std::string os = "linux";   ///< process.platform spelling
  std::string cpu;            ///< process.arch spelling: x64, arm64
  std::string libc = "glibc"; ///< glibc or musl ("" = do not check)
  std::string glibc_max;      ///< highest GLIBC_ version available, "2.34"; "" = do not check
  std::string glibcxx_max;    ///< highest GLIBCXX_ version available, "3.4.29"; "" = do not check
  std::string runtime;        ///< "nodejs22.x", for messages only
};

/// How bad a finding is: an error will fail at require time on the target,
/// a warning is dead weight.
enum class Severity : uint8_t { error, warning };

/// One problem with one binary of the plan.
struct NativeFinding {
  Severity severity = Severity::error;
  std::string package;   ///< name@version; "" for the project's own files
  std::string location;  ///< the package's lockfile location
  std::string file;      ///< output-relative path (PlanEntry::dest)
  std::string problem;   ///< "ELF for x86-64 (x64), target arm64"
  std::string hint;      ///< what to do about it
};

/// Audits the binaries of `plan` for `target`: every regular file named
/// `.node`, `.so`, `.so.N`, `.dylib`, `.dll` or `.exe`, with an exec bit, or
/// under a `bin/` folder is sniffed (others are not opened), in parallel on
/// `jobs` threads (0: TBB's default). Findings are sorted by file.
std::vector<NativeFinding> check_native(const PackPlan& plan, const NativeTarget& target,
                                        int jobs = 0);

/// True when `dest` lies inside a `prebuilds/<platform>-<arch>[+<arch>...]/`
/// folder that node-gyp-build never picks on `target` (another platform, or
/// none of the arches), or is a `.node` there tagged for the other libc
/// (`node.napi.musl.node` on glibc).
bool is_foreign_prebuild(std::string_view dest, const NativeTarget& target);

}  // namespace lockcut
