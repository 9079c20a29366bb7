// overrides.h: the root package.json's `overrides`, followed through the
// graph as npm follows them (arborist override-set.js, edge.js).
//
// The overrides object is a tree of rules (`{"debug": {"ms": "2.1.3"}}`:
// inside debug, ms is 2.1.3). Every node carries one rule set: the root's
// for the root, and for any other the most specific set among the sets of
// the edges into it. An edge's set is its dependent's set narrowed to the
// rule that names the edge's package (`getEdgeRule`); when that rule has a
// value, the edge's spec becomes it (`"$name"` refers to the root's own
// dependency spec). Only `why` and the sync check look at specs, so this is
// computed on demand, not while building the graph; what npm installs
// comes from the lockfile, which already reflects the overrides.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/graph.h"
#include "lockcut/result.h"

namespace lockcut {

/// The overrides of a project, and where they apply in its graph.
class Overrides {
 public:
  /// Reads `overrides` from the project's package.json and applies the
  /// rules to every edge. No package.json or no overrides: empty. A
  /// malformed overrides object is an error naming the key.
  static Result<Overrides> compute(const Graph& graph, const std::string& project_dir);

  /// True when the project has no overrides.
  bool empty() const { return rules_.size() <= 1; }
  /// The spec npm uses for an edge instead of the declared one, or "" when
  /// no override applies.
  std::string_view spec(const Graph& graph, Graph::EdgeDesc e) const;
  /// arborist Edge.valid with the override: the target satisfies the
  /// overriding spec, or the declared one without matching the rule's key.
  bool valid(const Graph& graph, Graph::EdgeDesc e) const;

 private:
  struct Rule {
    std::string name;      ///< package the rule is for ("" for the root set)
    std::string key_spec;  ///< version range of the key ("*" when none)
    std::string value;     ///< the spec it sets ("*": none)
    uint32_t parent = UINT32_MAX;
    std::vector<uint32_t> children;
  };
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t edge_rule(const Graph& graph, uint32_t set, Graph::EdgeDesc e) const;
  bool is_ancestor(uint32_t ancestor, uint32_t set) const;
  std::vector<Rule> rules_;
  std::vector<uint32_t> edge_set_;  ///< per edge index: rule set, kNone when none
  std::vector<std::string> root_specs_;  ///< "$name" values resolved, per rule
};

}  // namespace lockcut
