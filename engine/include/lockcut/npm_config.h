// npm_config.h: the npm settings that change which packages are installed.
//
// npm reads, from lowest to highest precedence, the user config (~/.npmrc or
// $npm_config_userconfig), the project's .npmrc, `npm_config_*` environment
// variables, and command-line flags (@npmcli/config). lockcut reads the same
// files and variables; the command line applies its own flags on top.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lockcut {

/// Raw key/value pairs from .npmrc files and the environment, in precedence
/// order already applied (a later source overwrote an earlier one). File keys
/// are taken as written; npm_config_* names are lowercased with `_` -> `-`;
/// array keys (`omit[]`) collect values.
struct NpmConfig {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;  ///< `omit`, `include`
  std::map<std::string, std::string> source;  ///< key -> file or variable it came from

  /// A boolean setting as npm reads it ("true"/"false"); nullopt if unset.
  std::optional<bool> flag(const std::string& key) const;
  /// A string setting; nullopt if unset or empty.
  std::optional<std::string> get(const std::string& key) const;
  /// The values of a list setting (`omit=dev`, or several `omit[]=dev`
  /// lines), each taken whole as npm does.
  std::vector<std::string> list(const std::string& key) const;
};

/// Where to look; empty strings mean "the default place".
struct NpmConfigSources {
  std::string project_dir;
  std::string user_config;  ///< default: $npm_config_userconfig, else $HOME/.npmrc
  bool read_environment = true;
};

/// Reads the user and project .npmrc files and the npm_config_* variables.
/// Unknown keys are kept but never consulted; unreadable files are skipped.
NpmConfig load_npm_config(const NpmConfigSources& sources);

/// Parses .npmrc text into `config` (later calls override earlier ones).
void parse_npmrc(const std::string& text, const std::string& origin, NpmConfig& config);

}  // namespace lockcut
