// classify.h: dev / optional / devOptional / peer / extraneous, as npm ci
// computes them.
//
// `npm ci` does not trust the flags stored in the lockfile: its ideal tree is
// loaded with a root node, which marks them suspect, so every flag is reset
// and recomputed from the graph (arborist calc-dep-flags.js), and whatever no
// path from the root reaches is pruned as extraneous (npm-semantics.md §3).
// The stored flags are kept too, because `npm ls --package-lock-only` believes
// them; where the two differ the lockfile is stale.
#pragma once

#include <cstdint>
#include <vector>

#include "lockcut/graph.h"

namespace lockcut {

/// Dependency flags as bits.
enum DepFlag : uint8_t {
  kDev = 1 << 0,
  kOptional = 1 << 1,
  kDevOptional = 1 << 2,  ///< as npm writes it: set only when neither dev nor optional
  kPeer = 1 << 3,
  kExtraneous = 1 << 4,
};

/// Flags per node, both the recomputed and the stored ones.
struct Classification {
  std::vector<uint8_t> flags;         ///< recomputed (what npm ci acts on)
  std::vector<uint8_t> stored;        ///< as loaded from the lockfile
  std::vector<uint8_t> pruned;        ///< 1 when npm prunes it (extraneous, or inside one)
  bool stored_recomputed = false;     ///< the lockfile's root was out of sync with
                                      ///< package.json, so npm recomputes even on load
  uint32_t stale = 0;                 ///< nodes whose stored flags differ from the recomputed

  bool has(NodeId id, DepFlag f) const { return (flags[id] & f) != 0; }
};

/// Recomputes the flags from the graph and records the stored ones.
Classification classify(const Graph& graph);

/// True when the lockfile's "" entry agrees with the root's edges (type and
/// exact spec of every dependency, and the workspaces), so `loadVirtual`
/// keeps the stored flags (load-virtual.js `#checkRootEdges`).
bool root_in_sync(const Graph& graph);

}  // namespace lockcut
