// classify.cc: recompute npm's dependency flags (see classify.h).
//
// A direct port of arborist's calcDepFlags: every non-root node starts with
// all flags set, the root with none; a LIFO walk from the root clears a flag
// on an edge's target when the edge and its source allow it, and requeues a
// target whose flags changed. Flags only ever go from set to clear, so the
// fixpoint does not depend on the order. Links pass their flags to their
// target; a reached node clears `extraneous` on the folders above it.
#include "lockcut/classify.h"

#include <algorithm>

#include "lockcut/location.h"

namespace lockcut {

namespace {

uint8_t stored_flags(const Manifest& m) {
  uint8_t f = 0;
  bool dev = m.has(kFlagDev), opt = m.has(kFlagOptional);
  if (dev) f |= kDev;
  if (opt) f |= kOptional;
  // loadVirtual: devOptional = devOptional || dev || optional; reported only
  // when it is neither dev nor optional
  if (m.has(kFlagDevOptional) && !dev && !opt) f |= kDevOptional;
  if (m.has(kFlagPeer)) f |= kPeer;
  if (m.has(kFlagExtraneous)) f |= kExtraneous;
  return f;
}

bool edge_is_optional(DepKind k) { return k == DepKind::optional || k == DepKind::peer_optional; }
bool edge_is_peer(DepKind k) { return k == DepKind::peer || k == DepKind::peer_optional; }

}  // namespace

bool root_in_sync(const Graph& g) {
  const Lockfile& lock = g.lockfile();
  if (lock.ancient) return true;  // npm skips the check for ancient files
  const ManifestStore& store = g.store();
  const Manifest& lroot = lock.entries[0].pkg;
  // the lockfile's root maps, with optional names taken out of dependencies
  struct Want {
    std::string_view name, spec;
    DepKind kind;
  };
  std::vector<Want> want;
  auto lroot_deps = store.deps(lroot.deps);
  for (const auto& d : lroot_deps) {
    if (d.kind == DepKind::prod) {
      bool also_optional = std::any_of(lroot_deps.begin(), lroot_deps.end(), [&](const auto& o) {
        return o.kind == DepKind::optional && o.name == d.name;
      });
      if (also_optional) continue;
    }
    want.push_back(Want{d.name, d.spec, d.kind});
  }
  // `want` keeps views into the names: the workspace list must outlive it
  const std::vector<Workspace> lock_workspaces = virtual_workspaces(lock, store);
  for (const auto& w : lock_workspaces) {
    want.push_back(Want{w.name, {}, DepKind::workspace});
  }
  std::vector<Graph::EdgeDesc> descs;
  for (auto e : boost::make_iterator_range(boost::out_edges(kRoot, g.csr()))) descs.push_back(e);
  std::vector<std::string_view> names;
  for (const auto& e : descs) names.push_back(g.dep(e).name);
  for (const auto& m : g.missing()) {
    if (m.from == kRoot) names.push_back(g.dep(m.dep).name);
  }
  auto find_root_dep = [&](std::string_view name) -> const DeclaredDep* {
    for (const auto& e : descs) {
      if (g.dep(e).name == name) return &g.dep(e);
    }
    for (const auto& m : g.missing()) {
      if (m.from == kRoot && g.dep(m.dep).name == name) return &g.dep(m.dep);
    }
    return nullptr;
  };
  for (const auto& w : want) {
    const DeclaredDep* d = find_root_dep(w.name);
    if (!d || d->kind != w.kind) return false;
    // workspace specs are absolute paths on both sides; compare the folder
    if (w.kind == DepKind::workspace) {
      names.erase(std::remove(names.begin(), names.end(), w.name), names.end());
      continue;
    }
    if (d->spec != w.spec) return false;
    names.erase(std::remove(names.begin(), names.end(), w.name), names.end());
  }
  return names.empty();
}

Classification classify(const Graph& g) {
  const uint32_t n = g.size();
  Classification c;
  constexpr uint8_t kAll = kDev | kOptional | kDevOptional | kPeer | kExtraneous;
  c.flags.assign(n, kAll);
  c.flags[kRoot] = 0;
  std::vector<uint8_t> seen(n, 0);
  std::vector<NodeId> stack;
  stack.reserve(1024);
  stack.push_back(kRoot);
  const auto& csr = g.csr();
  while (!stack.empty()) {
    NodeId id = stack.back();
    stack.pop_back();
    seen[id] = 1;
    uint8_t& f = c.flags[id];
    if (!(f & kExtraneous)) {
      for (NodeId p = g.resolve_parent(id); p != kNoNode && (c.flags[p] & kExtraneous);
           p = g.resolve_parent(p)) {
        c.flags[p] &= static_cast<uint8_t>(~kExtraneous);
      }
    }
    const Node& node = g.node(id);
    if (node.is_link()) {
      if (node.target == kNoNode) continue;
      uint8_t& t = c.flags[node.target];
      // only clear, so several links to one target cannot undo each other
      uint8_t cleared = static_cast<uint8_t>(t & ~f & kAll);
      bool changed = cleared != 0;
      t = static_cast<uint8_t>(t & ~cleared);
      if (changed || !seen[node.target]) stack.push_back(node.target);
      continue;
    }
    for (auto e : boost::make_iterator_range(boost::out_edges(id, csr))) {
      NodeId to = static_cast<NodeId>(boost::target(e, csr));
      DepKind k = g.kind(e);
      bool peer = edge_is_peer(k), optional = edge_is_optional(k), dev = k == DepKind::dev;
      uint8_t& t = c.flags[to];
      uint8_t before = t;
      // only optional peer dependencies leave their target extraneous
      if ((t & kExtraneous) && !(f & kExtraneous) && !(peer && optional)) t &= ~kExtraneous;
      if ((t & kDev) && !(f & kDev) && !dev) t &= ~kDev;
      if ((t & kOptional) && !(f & kOptional) && !optional) t &= ~kOptional;
      // devOptional is the overlap of the dev and optional trees
      if ((t & kDevOptional) && !(f & (kDevOptional | kDev | kOptional)) && !dev && !optional) {
        t &= ~kDevOptional;
      }
      if ((t & kPeer) && !(f & kPeer) && !peer) t &= ~kPeer;
      if (t != before) stack.push_back(to);
    }
  }
  for (NodeId id = 1; id < n; ++id) {
    uint8_t& f = c.flags[id];
    if (seen[id] && (f & kDevOptional) && (f & (kDev | kOptional))) f &= ~kDevOptional;
  }
  // npm reports devOptional only when neither dev nor optional (as stored)
  for (NodeId id = 1; id < n; ++id) {
    uint8_t& f = c.flags[id];
    if ((f & kDevOptional) && (f & (kDev | kOptional))) f &= ~kDevOptional;
  }

  // stored flags; a link carries its target's (load-virtual.js #loadLink)
  c.stored.assign(n, 0);
  c.stored_recomputed = g.lockfile().from_v1_tree ? !root_in_sync(g) : !root_in_sync(g);
  for (NodeId id = 1; id < n; ++id) {
    const Node& node = g.node(id);
    const Manifest* m = node.is_link() && node.target != kNoNode
                            ? g.node(node.target).lock_pkg
                            : node.lock_pkg;
    c.stored[id] = c.stored_recomputed ? c.flags[id] : stored_flags(*m);
  }
  // an extraneous entry is written with that flag alone (metaFromNode)
  for (NodeId id = 1; id < n; ++id) {
    bool both_extraneous = (c.stored[id] & kExtraneous) && (c.flags[id] & kExtraneous);
    c.stale += !both_extraneous && c.stored[id] != c.flags[id];
  }

  // prune what is extraneous, with every location below it
  c.pruned.assign(n, 0);
  bool any_extraneous = false;
  for (NodeId id = 1; id < n && !any_extraneous; ++id) any_extraneous = c.flags[id] & kExtraneous;
  for (NodeId id = 1; id < n && any_extraneous; ++id) {
    if (c.flags[id] & kExtraneous) {
      c.pruned[id] = 1;
      continue;
    }
    std::string_view up = g.node(id).location;
    while (parent_folder(up, up) && !up.empty()) {
      NodeId a = g.find(up);
      if (a != kNoNode && (c.flags[a] & kExtraneous)) {
        c.pruned[id] = 1;
        break;
      }
    }
  }
  return c;
}

}  // namespace lockcut
