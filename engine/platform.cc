// platform.cc: target machine and npm-install-checks (see platform.h).
#include "lockcut/platform.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "lockcut/semver.h"

namespace lockcut {

namespace {

const char* build_os() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(_WIN32)
  return "win32";
#elif defined(__FreeBSD__)
  return "freebsd";
#else
  return "unknown";
#endif
}

const char* build_cpu() {
#if defined(__x86_64__)
  return "x64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "ia32";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

bool check_list(const std::string& value, std::span<const std::string_view> list) {
  if (list.size() == 1 && list[0] == "any") return true;
  size_t negated = 0;
  bool match = false;
  for (std::string_view entry : list) {
    bool negate = !entry.empty() && entry[0] == '!';
    std::string_view test = negate ? entry.substr(1) : entry;
    if (negate) {
      ++negated;
      if (value == test) return false;
    } else {
      match = match || value == test;
    }
  }
  return match || negated == list.size();
}

std::string run_version(const char* cmd) {
  std::string out;
  FILE* p = ::popen(cmd, "r");
  if (!p) return out;
  char buf[128];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (!out.empty() && out[0] == 'v') out.erase(0, 1);
  return out;
}

std::string join(std::span<const std::string_view> list) {
  std::string s;
  for (auto v : list) {
    if (!s.empty()) s += ',';
    s.append(v);
  }
  return s;
}

}  // namespace

std::string host_libc(const std::string& os) {
  if (os != "linux") return {};
  // npm reads the ldd script (npm-install-checks current-env.js)
  std::ifstream ldd("/usr/bin/ldd");
  if (ldd) {
    std::stringstream ss;
    ss << ldd.rdbuf();
    std::string text = ss.str();
    if (text.find("musl") != std::string::npos) return "musl";
    if (text.find("GNU C Library") != std::string::npos) return "glibc";
    return {};
  }
#if defined(__GLIBC__)
  return "glibc";
#else
  return {};
#endif
}

Target host_target() {
  Target t;
  t.os = build_os();
  t.cpu = build_cpu();
  t.libc = host_libc(t.os);
  return t;
}

// The real file of the first `name` on PATH, the one a shell would run;
// empty when there is none.
static std::filesystem::path first_on_path(const char* name) {
  namespace fs = std::filesystem;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    std::error_code ec;
    fs::path real = fs::canonical(candidate, ec);
    return ec ? fs::path() : real;
  }
  return {};
}

// node's version without starting node: every node install (official
// tarballs, distribution packages, nvm) puts include/node/node_version.h
// beside bin/node. Falls back to asking node.
std::string detect_node_version() {
  std::filesystem::path node = first_on_path("node");
  if (!node.empty()) {
    std::ifstream header(node.parent_path().parent_path() / "include/node/node_version.h");
    std::string line, major, minor, patch;
    while (std::getline(header, line)) {
      std::istringstream words(line);
      std::string define, name, value;
      if (!(words >> define >> name >> value) || define != "#define") continue;
      if (name == "NODE_MAJOR_VERSION") major = value;
      if (name == "NODE_MINOR_VERSION") minor = value;
      if (name == "NODE_PATCH_VERSION") patch = value;
    }
    if (!major.empty() && !minor.empty() && !patch.empty()) return major + "." + minor + "." + patch;
  }
  return run_version("node --version 2>/dev/null");
}

std::filesystem::path npm_package_dir() {
  std::filesystem::path npm = first_on_path("npm");
  for (auto up = npm.parent_path(); up.has_relative_path(); up = up.parent_path()) {
    if (up.filename() == "npm") return up;
  }
  return {};
}

// npm's version without starting npm (a node process, ~0.2 s): the version
// in the package.json of npm_package_dir(). Falls back to asking npm when
// the layout is unusual.
std::string detect_npm_version() {
  if (std::filesystem::path dir = npm_package_dir(); !dir.empty()) {
    simdjson::ondemand::parser parser;
    simdjson::padded_string json;
    simdjson::ondemand::document doc;
    std::string_view name, version;
    if (!simdjson::padded_string::load((dir / "package.json").string()).get(json) &&
        !parser.iterate(json).get(doc) && !doc["name"].get_string().get(name) && name == "npm" &&
        !doc["version"].get_string().get(version)) {
      return std::string(version);
    }
  }
  return run_version("npm --version 2>/dev/null");
}

bool platform_ok(const Manifest& pkg, const ManifestStore& store, const Target& target) {
  if (pkg.has(kFlagHasOs) && !check_list(target.os, store.strings(pkg.os))) return false;
  if (pkg.has(kFlagHasCpu) && !check_list(target.cpu, store.strings(pkg.cpu))) return false;
  if (pkg.has(kFlagHasLibc)) {
    if (target.libc.empty()) return false;
    if (!check_list(target.libc, store.strings(pkg.libc))) return false;
  }
  return true;
}

bool engines_ok(const Manifest& pkg, const Target& target) {
  if (!target.node_version.empty() && !pkg.engines_node.empty() &&
      !satisfies(target.node_version, pkg.engines_node, true)) {
    return false;
  }
  if (!target.npm_version.empty() && !pkg.engines_npm.empty() &&
      !satisfies(target.npm_version, pkg.engines_npm, true)) {
    return false;
  }
  return true;
}

std::string platform_mismatch(const Manifest& pkg, const ManifestStore& store,
                              const Target& target) {
  if (pkg.has(kFlagHasOs) && !check_list(target.os, store.strings(pkg.os))) {
    return "os " + join(store.strings(pkg.os)) + ", target " + target.os;
  }
  if (pkg.has(kFlagHasCpu) && !check_list(target.cpu, store.strings(pkg.cpu))) {
    return "cpu " + join(store.strings(pkg.cpu)) + ", target " + target.cpu;
  }
  if (pkg.has(kFlagHasLibc) && (target.libc.empty() || !check_list(target.libc, store.strings(pkg.libc)))) {
    return "libc " + join(store.strings(pkg.libc)) + ", target " +
           (target.libc.empty() ? std::string("none (") + target.os + ")" : target.libc);
  }
  if (!target.node_version.empty() && !pkg.engines_node.empty() &&
      !satisfies(target.node_version, pkg.engines_node, true)) {
    return "engines.node " + std::string(pkg.engines_node) + ", target node " + target.node_version;
  }
  if (!target.npm_version.empty() && !pkg.engines_npm.empty() &&
      !satisfies(target.npm_version, pkg.engines_npm, true)) {
    return "engines.npm " + std::string(pkg.engines_npm) + ", target npm " + target.npm_version;
  }
  return {};
}

}  // namespace lockcut
