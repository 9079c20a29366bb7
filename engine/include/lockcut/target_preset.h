// target_preset.h: `--target` and `--runtime`, the machine a package is for.
//
// `--target lambda-x64` and `lambda-arm64` are AWS Lambda's two machines
// (linux, glibc; x86_64 = node's x64, arm64 = arm64). Any other target is
// spelled as npm spells a platform: `os-cpu[-libc]` (`linux-arm64-musl`,
// `darwin-arm64`). `--runtime nodejs18.x ... nodejs24.x` says which Lambda
// Node.js runtime the binaries must load in: its Amazon Linux image fixes
// the highest glibc and libstdc++ a binary may need, and its Node major the
// engines checks (facts: AWS "Building Lambda functions with Node.js", the
// Amazon Linux 2023 user guide; GLIBCXX from gcc's ABI table).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lockcut/result.h"

namespace lockcut {

/// One Lambda Node.js runtime and what its image provides.
struct LambdaRuntime {
  std::string_view id;          ///< nodejs22.x
  std::string_view node_major;  ///< 22
  std::string_view image;       ///< Amazon Linux 2023
  std::string_view glibc;       ///< highest GLIBC_ a binary may need: 2.34
  std::string_view glibcxx;     ///< highest GLIBCXX_: 3.4.29 (gcc 11)
};

/// The runtimes lockcut knows, oldest first.
std::span<const LambdaRuntime> lambda_runtimes();

/// The runtime with this id, or nullptr.
const LambdaRuntime* find_lambda_runtime(std::string_view id);

/// The runtime a lambda target means when --runtime is not given.
inline constexpr std::string_view kDefaultLambdaRuntime = "nodejs22.x";

/// A resolved --target/--runtime.
struct TargetSpec {
  std::string name;  ///< as given (lambda-x64), or os-cpu[-libc]
  std::string os, cpu, libc;
  const LambdaRuntime* runtime = nullptr;  ///< set for lambda targets and --runtime
  /// The node version engines are checked against: the newest of the
  /// runtime's major line, which is what Lambda runs (`22.99.0`).
  std::string node_version() const;
};

/// Parses --target (may be empty: only --runtime, which implies lambda-x64's
/// os and libc but not its cpu) and --runtime (may be empty). Errors name the
/// bad value and list the accepted ones.
Result<TargetSpec> parse_target(std::string_view target, std::string_view runtime);

}  // namespace lockcut
