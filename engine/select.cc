// select.cc: from flags to the installed set (see select.h).
//
// The optional-set walk runs once per failing optional package; it uses an
// epoch-stamped marker vector instead of hash sets so each walk costs only
// the nodes it touches. getBundler is memoized: a node can only be bundled by
// a parent that lists bundle names or is itself bundled, so the recursion
// through dependents stays inside bundling subtrees.
#include "lockcut/select.h"

#include <algorithm>

namespace lockcut {

std::string_view why_name(Why why) {
  switch (why) {
    case Why::kept: return "";
    case Why::extraneous: return "extraneous";
    case Why::omit: return "omit";
    case Why::platform: return "platform";
    case Why::bundler: return "bundler";
    case Why::workspace: return "workspace";
  }
  return "";
}

bool should_omit(const Graph& g, const Classification& cls, NodeId id, uint8_t omit) {
  if (!omit) return false;
  NodeId top = id;
  while (g.node(top).parent != kNoNode) top = g.node(top).parent;
  if (top != kRoot && !g.is_workspace(top)) return false;
  uint8_t f = cls.flags[id];
  return ((f & kPeer) && (omit & kOmitPeer)) || ((f & kDev) && (omit & kOmitDev)) ||
         ((f & kOptional) && (omit & kOmitOptional)) ||
         ((f & kDevOptional) && (omit & kOmitDev) && (omit & kOmitOptional));
}

namespace {

bool edge_optional(DepKind k) { return k == DepKind::optional || k == DepKind::peer_optional; }

class Selector {
 public:
  Selector(const Graph& g, const Classification& cls, const SelectOptions& o)
      : g_(g), cls_(cls), o_(o), n_(g.size()) {
    mark_.assign(n_, 0);
    mark2_.assign(n_, 0);
  }

  Result<Selection> run() {
    s_.why.assign(n_, Why::kept);
    s_.inert.assign(n_, 0);
    s_.bundler.assign(n_, kNoNode);
    platform_pass();
    compute_bundlers();
    std::vector<uint8_t> in_filter;
    if (!o_.workspaces.empty()) {
      auto r = workspace_filter(in_filter);
      if (!r) return r.take_error();
    }
    for (NodeId id = 1; id < n_; ++id) {
      Why why = Why::kept;
      if (cls_.pruned[id]) {
        why = Why::extraneous;
      } else if (!in_filter.empty() && !in_filter[id]) {
        why = Why::workspace;
      } else if (in_dep_bundle(id)) {
        NodeId b = s_.bundler[id];
        while (b != kNoNode && in_dep_bundle(b)) b = s_.bundler[b];
        if (b != kNoNode && (cls_.pruned[b] || s_.inert[b] || should_omit(g_, cls_, b, o_.omit))) {
          why = Why::bundler;
        }
      } else if (should_omit(g_, cls_, id, o_.omit)) {
        why = Why::omit;
      } else if (s_.inert[id]) {
        why = Why::platform;
      }
      s_.why[id] = why;
      if (why == Why::kept) ++s_.kept;
    }
    return std::move(s_);
  }

 private:
  bool in_dep_bundle(NodeId id) const {
    return s_.bundler[id] != kNoNode && s_.bundler[id] != kRoot;
  }

  // build-ideal-tree.js #checkEngineAndPlatform, in inventory order
  void platform_pass() {
    const ManifestStore& store = g_.store();
    for (NodeId id : g_.inventory_order()) {
      if (id == kRoot || cls_.pruned[id] || !cls_.has(id, kOptional) || s_.inert[id]) continue;
      const Node& node = g_.node(id);
      const Manifest* pkg = node.pkg;
      if (!pkg) continue;
      // v1 lockfiles carry no os/cpu/libc/engines; npm fetches the manifest,
      // we read the installed package.json when there is one
      if (g_.lockfile().from_v1_tree && o_.installed_manifest && !node.is_link()) {
        if (const Manifest* disk = o_.installed_manifest(node.location)) pkg = disk;
      }
      std::string libc_mismatch = o_.infer_libc ? inferred_libc_mismatch(node, *pkg, store) : "";
      if (libc_mismatch.empty() && engines_ok(*pkg, o_.target) && platform_ok(*pkg, store, o_.target)) {
        continue;
      }
      s_.platform_failures[id] =
          libc_mismatch.empty() ? platform_mismatch(*pkg, store, o_.target) : libc_mismatch;
      for (NodeId m : optional_set(id)) {
        if (!s_.inert[m]) s_.inert_cause[m] = id;
        s_.inert[m] = 1;
      }
    }
  }

  // A linux package without `libc` in a lockfile that records none (npm
  // before 11.11 never wrote it): the libc of its installed package.json,
  // else the one its name says (`-musl`, `linuxmusl`, `-gnu`). Empty when
  // it fits the target or nothing is known.
  std::string inferred_libc_mismatch(const Node& node, const Manifest& pkg, const ManifestStore& store) {
    if (pkg.has(kFlagHasLibc) || !pkg.has(kFlagHasOs) || o_.target.os != "linux") return "";
    bool on_linux = false;
    for (std::string_view os : store.strings(pkg.os)) on_linux = on_linux || os == "linux";
    if (!on_linux) return "";
    if (o_.installed_manifest && !node.is_link()) {
      const Manifest* disk = o_.installed_manifest(node.location);
      if (disk && disk->has(kFlagHasLibc)) {
        return platform_ok(*disk, store, o_.target)
                   ? ""
                   : platform_mismatch(*disk, store, o_.target) + " (from its package.json)";
      }
    }
    std::string_view name = node.package_name();
    std::string_view libc = name.find("musl") != std::string_view::npos ? "musl"
                            : name.find("-gnu") != std::string_view::npos ||
                                    name.find("glibc") != std::string_view::npos
                                ? "glibc"
                                : "";
    if (libc.empty() || libc == o_.target.libc) return "";
    return "libc " + std::string(libc) + " (from its name; the lockfile records no libc), target " +
           (o_.target.libc.empty() ? "none" : o_.target.libc);
  }

  // optional-set.js: climb non-optional edges to the optional boundary, then
  // gather what only that set needs (gather-dep-set.js)
  std::vector<NodeId> optional_set(NodeId start) {
    const auto& csr = g_.csr();
    uint32_t set_epoch = ++epoch_;
    std::vector<NodeId> set{start};
    mark_[start] = set_epoch;
    for (size_t i = 0; i < set.size(); ++i) {
      for (auto e : boost::make_iterator_range(boost::in_edges(set[i], csr))) {
        if (edge_optional(g_.kind(e))) continue;
        NodeId from = static_cast<NodeId>(boost::source(e, csr));
        if (mark_[from] != set_epoch) {
          mark_[from] = set_epoch;
          set.push_back(from);
        }
      }
    }
    auto filter = [&](NodeId from, NodeId to) {
      return mark_[to] != set_epoch && !s_.inert[from];
    };
    uint32_t deps_epoch = ++epoch2_;
    std::vector<NodeId> deps = set;
    for (NodeId d : deps) mark2_[d] = deps_epoch;
    for (size_t i = 0; i < deps.size(); ++i) {
      NodeId from = deps[i];
      for (auto e : boost::make_iterator_range(boost::out_edges(from, csr))) {
        NodeId to = static_cast<NodeId>(boost::target(e, csr));
        if (filter(from, to) && mark2_[to] != deps_epoch) {
          mark2_[to] = deps_epoch;
          deps.push_back(to);
        }
      }
    }
    bool changed = true;
    while (changed) {
      changed = false;
      for (NodeId d : deps) {
        if (mark2_[d] != deps_epoch) continue;
        for (auto e : boost::make_iterator_range(boost::in_edges(d, csr))) {
          NodeId from = static_cast<NodeId>(boost::source(e, csr));
          if (mark2_[from] != deps_epoch && filter(from, d)) {
            mark2_[d] = 0;
            changed = true;
            break;
          }
        }
      }
    }
    std::vector<NodeId> out;
    for (NodeId d : deps) {
      if (mark2_[d] == deps_epoch) out.push_back(d);
    }
    return out;
  }

  bool lists(NodeId parent, std::string_view name) const {
    for (std::string_view b : g_.store().strings(g_.node(parent).bundle)) {
      if (b == name) return true;
    }
    return false;
  }

  // node.js getBundler, memoized; state 0 unknown, 1 in progress, 2 done
  NodeId bundler_of(NodeId id) {
    if (state_[id] == 2) return s_.bundler[id];
    if (state_[id] == 1) return kNoNode;  // a cycle: not bundled through it
    state_[id] = 1;
    NodeId result = kNoNode;
    NodeId parent = g_.node(id).parent;
    if (parent != kNoNode) {
      NodeId pb = bundler_of(parent);
      if (pb != kNoNode) {
        result = pb;
      } else if (g_.node(parent).bundle.count != 0) {
        if (lists(parent, g_.node(id).name)) {
          result = parent;
        } else {
          for (auto e : boost::make_iterator_range(boost::in_edges(id, g_.csr()))) {
            NodeId from = static_cast<NodeId>(boost::source(e, g_.csr()));
            if (bundler_of(from) == parent) {
              result = parent;
              break;
            }
          }
        }
      }
    }
    state_[id] = 2;
    s_.bundler[id] = result;
    return result;
  }

  void compute_bundlers() {
    state_.assign(n_, 0);
    bool any = false;
    for (NodeId id = 0; id < n_ && !any; ++id) any = g_.node(id).bundle.count != 0;
    if (!any) return;
    for (NodeId id = 1; id < n_; ++id) bundler_of(id);
  }

  // reify.js _diffTrees + diff.js: each workspace's link, its target, and
  // everything reachable from them through edges (of any type)
  Status workspace_filter(std::vector<uint8_t>& in) {
    in.assign(n_, 0);
    in[kRoot] = 1;
    std::vector<NodeId> stack;
    for (const auto& want : o_.workspaces) {
      // npm's get-workspaces.js: a name, a folder, or a parent folder of
      // workspaces (`<filter>/*`)
      std::string want_loc = want;
      while (want_loc.size() > 2 && want_loc.compare(0, 2, "./") == 0) want_loc.erase(0, 2);
      while (!want_loc.empty() && want_loc.back() == '/') want_loc.pop_back();
      size_t before = stack.size();
      for (const auto& w : g_.workspaces()) {
        if (w.name == want || w.location == want_loc || glob_match(want_loc + "/*", w.location)) {
          NodeId start = g_.find("node_modules/" + w.name);
          if (start == kNoNode) start = g_.find(w.location);
          if (start != kNoNode) stack.push_back(start);
        }
      }
      // npm drops a filter that matches nothing when another one matches;
      // for a deploy a typo must not silently shrink the package
      if (stack.size() == before) {
        std::string names;
        for (const auto& w : g_.workspaces()) names += (names.empty() ? "" : ", ") + w.name;
        return user_error("no workspace named '" + want + "' in this project",
                          {names.empty() ? "this project has no workspaces"
                                         : "its workspaces are: " + names});
      }
    }
    while (!stack.empty()) {
      NodeId id = stack.back();
      stack.pop_back();
      if (in[id]) continue;
      in[id] = 1;
      NodeId real = id;
      if (g_.node(id).is_link() && g_.node(id).target != kNoNode) {
        real = g_.node(id).target;
        if (!in[real]) stack.push_back(real);
      }
      for (auto e : boost::make_iterator_range(boost::out_edges(real, g_.csr()))) {
        NodeId to = static_cast<NodeId>(boost::target(e, g_.csr()));
        if (!in[to]) stack.push_back(to);
      }
    }
    return Ok{};
  }

  const Graph& g_;
  const Classification& cls_;
  const SelectOptions& o_;
  const uint32_t n_;
  Selection s_;
  std::vector<uint32_t> mark_, mark2_;
  uint32_t epoch_ = 0, epoch2_ = 0;
  std::vector<uint8_t> state_;
};

}  // namespace

Result<Selection> select(const Graph& graph, const Classification& cls,
                         const SelectOptions& options) {
  Selector s(graph, cls, options);
  return s.run();
}

}  // namespace lockcut
