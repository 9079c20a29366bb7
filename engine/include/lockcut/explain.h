// explain.h: "why is this package here?" — npm explain, over the graph.
//
// For each instance of a package (every location whose package name or
// location matches), the dependents that npm explain shows (edges into it
// that are valid, or come from the root; arborist node.js `[_explain]`), the
// chains of dependents back to the root or a workspace, and whether it is in
// the selection. npm prints every chain; on real projects that can be
// thousands, so we count them (npm's expansion: a node is not revisited
// within one chain) and return the shortest few.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/graph.h"
#include "lockcut/overrides.h"
#include "lockcut/result.h"

namespace lockcut {

/// One step of a chain: `from` depends on the next node through `dep`.
struct ChainStep {
  NodeId from;
  uint32_t dep;   ///< index into the dep pool (name, spec, kind)
  bool valid;
  std::string_view override_spec = {};  ///< the spec an override put in place, if any
};

/// A direct dependent.
struct Dependent {
  NodeId from;
  uint32_t dep;
  bool valid;
  NodeId via_link = kNoNode;  ///< when the edge reaches this node through a link
  std::string_view override_spec = {};  ///< the spec an override put in place, if any
};

/// What explain finds for one instance.
struct Explanation {
  NodeId node;
  std::vector<Dependent> dependents;   ///< edges into this node (npm's edgesIn shown)
  std::vector<NodeId> links_in;        ///< links whose target this is (npm's linksIn)
  std::vector<std::vector<ChainStep>> shortest;  ///< root-first chains, shortest first
  uint64_t chain_count = 0;     ///< chains npm explain would print
  bool chain_count_capped = false;
};

/// Limits for explain.
struct ExplainOptions {
  size_t max_chains = 5;             ///< shortest chains returned
  uint64_t count_limit = 1'000'000;  ///< stop counting chains past this
  const Overrides* overrides = nullptr;  ///< the project's, so specs and validity are npm's
};

/// The nodes a query names: a package name (npm `packageName`, so an alias
/// is found by its real name), `name@range`, or a location. An unknown name
/// gets an error with "did you mean" suggestions.
Result<std::vector<NodeId>> find_packages(const Graph& graph, std::string_view query);

/// Explains one node.
Explanation explain(const Graph& graph, NodeId node, const ExplainOptions& options);

/// Closest package names to `name` by edit distance (for "did you mean").
std::vector<std::string> suggest_names(const Graph& graph, std::string_view name, size_t max);

}  // namespace lockcut
