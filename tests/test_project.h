// test_project.h: throwaway npm projects for the engine's unit tests.
//
// A TestProject writes package.json, the lockfile, an optional .npmrc and any
// other files into a fresh folder under $TMPDIR (or /tmp) and removes it when
// it goes out of scope. analyze_project runs lockcut::analyze on it with
// settings that do not depend on the machine (no ~/.npmrc, no npm_config_*
// variables, linux x64 glibc, node 20), so a test reads the same on every
// host.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/result.h"

namespace lockcut::test {

/// What a throwaway project holds. Empty strings are not written.
struct ProjectFiles {
  std::string package_json = {};
  std::string package_lock = {};  ///< package-lock.json
  std::string shrinkwrap = {};    ///< npm-shrinkwrap.json
  std::string npmrc = {};         ///< .npmrc
  std::map<std::string, std::string> files = {};  ///< more files: relative path -> content
};

/// A project folder that lives as long as the object.
class TestProject {
 public:
  explicit TestProject(const ProjectFiles& files);
  ~TestProject();
  TestProject(const TestProject&) = delete;
  TestProject& operator=(const TestProject&) = delete;

  const std::string& dir() const { return dir_; }
  /// Writes `content` at `rel`, creating folders.
  void write(const std::string& rel, const std::string& content) const;

 private:
  std::string dir_;
};

/// Options that ignore the machine: no npm config, linux/x64/glibc, node 20.
AnalysisOptions fixed_options();

/// lockcut::analyze on `dir` (options.dir is replaced).
Result<std::unique_ptr<Analysis>> analyze_project(const std::string& dir,
                                                  AnalysisOptions options = fixed_options());

/// Locations the selection keeps (root excluded), sorted.
std::vector<std::string> kept(const Analysis& a);

/// The node at `location`; fails the calling test when there is none.
NodeId node_at(const Graph& g, std::string_view location);

/// Flags as words, in a fixed order: "dev optional devOptional peer
/// extraneous" (only those set), "" for none.
std::string flag_words(uint8_t flags);

/// The recomputed flags of the node at `location` as words.
std::string flags_at(const Analysis& a, std::string_view location);

/// A minimal lockfile v3 whose `packages` object is `packages_body` (the
/// text between the braces).
std::string lock_v3(const std::string& packages_body);

}  // namespace lockcut::test
