// platform.h: the machine packages are installed for, and npm's checks
// against a package's `os`, `cpu`, `libc` and `engines`.
//
// The rules are npm-install-checks' (npm-semantics.md §4.4): a list matches
// when no `!x` entry names the value and, if any plain entries exist, one of
// them does; `["any"]` always matches; a `libc` constraint fails when the
// target's libc is unknown (any os but linux). Engines are checked with
// prerelease versions included.
#pragma once

#include <filesystem>
#include <string>

#include "lockcut/manifest.h"

namespace lockcut {

/// Where the selected packages will run.
struct Target {
  std::string os;            ///< process.platform spelling: linux, darwin, win32
  std::string cpu;           ///< process.arch spelling: x64, arm64, ia32
  std::string libc;          ///< glibc, musl, or empty when unknown / not linux
  std::string node_version;  ///< empty: do not check engines.node
  std::string npm_version;   ///< empty: do not check engines.npm
};

/// This machine: os and cpu from the build, libc from /usr/bin/ldd as npm
/// reads it. node/npm versions are left empty (see detect_node_version).
Target host_target();

/// The libc npm would report for `os` on this machine (empty off linux).
std::string host_libc(const std::string& os);

/// `node --version` without the `v`, or empty when node is not installed.
std::string detect_node_version();

/// The folder of the npm package behind the `npm` on PATH (bin/npm links to
/// .../npm/bin/npm-cli.js); empty when npm is not installed.
std::filesystem::path npm_package_dir();

/// `npm --version`, or empty when npm is not installed.
std::string detect_npm_version();

/// True when the package's os/cpu/libc allow `target`.
bool platform_ok(const Manifest& pkg, const ManifestStore& store, const Target& target);

/// True when the package's engines allow the target's node and npm.
bool engines_ok(const Manifest& pkg, const Target& target);

/// A one-line reason why a package does not fit ("os darwin, target linux").
std::string platform_mismatch(const Manifest& pkg, const ManifestStore& store,
                              const Target& target);

}  // namespace lockcut
