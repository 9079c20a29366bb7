// analysis.h: the pipeline up to the selection, as one call.
//
//   load_project -> build_graph -> classify -> select
//
// The command line and the tests go through here, so every command sees the
// same answer for the same options. Each step is also public on its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lockcut/classify.h"
#include "lockcut/graph.h"
#include "lockcut/npm_config.h"
#include "lockcut/perf.h"
#include "lockcut/project.h"
#include "lockcut/select.h"
#include "lockcut/target_preset.h"

namespace lockcut {

/// Options as the user gives them; unset ones come from npm's config.
struct AnalysisOptions {
  std::string dir = ".";
  std::string lockfile;
  std::vector<std::string> omit;      ///< --omit values (dev, optional, peer)
  std::vector<std::string> include;   ///< --include values
  std::vector<std::string> workspaces;
  std::string os, cpu, libc;          ///< empty: --target, npm config, else this machine
  std::string target;                 ///< --target (target_preset.h)
  std::string runtime;                ///< --runtime (target_preset.h)
  std::string node_version;           ///< empty: `node --version` when needed
  int legacy_peer_deps = -1;          ///< -1: from npm config
  bool read_npm_config = true;
  bool read_disk = true;
};

/// A dependency of the root or of a workspace that the lockfile does not
/// satisfy: `npm ci` refuses such a lockfile.
struct SyncProblem {
  NodeId from;
  std::string name, spec;
  std::string found;  ///< version found, empty when missing
};

/// Everything the commands print from.
struct Analysis {
  Project project;
  Graph graph;
  Classification cls;
  Selection sel;
  SelectOptions select_options;
  TargetSpec target;                        ///< --target/--runtime as given
  bool legacy_peer_deps = false;
  std::vector<std::string> notes;           ///< where settings came from
  std::vector<SyncProblem> out_of_sync;     ///< root/workspace deps not satisfied
  /// node's and npm's versions as found on PATH, when the analysis needed
  /// them and no option or setting gave them (engines of optional packages)
  std::optional<std::string> detected_node, detected_npm;
};

/// Parses an omit/include list into OmitBits; unknown values are an error.
Result<uint8_t> parse_omit(const std::vector<std::string>& values, const char* flag);

/// Everything analyze() takes from outside the project's files, as text:
/// the options, every npm setting (.npmrc files, npm_config_* variables)
/// and this machine's platform. Two runs with the same text, lockfile and
/// package.json files (Project::manifest_inputs) analyse alike, as long as
/// the node and npm on PATH are the same (Analysis::detected_node, _npm).
std::string settings_fingerprint(const AnalysisOptions& options);

/// Runs the pipeline. The result is pinned in memory: the graph points into
/// the project it holds.
Result<std::unique_ptr<Analysis>> analyze(const AnalysisOptions& options, PerfLog* perf = nullptr);

/// Selects again for other workspaces (--workspace values), keeping all
/// else the analysis read and decided: what `pack --functions` does for each
/// function after the first instead of reading the lockfile again.
Status reselect(Analysis& analysis, std::vector<std::string> workspaces, PerfLog* perf = nullptr);

}  // namespace lockcut
