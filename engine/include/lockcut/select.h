// select.h: which packages `npm ci` would install, and why the others not.
//
// The last decision stage. Given the recomputed flags it applies, in npm's
// order: extraneous pruning, optional packages that do not fit the target
// (with their whole optional set, arborist optional-set.js), `--omit` through
// `shouldOmit` (only for nodes whose top is the root or a workspace), bundled
// dependencies that travel with their bundler whatever their own flags, and
// the `--workspace` filter (the workspace's edge closure, reify.js
// `_diffTrees`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lockcut/classify.h"
#include "lockcut/graph.h"
#include "lockcut/platform.h"

namespace lockcut {

/// Bits of an omit set.
enum OmitBit : uint8_t { kOmitDev = 1, kOmitOptional = 2, kOmitPeer = 4 };

/// Why a node is not installed.
enum class Why : uint8_t {
  kept,        ///< installed
  extraneous,  ///< no path from the root reaches it: npm prunes it
  omit,        ///< its dep type is omitted (`--omit`)
  platform,    ///< optional and does not fit the target, or only such a one needs it
  bundler,     ///< bundled inside a package that is itself left out
  workspace,   ///< outside the closure of the selected workspaces
};

/// npm's spelling of a Why ("", "extraneous", "omit", ...).
std::string_view why_name(Why why);

/// What to select.
struct SelectOptions {
  uint8_t omit = kOmitDev;         ///< OmitBit set
  Target target;                   ///< for optional packages' os/cpu/libc/engines
  std::vector<std::string> workspaces;  ///< names or folders; empty: whole project
  /// The installed package.json at a location, when the lockfile lacks the
  /// platform fields (v1 files); may be empty.
  std::function<const Manifest*(std::string_view location)> installed_manifest;
  /// For an explicit --target on a lockfile that records no `libc` (npm
  /// before 11.11): take a linux package's libc from its installed
  /// package.json or its name, so a glibc target does not ship the `-musl`
  /// twin. npm itself installs both from such a lockfile.
  bool infer_libc = false;
};

/// The outcome per node.
struct Selection {
  std::vector<Why> why;            ///< per node; kRoot is kept
  std::vector<uint8_t> inert;      ///< dropped by a platform or engine mismatch
  std::vector<NodeId> bundler;     ///< getBundler(), kNoNode when not bundled
  /// For each optional package whose own os/cpu/libc/engines failed: the reason.
  std::unordered_map<NodeId, std::string> platform_failures;
  /// The failing package that made each inert node inert.
  std::unordered_map<NodeId, NodeId> inert_cause;
  uint32_t kept = 0;               ///< packages kept (root excluded)

  bool is_kept(NodeId id) const { return why[id] == Why::kept; }
};

/// Applies the rules; fails only for an unknown --workspace.
Result<Selection> select(const Graph& graph, const Classification& cls,
                         const SelectOptions& options);

/// npm's `shouldOmit`: the node's flags against the omit set, for nodes whose
/// top (climbing parents) is the root or a workspace.
bool should_omit(const Graph& graph, const Classification& cls, NodeId id, uint8_t omit);

}  // namespace lockcut
