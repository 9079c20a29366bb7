// graph.cc: lockfile entries -> immutable dependency graph (see graph.h).
//
// Build order matters and mirrors arborist's loadVirtual: nodes first (so
// every location is known), then parents from paths, then links (a link
// target outside node_modules takes its package.json from disk, which can
// change its edges), then edges. Edge kinds follow Node `_loadDeps`: peer and
// peerOptional first, then prod, optional, and dev only on "top" nodes (no
// parent: the root, workspaces, folder targets); a later kind replaces an
// earlier one for the same name, so dev > optional > prod > peer, and a
// workspace edge of the root is never replaced.
#include "lockcut/graph.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "lockcut/location.h"
#include "lockcut/semver.h"

namespace lockcut {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_remote_url(std::string_view s) {
  return starts_with(s, "https://") || starts_with(s, "http://");
}

// arborist dep-valid.js, for the spec types a lockfile can hold. Git and
// remote specs are taken as valid: checking them needs the network.
bool spec_valid(const Graph& g, NodeId from, NodeId to, std::string_view spec, DepKind kind) {
  const Node& t = g.node(to);
  if (kind == DepKind::workspace) return t.is_link();
  if (spec.empty() || spec == "*") return true;
  if (starts_with(spec, "npm:")) {
    std::string_view sub = spec.substr(4);
    size_t at = sub.rfind('@');
    if (at == std::string_view::npos || at == 0) return true;
    std::string_view range = sub.substr(at + 1);
    if (range.empty() || range == "*") return true;
    return satisfies(t.version(), range, false);
  }
  if (starts_with(spec, "file:") || starts_with(spec, "link:")) {
    std::string_view path = spec.substr(5);
    const Node& f = g.node(from);
    std::string base = f.location.empty() ? std::string() : std::string(f.location) + "/";
    std::string want = normalize_location(path[0] == '/' ? std::string(path) : base + std::string(path));
    if (t.is_link()) return t.target != kNoNode && g.node(t.target).location == want;
    std::string_view resolved = t.pkg ? t.pkg->resolved : std::string_view();
    if (starts_with(resolved, "file:")) return normalize_location(resolved.substr(5)) == want;
    return false;
  }
  if (starts_with(spec, "git") || starts_with(spec, "github:") || starts_with(spec, "gitlab:") ||
      starts_with(spec, "bitbucket:") || is_remote_url(spec) ||
      (spec.find('/') != std::string_view::npos && spec[0] != '@' && !is_valid_range(spec))) {
    return true;
  }
  if (is_valid_range(spec)) return satisfies(t.version(), spec, false);
  // a dist-tag: valid only when the node was resolved from a registry URL
  return t.pkg && is_remote_url(t.pkg->resolved);
}

}  // namespace

void LocationIndex::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  size_ = 0;
  arena_.reserve(n * 24);
}

void LocationIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  size_t cap = old.size() * 2;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  for (const Slot& s : old) {
    if (s.id == kNoNode) continue;
    for (size_t i = s.hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].id == kNoNode) {
        slots_[i] = s;
        break;
      }
    }
  }
}

void LocationIndex::put(std::string_view key, NodeId id) {
  if (slots_.empty()) reserve(8);
  if ((size_ + 1) * 2 > slots_.size()) grow();
  uint32_t h = static_cast<uint32_t>(std::hash<std::string_view>{}(key));
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.id == kNoNode) {
      s = Slot{h, id, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(key.size())};
      arena_.append(key);
      ++size_;
      return;
    }
    if (s.hash == h && key_of(s) == key) {
      s.id = id;
      return;
    }
  }
}

NodeId LocationIndex::get(std::string_view key) const {
  if (slots_.empty()) return kNoNode;
  uint32_t h = static_cast<uint32_t>(std::hash<std::string_view>{}(key));
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.id == kNoNode) return kNoNode;
    if (s.hash == h && key_of(s) == key) return s.id;
  }
}

NodeId Graph::find(std::string_view location) const { return by_location_.get(location); }

NodeId Graph::resolve(NodeId from, std::string_view name) const {
  thread_local std::string probe;
  for (NodeId n = from; n != kNoNode; n = resolve_parent(n)) {
    // most packages have no node_modules of their own: skip the probe
    if (!has_children_[n]) continue;
    const Node& node = nodes_[n];
    probe.clear();
    if (!node.location.empty()) {
      probe.append(node.location);
      probe += '/';
    }
    probe += "node_modules/";
    probe.append(name);
    NodeId hit = by_location_.get(probe);
    if (hit != kNoNode && nodes_[hit].parent == n) return hit;
  }
  return kNoNode;
}

bool Graph::edge_valid(EdgeDesc e) const {
  const DeclaredDep& d = dep(e);
  return spec_valid(*this, static_cast<NodeId>(boost::source(e, csr_)),
                    static_cast<NodeId>(boost::target(e, csr_)), d.spec, d.kind);
}

bool Graph::edge_valid_with(EdgeDesc e, std::string_view spec) const {
  return spec_valid(*this, static_cast<NodeId>(boost::source(e, csr_)),
                    static_cast<NodeId>(boost::target(e, csr_)), spec, dep(e).kind);
}

bool Graph::is_workspace(NodeId id) const {
  return std::find(workspace_nodes_.begin(), workspace_nodes_.end(), id) !=
         workspace_nodes_.end();
}


Result<Graph> build_graph(Project& project, const GraphOptions& options) {
  Graph g;
  ManifestStore& store = *project.store;
  const Lockfile& lock = project.lock;
  g.store_ = &store;
  g.lock_ = &lock;
  const size_t n = lock.entries.size();
  g.nodes_.resize(n);
  g.by_location_.reserve(n);

  // 1. nodes, one per entry; the root takes its package from package.json
  for (size_t i = 0; i < n; ++i) {
    const LockEntry& e = lock.entries[i];
    Node& node = g.nodes_[i];
    node.location = e.location;
    node.name = folder_name(e.location);
    node.lock_pkg = &e.pkg;
    node.pkg = &e.pkg;
    node.bits = kNodeInLockfile;
    if (e.pkg.has(kFlagLink)) node.bits |= kNodeLink;
    node.bundle = e.pkg.bundle;
    g.by_location_.put(e.location, static_cast<NodeId>(i));
  }
  g.nodes_[kRoot].pkg = &project.root;
  g.nodes_[kRoot].bundle = project.root.bundle;
  if (project.root_from_package_json) g.nodes_[kRoot].bits |= kNodeFromDisk;
  g.inventory_.reserve(n);
  g.inventory_.push_back(kRoot);
  for (size_t i = 1; i < n; ++i) {
    if (!g.nodes_[i].is_link()) g.inventory_.push_back(static_cast<NodeId>(i));
  }
  for (size_t i = 1; i < n; ++i) {
    if (g.nodes_[i].is_link()) g.inventory_.push_back(static_cast<NodeId>(i));
  }

  // 2. parents from paths: the closest non-link ancestor in the inventory
  g.has_children_.assign(n, 0);
  for (size_t i = 1; i < n; ++i) {
    Node& node = g.nodes_[i];
    std::string_view up = node.location;
    while (parent_folder(up, up)) {
      // a `node_modules` or `@scope` folder is never a package: no lookup
      std::string_view last = up.substr(up.rfind('/') == std::string_view::npos ? 0 : up.rfind('/') + 1);
      if (last == "node_modules" || (!last.empty() && last[0] == '@')) continue;
      NodeId a = g.by_location_.get(up);
      if (a == kNoNode || g.nodes_[a].is_link()) continue;
      std::string_view prefix_end = node.location.substr(up.empty() ? 0 : up.size() + 1);
      bool direct = starts_with(prefix_end, "node_modules/") &&
                    prefix_end.substr(13) == node.name;
      if (direct) {
        node.parent = a;
        g.has_children_[a] = 1;
      } else {
        node.fs_parent = a;
      }
      break;
    }
  }

  // 3. links: find targets; a target outside node_modules reads package.json
  for (size_t i = 1; i < n; ++i) {
    Node& link = g.nodes_[i];
    if (!link.is_link()) continue;
    std::string target_loc = normalize_location(link.lock_pkg->resolved);
    NodeId t = g.find(target_loc);
    if (t == kNoNode || g.nodes_[t].is_link()) {
      return user_error("'" + lock.path + "': packages[\"" + std::string(link.location) +
                            "\"] links to \"" + target_loc +
                            "\", which has no entry in the lockfile (byte " +
                            std::to_string(link.lock_pkg->offset) + ")",
                        {"the lockfile is incomplete: run `npm install` to rewrite it"});
    }
    link.target = t;
    Node& target = g.nodes_[t];
    if (target.parent == kNoNode && !(target.bits & kNodeFromDisk)) {
      if (const Manifest* disk = project.folder_manifest(target.location)) {
        target.pkg = disk;
        target.bundle = disk->bundle;
        target.bits |= kNodeFromDisk;
      }
    }
  }
  // a link keeps the package its target had when it was made: the lockfile
  // entry, even when the target then reads package.json (load-virtual.js)
  for (size_t i = 1; i < n; ++i) {
    Node& link = g.nodes_[i];
    if (link.is_link()) link.pkg = g.nodes_[link.target].lock_pkg;
  }
  for (size_t i = 0; i < n; ++i) {
    Node& node = g.nodes_[i];
    // an entry without `name` is named after its folder (load-virtual.js
    // #loadNode); a link after its target's folder
    const Node& named = node.is_link() ? g.nodes_[node.target] : node;
    node.pkg_name = !node.pkg->name.empty() ? node.pkg->name : named.name;
    if (node.pkg_name == ".." || node.pkg_name == ".") {
      // a folder above the project: npm names it after the real folder
      char buf[4096];
      std::string path = project.dir + "/" + std::string(named.location);
      if (::realpath(path.c_str(), buf)) {
        std::string_view real = store.intern(buf);
        node.pkg_name = real.substr(real.rfind('/') + 1);
      }
    }
    node.pkg_version = node.is_link() ? g.nodes_[node.target].pkg->version : node.pkg->version;
  }

  // 4. workspaces: the root's workspace edges, `file:<absolute path>`
  g.workspaces_ = project.read_disk ? project.workspaces : virtual_workspaces(lock, store);
  std::vector<DeclaredDep> ws_deps;
  std::string abs_dir = project.dir;
  if (abs_dir.empty() || abs_dir[0] != '/') {
    char buf[4096];
    if (::realpath(project.dir.c_str(), buf)) abs_dir = buf;
  }
  for (const auto& w : g.workspaces_) {
    ws_deps.push_back(DeclaredDep{store.intern(w.name),
                                  store.intern("file:" + abs_dir + "/" + w.location),
                                  DepKind::workspace});
  }
  PoolRange ws_range = store.add_deps(ws_deps);

  // 5. edges, in arborist's load order with later kinds replacing earlier.
  // Each node writes its resolved edges into its own slot range (sized by
  // its declared dependencies), in parallel; a sequential pass then compacts
  // them, so the result does not depend on the thread count.
  auto& pool = store.dep_pool();
  std::vector<uint32_t> slot_begin(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const Node& node = g.nodes_[i];
    uint32_t k = node.is_link() ? 0 : node.pkg->deps.count + (i == kRoot ? ws_range.count : 0);
    slot_begin[i + 1] = slot_begin[i] + k;
  }
  struct Slot {
    uint32_t dep = UINT32_MAX;
    NodeId to = kNoNode;
  };
  std::vector<Slot> slots(slot_begin[n]);
  const bool legacy = options.legacy_peer_deps;
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 512), [&](const tbb::blocked_range<size_t>& range) {
    std::vector<uint32_t> chosen;
    std::unordered_map<std::string_view, size_t> last;  // for nodes with many deps
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const Node& node = g.nodes_[i];
      if (node.is_link()) continue;
      chosen.clear();
      last.clear();
      const bool many = node.pkg->deps.count > 24;
      // `chosen` keeps every add in order; a replaced one is blanked, so the
      // survivors end up ordered by their last add, as a Map delete + set is
      auto add = [&](uint32_t d) {
        std::string_view name = pool[d].name;
        size_t at = SIZE_MAX;
        if (many) {
          auto it = last.find(name);
          if (it != last.end()) at = it->second;
        } else {
          for (size_t c = 0; c < chosen.size(); ++c) {
            if (chosen[c] != UINT32_MAX && pool[chosen[c]].name == name) at = c;
          }
        }
        if (at != SIZE_MAX) {
          if (pool[chosen[at]].kind == DepKind::workspace) return;
          chosen[at] = UINT32_MAX;
        }
        if (many) last[name] = chosen.size();
        chosen.push_back(d);
      };
      if (i == kRoot) {
        for (uint32_t d = ws_range.begin; d < ws_range.begin + ws_range.count; ++d) add(d);
      }
      const Manifest& m = *node.pkg;
      const uint32_t b = m.deps.begin, e = m.deps.begin + m.deps.count;
      if (!legacy) {
        for (uint32_t d = b; d < e; ++d) {
          if (pool[d].kind == DepKind::peer) add(d);
        }
        for (uint32_t d = b; d < e; ++d) {
          if (pool[d].kind == DepKind::peer_optional) add(d);
        }
      }
      for (uint32_t d = b; d < e; ++d) {
        if (pool[d].kind == DepKind::prod) add(d);
      }
      for (uint32_t d = b; d < e; ++d) {
        if (pool[d].kind == DepKind::optional) add(d);
      }
      if (node.parent == kNoNode) {
        for (uint32_t d = b; d < e; ++d) {
          if (pool[d].kind == DepKind::dev) add(d);
        }
      }
      Slot* out = slots.data() + slot_begin[i];
      for (uint32_t d : chosen) {
        if (d != UINT32_MAX) *out++ = Slot{d, g.resolve(static_cast<NodeId>(i), pool[d].name)};
      }
    }
  });
  std::vector<std::pair<uint32_t, uint32_t>> edge_ends;
  std::vector<EdgeData> edge_data;
  edge_ends.reserve(slots.size());
  edge_data.reserve(slots.size());
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k = slot_begin[i]; k < slot_begin[i + 1]; ++k) {
      const Slot& sl = slots[k];
      if (sl.dep == UINT32_MAX) break;
      if (sl.to == kNoNode) {
        g.missing_.push_back(MissingEdge{static_cast<NodeId>(i), sl.dep});
      } else {
        edge_ends.emplace_back(static_cast<uint32_t>(i), sl.to);
        edge_data.push_back(EdgeData{sl.dep, pool[sl.dep].kind});
      }
    }
  }
  g.csr_ = Graph::Csr(boost::edges_are_unsorted_multi_pass, edge_ends.begin(), edge_ends.end(),
                      edge_data.begin(), static_cast<uint32_t>(n));

  // workspace folder nodes: the targets of the root's workspace edges
  for (auto e : boost::make_iterator_range(boost::out_edges(kRoot, g.csr_))) {
    if (g.dep(e).kind != DepKind::workspace) continue;
    NodeId to = static_cast<NodeId>(boost::target(e, g.csr_));
    g.workspace_nodes_.push_back(to);
    if (g.nodes_[to].is_link()) g.workspace_nodes_.push_back(g.nodes_[to].target);
  }

  // v1 files lost bundleDependencies: rebuild them from `bundled`
  // (load-virtual.js #assignBundles)
  if (lock.from_v1_tree) {
    std::vector<std::vector<std::string_view>> extra(n);
    for (size_t i = 1; i < n; ++i) {
      const Node& node = g.nodes_[i];
      if (node.parent == kNoNode || node.is_link()) continue;
      const Node& parent = g.nodes_[node.parent];
      if (!node.lock_pkg->has(kFlagInBundle) || parent.lock_pkg->has(kFlagInBundle)) continue;
      bool has_edge = false;
      for (auto e : boost::make_iterator_range(boost::out_edges(node.parent, g.csr_))) {
        has_edge = has_edge || g.dep(e).name == node.name;
      }
      for (const auto& me : g.missing_) {
        has_edge = has_edge || (me.from == node.parent && pool[me.dep].name == node.name);
      }
      if (has_edge) extra[node.parent].push_back(node.name);
    }
    for (size_t i = 0; i < n; ++i) {
      if (extra[i].empty()) continue;
      auto existing = store.strings(g.nodes_[i].bundle);
      std::vector<std::string_view> all(existing.begin(), existing.end());
      all.insert(all.end(), extra[i].begin(), extra[i].end());
      g.nodes_[i].bundle = store.add_strings(all);
    }
  }

  return g;
}

}  // namespace lockcut
