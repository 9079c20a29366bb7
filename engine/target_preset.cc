// target_preset.cc: --target and --runtime (see target_preset.h).
#include "lockcut/target_preset.h"

#include <array>

namespace lockcut {

namespace {

// nodejs18.x runs on Amazon Linux 2 (glibc 2.26, gcc 7.3: GLIBCXX_3.4.24);
// the later ones on Amazon Linux 2023 (glibc 2.34, gcc 11: GLIBCXX_3.4.29).
constexpr std::array<LambdaRuntime, 4> kRuntimes{{
    {"nodejs18.x", "18", "Amazon Linux 2", "2.26", "3.4.24"},
    {"nodejs20.x", "20", "Amazon Linux 2023", "2.34", "3.4.29"},
    {"nodejs22.x", "22", "Amazon Linux 2023", "2.34", "3.4.29"},
    {"nodejs24.x", "24", "Amazon Linux 2023", "2.34", "3.4.29"},
}};

bool known(std::string_view value, std::initializer_list<std::string_view> list) {
  for (std::string_view v : list) {
    if (v == value) return true;
  }
  return false;
}

std::string runtime_ids() {
  std::string s;
  for (const LambdaRuntime& r : kRuntimes) s += (s.empty() ? "" : ", ") + std::string(r.id);
  return s;
}

}  // namespace

std::span<const LambdaRuntime> lambda_runtimes() { return kRuntimes; }

const LambdaRuntime* find_lambda_runtime(std::string_view id) {
  for (const LambdaRuntime& r : kRuntimes) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::string TargetSpec::node_version() const {
  return runtime ? std::string(runtime->node_major) + ".99.0" : std::string();
}

Result<TargetSpec> parse_target(std::string_view target, std::string_view runtime) {
  TargetSpec spec;
  spec.name = std::string(target);
  if (!runtime.empty()) {
    spec.runtime = find_lambda_runtime(runtime);
    if (!spec.runtime) {
      return user_error("unknown --runtime '" + std::string(runtime) + "'",
                        {"use one of " + runtime_ids()});
    }
    spec.os = "linux";
    spec.libc = "glibc";
  }
  if (target.empty()) return spec;
  if (target == "lambda-x64" || target == "lambda-arm64") {
    spec.os = "linux";
    spec.cpu = std::string(target.substr(7));
    spec.libc = "glibc";
    if (!spec.runtime) spec.runtime = find_lambda_runtime(kDefaultLambdaRuntime);
    return spec;
  }
  // os-cpu[-libc], as npm spells process.platform and process.arch
  std::string_view rest = target;
  auto next = [&rest] {
    size_t dash = rest.find('-');
    std::string_view part = rest.substr(0, dash);
    rest = dash == std::string_view::npos ? std::string_view() : rest.substr(dash + 1);
    return std::string(part);
  };
  std::string os = next(), cpu = next(), libc = next();
  bool ok = known(os, {"linux", "darwin", "win32", "freebsd", "openbsd", "sunos", "aix"}) &&
            known(cpu, {"x64", "arm64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64"}) &&
            (libc.empty() || (os == "linux" && known(libc, {"glibc", "musl"}))) && rest.empty();
  if (!ok) {
    return user_error("unknown --target '" + std::string(target) + "'",
                      {"use lambda-x64 or lambda-arm64 (with --runtime " + runtime_ids() +
                           "), or os-cpu[-libc] as npm spells them: linux-arm64, linux-x64-musl, "
                           "darwin-arm64, win32-x64"});
  }
  if (spec.runtime && os != "linux") {
    return user_error("--runtime " + std::string(runtime) + " runs on linux, not on --target " +
                          std::string(target),
                      {"drop --runtime, or use --target lambda-x64 / lambda-arm64"});
  }
  spec.os = os;
  spec.cpu = cpu;
  spec.libc = os == "linux" ? (libc.empty() ? "glibc" : libc) : "";
  return spec;
}

}  // namespace lockcut
