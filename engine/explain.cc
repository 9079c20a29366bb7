// explain.cc: dependents and chains to the root (see explain.h).
//
// Edges resolve to a link when a package is reached through one (a
// workspace, a `file:` folder), so a link target's dependents are those of
// the links pointing at it. Shortest chains come from a breadth-first search
// backwards from the package; the chain count follows npm explain's
// expansion, a depth-first walk that does not revisit a node within a chain,
// and stops at a limit so a pathological graph cannot hang the command.
#include "lockcut/explain.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "lockcut/semver.h"

namespace lockcut {

namespace {

// Dependents as npm explain lists them: valid edges (with the overrides'
// specs), or any edge from the root.
std::vector<Dependent> dependents_of(const Graph& g, NodeId id,
                                     const std::vector<std::vector<NodeId>>& links_in,
                                     bool through_links, const Overrides* overrides) {
  std::vector<Dependent> out;
  auto add_from = [&](NodeId n, NodeId via) {
    for (auto e : boost::make_iterator_range(boost::in_edges(n, g.csr()))) {
      NodeId from = static_cast<NodeId>(boost::source(e, g.csr()));
      bool valid = overrides ? overrides->valid(g, e) : g.edge_valid(e);
      if (!valid && from != kRoot) continue;
      out.push_back(Dependent{from, g.csr()[e].dep, valid, via,
                              overrides ? overrides->spec(g, e) : std::string_view()});
    }
  };
  add_from(id, kNoNode);
  if (through_links) {
    for (NodeId link : links_in[id]) add_from(link, link);
  }
  // npm lists edgesIn in insertion order, which follows the dependents'
  // inventory order; ours is the same for lockfile-ordered nodes
  std::stable_sort(out.begin(), out.end(),
                   [](const Dependent& a, const Dependent& b) { return a.from < b.from; });
  return out;
}

bool is_chain_end(const Graph& g, NodeId id) { return id == kRoot || g.is_workspace(id); }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::string> suggest_names(const Graph& g, std::string_view name, size_t max) {
  std::unordered_set<std::string_view> names;
  for (NodeId id = 1; id < g.size(); ++id) names.insert(g.node(id).package_name());
  std::vector<std::pair<size_t, std::string_view>> scored;
  size_t limit = std::max<size_t>(2, name.size() / 3);
  for (auto n : names) {
    size_t d = edit_distance(name, n);
    bool contains = n.find(name) != std::string_view::npos && name.size() >= 3;
    if (d <= limit || contains) scored.emplace_back(contains ? std::min(d, limit) : d, n);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < max; ++i) out.emplace_back(scored[i].second);
  return out;
}

Result<std::vector<NodeId>> find_packages(const Graph& g, std::string_view query) {
  std::vector<NodeId> out;
  std::string_view name = query, range;
  // name@range (a scoped name starts with '@')
  size_t at = query.find('@', query.size() && query[0] == '@' ? 1 : 0);
  if (at != std::string_view::npos) {
    name = query.substr(0, at);
    range = query.substr(at + 1);
  }
  for (NodeId id = 1; id < g.size(); ++id) {
    const Node& n = g.node(id);
    if (n.package_name() != name) continue;
    if (!range.empty() && !satisfies(n.version(), range, false)) continue;
    out.push_back(id);
  }
  if (out.empty()) {
    std::string loc(query);
    while (loc.size() > 2 && loc.compare(0, 2, "./") == 0) loc.erase(0, 2);
    while (!loc.empty() && loc.back() == '/') loc.pop_back();
    NodeId id = g.find(loc);
    if (id != kNoNode && id != kRoot) out.push_back(id);
  }
  if (out.empty()) {
    std::vector<std::string> hints;
    auto similar = suggest_names(g, name, 3);
    if (!similar.empty()) {
      std::string s = "did you mean ";
      for (size_t i = 0; i < similar.size(); ++i) {
        if (i) s += i + 1 == similar.size() ? " or " : ", ";
        s += "'" + similar[i] + "'";
      }
      hints.push_back(s + "?");
    }
    hints.push_back("give a package name as in package.json, name@range, or a lockfile "
                    "location such as node_modules/a/node_modules/b");
    return user_error("no package matches '" + std::string(query) + "' in " +
                          g.lockfile().path,
                      std::move(hints));
  }
  return out;
}

Explanation explain(const Graph& g, NodeId node, const ExplainOptions& options) {
  const uint32_t n = g.size();
  std::vector<std::vector<NodeId>> links_in(n);
  for (NodeId id = 1; id < n; ++id) {
    const Node& x = g.node(id);
    if (x.is_link() && x.target != kNoNode) links_in[x.target].push_back(id);
  }
  Explanation ex;
  ex.node = node;
  ex.dependents = dependents_of(g, node, links_in, false, options.overrides);
  ex.links_in = links_in[node];

  // memoized dependents per node, for the walks below
  std::unordered_map<NodeId, std::vector<Dependent>> memo;
  auto deps_of = [&](NodeId id) -> const std::vector<Dependent>& {
    auto it = memo.find(id);
    if (it != memo.end()) return it->second;
    return memo.emplace(id, dependents_of(g, id, links_in, true, options.overrides)).first->second;
  };

  // shortest chains: BFS backwards, then enumerate along the BFS layers
  std::unordered_map<NodeId, uint32_t> dist;
  std::deque<NodeId> queue{node};
  dist[node] = 0;
  uint32_t end_dist = UINT32_MAX;
  while (!queue.empty()) {
    NodeId id = queue.front();
    queue.pop_front();
    uint32_t d = dist[id];
    if (d > end_dist) break;
    if (is_chain_end(g, id) && id != node) {
      end_dist = std::min(end_dist, d);
      continue;
    }
    for (const auto& dep : deps_of(id)) {
      if (!dist.count(dep.from)) {
        dist[dep.from] = d + 1;
        queue.push_back(dep.from);
      }
    }
  }
  if (node == kRoot || is_chain_end(g, node)) end_dist = 0;
  // walk from the package towards chain ends of the minimal distance
  std::vector<ChainStep> chain;
  std::function<void(NodeId)> collect = [&](NodeId id) {
    if (ex.shortest.size() >= options.max_chains) return;
    if (id != node && is_chain_end(g, id)) {
      std::vector<ChainStep> c(chain.rbegin(), chain.rend());
      ex.shortest.push_back(std::move(c));
      return;
    }
    uint32_t d = dist[id];
    if (d >= end_dist) return;
    for (const auto& dep : deps_of(id)) {
      auto it = dist.find(dep.from);
      if (it == dist.end() || it->second != d + 1) continue;
      chain.push_back(ChainStep{dep.from, dep.dep, dep.valid, dep.override_spec});
      collect(dep.from);
      chain.pop_back();
      if (ex.shortest.size() >= options.max_chains) return;
    }
  };
  if (end_dist != UINT32_MAX && end_dist > 0) collect(node);

  // chain count: npm's expansion, no node twice in one chain
  std::vector<uint8_t> on_path(n, 0);
  uint64_t visits = 0;
  std::function<void(NodeId)> count = [&](NodeId id) {
    if (ex.chain_count_capped) return;
    if (++visits > options.count_limit) {
      ex.chain_count_capped = true;
      return;
    }
    const auto& ds = deps_of(id);
    if (is_chain_end(g, id) || ds.empty()) {
      if (id != node || is_chain_end(g, id)) ++ex.chain_count;
      return;
    }
    on_path[id] = 1;
    bool any = false;
    for (const auto& dep : ds) {
      if (on_path[dep.from]) continue;
      any = true;
      count(dep.from);
    }
    if (!any) ++ex.chain_count;  // ends in a cycle: npm prints it once
    on_path[id] = 0;
  };
  count(node);
  return ex;
}

}  // namespace lockcut
