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
//
// Parents come from paths alone, as the walk up the folders in arborist's
// `root` setter finds them, but without hashing every ancestor: an entry at
// `node_modules/x` (most of a lockfile) is the root's child outright, and
// the others are filed shortest location first, so the folder above each is
// already findable through the (parent, name id) index. Edge resolution
// walks up parents comparing name ids, on one thread, writing the CSR's
// arrays directly. Measured on 100,000 packages: 150 ms of CPU (on two
// cores) -> 45 ms, most of what is left cache misses and page faults.
#include "lockcut/graph.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <utility>

#include "lockcut/location.h"
#include "lockcut/memory.h"
#include "lockcut/semver.h"

namespace lockcut {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view last_segment(std::string_view s) {
  size_t slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

// A `node_modules` or `@scope` folder is never a package: the walk up the
// folders passes it without a lookup.
bool skipped_folder(std::string_view up) {
  std::string_view last = last_segment(up);
  return last == "node_modules" || (!last.empty() && last[0] == '@');
}

// For `node_modules/a/node_modules/b` (name `b`), the name `a`, when the
// walk up from it looks `node_modules/a` up and finds it as the root's
// child `a` (see Graph::direct_parent()); otherwise a null view.
std::string_view nested_under_top(std::string_view loc, std::string_view name) {
  if (last_segment(name) == ".." || loc.size() <= 14 + name.size() ||
      loc.substr(loc.size() - name.size() - 14, 14) != "/node_modules/") {
    return {};
  }
  std::string_view q = loc.substr(0, loc.size() - name.size() - 14);
  std::string_view a = folder_name(q);
  if (q.size() != 13 + a.size() || !starts_with(q, "node_modules/") || skipped_folder(q) ||
      last_segment(a) == "..") {
    return {};
  }
  return a;
}

// Interns the names of items 0 .. count-1 in order and hands each id to
// `done(k, name, id)`. An intern is three dependent cache misses (the text,
// the table slot, the name the slot holds), so the loop keeps them in
// flight for later items: text kFar ahead, slot kNear ahead, name half
// that. `text(k)` only points at item k's bytes; `name(k)` reads them.
template <class Text, class Name, class Done>
void intern_ahead(NameTable& names, size_t count, Text text, Name name, Done done) {
  constexpr size_t kFar = 48, kNear = 24, kRing = 32;
  struct Ahead {
    std::string_view name;
    uint32_t hash;
  };
  Ahead ring[kRing];
  auto stage = [&](size_t k) {
    std::string_view s = name(k);
    uint32_t h = NameTable::hash(s);
    ring[k % kRing] = Ahead{s, h};
    names.prefetch(h);
  };
  for (size_t k = 0; k < std::min(count, kNear); ++k) stage(k);
  for (size_t k = 0; k < count; ++k) {
    if (k + kFar < count) {
      // a name may end on the next line (a folder name is a location's tail)
      std::string_view t = text(k + kFar);
      __builtin_prefetch(t.data());
      if (!t.empty()) __builtin_prefetch(t.data() + t.size() - 1);
    }
    if (k + kNear < count) stage(k + kNear);
    if (k + kNear / 2 < count) names.prefetch_name(ring[(k + kNear / 2) % kRing].hash);
    const Ahead& a = ring[k % kRing];
    done(k, a.name, names.intern(a.name, a.hash));
  }
}

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

// The in-edges of a CSR whose out-edges are filled, as boost's own
// constructor makes them (set_up_backward_property_links: a stable counting
// sort of the out-edges by target, each in-edge holding its out-edge's
// index), but without its temporaries: boost's constructor copies an edge
// list into six arrays of 0.4 to 1.6 MB through scratch arrays, and on our
// VMs each fresh 4 KiB page costs ~23 us (memory.h). The build fills the
// out-edges itself, in node order, so their order is the one boost's
// stable sort would give.
void fill_in_edges(Graph::Csr& csr) {
  const auto& out = csr.m_forward;
  auto& in = csr.m_backward;
  const size_t n = out.m_rowstart.size() - 1, m = out.m_column.size();
  auto& start = in.m_rowstart;
  start.assign(n + 1, 0);
  for (uint32_t to : out.m_column) ++start[to + 1];
  for (size_t v = 0; v < n; ++v) start[v + 1] += start[v];
  in.m_column.resize(m);
  in.m_edge_properties.resize(m);
  // start[v] walks through v's slots, ending at v + 1's start; shift back
  for (size_t v = 0; v < n; ++v) {
    for (uint32_t e = out.m_rowstart[v]; e < out.m_rowstart[v + 1]; ++e) {
      const uint32_t at = start[out.m_column[e]]++;
      in.m_column[at] = static_cast<uint32_t>(v);
      in.m_edge_properties[at] = e;
    }
  }
  for (size_t v = n; v > 0; --v) start[v] = start[v - 1];
  start[0] = 0;
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

void ChildIndex::reserve(size_t names) {
  words_.clear();
  reserve_huge(words_, names);
  roots_ = slots_ = others_ = 0;
}

void ChildIndex::put_root(NameId name, NodeId id) {
  if (name >= roots_) {
    // only while nothing but roots is filed (the build files roots first)
    words_.resize(name + 1, kNoNode);
    roots_ = name + 1;
  }
  words_[name] = id;
}

void ChildIndex::clear_root() {
  words_.assign(roots_, kNoNode);
  slots_ = others_ = 0;
}

void ChildIndex::start_others(size_t names, size_t n) {
  roots_ = std::max(roots_, names);
  slots_ = std::max<size_t>(16, n * 2);  // at most half full
  others_ = 0;
  words_.resize(roots_, kNoNode);
  words_.resize(roots_ + slots_ * 3, kNoNode);
}

size_t ChildIndex::slot_of(NodeId parent, NameId name) const {
  uint64_t h = ((uint64_t{parent} << 32) | name) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(((h >> 32) * slots_) >> 32);
}

void ChildIndex::grow_others() {
  std::vector<uint32_t> old(words_.begin() + static_cast<long>(roots_), words_.end());
  start_others(roots_, slots_);
  for (size_t k = 0; k + 2 < old.size(); k += 3) {
    if (old[k + 2] != kNoNode) put(old[k], old[k + 1], old[k + 2]);
  }
}

void ChildIndex::put(NodeId parent, NameId name, NodeId id) {
  if ((others_ + 1) * 2 > slots_) grow_others();
  for (size_t i = slot_of(parent, name);; i = i + 1 == slots_ ? 0 : i + 1) {
    uint32_t* s = &words_[roots_ + i * 3];
    if (s[2] == kNoNode) {
      s[0] = parent;
      s[1] = name;
      s[2] = id;
      ++others_;
      return;
    }
    if (s[0] == parent && s[1] == name) {
      s[2] = id;
      return;
    }
  }
}

NodeId ChildIndex::get(NodeId parent, NameId name) const {
  if (slots_ == 0) return kNoNode;
  for (size_t i = slot_of(parent, name);; i = i + 1 == slots_ ? 0 : i + 1) {
    const uint32_t* s = &words_[roots_ + i * 3];
    if (s[2] == kNoNode) return kNoNode;
    if (s[0] == parent && s[1] == name) return s[2];
  }
}

// The entry at `location`, when there is one, is the direct child of the
// node this returns exactly when the folder walk would make it so: the
// location is `node_modules/<name>` (the root slot) or `q/node_modules/<name>`
// with `q` a folder the walk looks up, and what sits at `q` is no link.
NodeId Graph::direct_parent(std::string_view loc, std::string_view& name) const {
  // a last segment `..` leads out of the lexical tree: no parent at all
  if (last_segment(loc) == "..") return kNoNode;
  name = folder_name(loc);
  NodeId x = kNoNode;
  if (loc.size() == 13 + name.size() && starts_with(loc, "node_modules/")) {
    x = root_slot_;
  } else if (loc.size() > 14 + name.size() &&
             loc.substr(loc.size() - name.size() - 14, 14) == "/node_modules/") {
    std::string_view q = loc.substr(0, loc.size() - name.size() - 14);
    if (skipped_folder(q)) return kNoNode;
    x = find(q);
  }
  return x == kNoNode || nodes_[x].is_link() ? kNoNode : x;
}

NodeId Graph::folder_above(std::string_view location) const {
  std::string_view up = location;
  while (parent_folder(up, up) && !up.empty()) {
    NodeId a = find(up);
    if (a != kNoNode) return a;
  }
  return kNoNode;
}

NodeId Graph::find(std::string_view location) const {
  if (nodes_.empty()) return kNoNode;
  if (location.empty()) return root_slot_;
  std::string_view name;
  NodeId parent = direct_parent(location, name);
  if (parent != kNoNode) return child(parent, names_->find(name));
  return by_location_.get(location);
}

NodeId Graph::resolve(NodeId from, NameId name) const {
  if (name == kNoName) return kNoNode;
  for (NodeId n = from; n != kNoNode; n = resolve_parent(n)) {
    // most packages have no node_modules of their own: skip the lookup
    if (!(nodes_[n].bits & kNodeParent)) continue;
    NodeId hit = child(n, name);
    if (hit != kNoNode) return hit;
  }
  return kNoNode;
}

// A name nobody interned is no entry's folder name: it resolves to nothing.
NodeId Graph::resolve(NodeId from, std::string_view name) const {
  return names_ ? resolve(from, names_->find(name)) : kNoNode;
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
  NameTable& names = store.names();
  const Lockfile& lock = project.lock;
  g.store_ = &store;
  g.lock_ = &lock;
  g.names_ = &names;
  const size_t n = lock.entries.size();
  if (n == 0) return g;

  // npm's packageName (the `name` field, else the folder name; a link's is
  // its target's folder's) and version; a folder above the project is named
  // after its real folder
  auto name_node = [&](Node& node) {
    const Node& named = node.is_link() ? g.nodes_[node.target] : node;
    node.pkg_name = !node.pkg->name.empty() ? node.pkg->name : named.name;
    if (node.pkg_name == ".." || node.pkg_name == ".") {
      char buf[4096];
      std::string path = project.dir + "/" + std::string(named.location);
      if (::realpath(path.c_str(), buf)) {
        std::string_view real = store.intern(buf);
        node.pkg_name = real.substr(real.rfind('/') + 1);
      }
    }
    node.pkg_version = node.is_link() ? g.nodes_[node.target].pkg->version : node.pkg->version;
  };

  // 1. nodes, one per entry, in one pass while each location is in cache:
  // its folder name as a name id, and an entry at `node_modules/<name>`
  // (most of a lockfile) filed as the root's child right away. The root
  // slot is the last "" entry; the reader puts one first, so it is entry 0
  // unless a later "" entry says otherwise (then everything is refiled).
  reserve_huge(g.nodes_, n);
  names.reserve(names.size() + n + n / 4);
  g.children_.reserve(names.size() + n);
  const NodeId first_root = lock.entries[0].location.empty() ? kRoot : kNoNode;
  const bool first_root_ok = first_root != kNoNode && !lock.entries[0].pkg.has(kFlagLink);
  g.root_slot_ = first_root;
  NodeId root_slot = kNoNode;
  // an entry at a folder the walk up skips (`node_modules`, `@x`) can still
  // be found, so it counts for pruning (classify.cc): rare, noted here
  bool odd_folders = false;
  g.inventory_.reserve(n);
  g.inventory_.push_back(kRoot);
  std::vector<NodeId> links;  // last in the inventory
  std::vector<NodeId> rest;  // entries that are not the root's direct child
  // entries at `node_modules/a/node_modules/b`, with the name id of `a`:
  // their parent is the root's child `a`, when that is no link
  std::vector<std::pair<NodeId, NameId>> nested;
  auto location = [&](size_t i) { return lock.entries[i].location; };
  auto folder = [&](size_t i) { return folder_name(lock.entries[i].location); };
  intern_ahead(names, n, location, folder, [&](size_t i, std::string_view name, NameId name_id) {
    const LockEntry& e = lock.entries[i];
    Node& node = g.nodes_.emplace_back();
    const NodeId id = static_cast<NodeId>(i);
    node.location = e.location;
    node.name = name;
    node.name_id = name_id;
    node.lock_pkg = &e.pkg;
    node.pkg = &e.pkg;
    node.bits = kNodeInLockfile;
    if (e.pkg.has(kFlagLink)) node.bits |= kNodeLink;
    node.bundle = e.pkg.bundle;
    if (!node.name.empty() && skipped_folder(node.name)) odd_folders = true;
    if (e.location.empty()) {
      root_slot = id;
    } else if (first_root_ok && e.location.size() == 13 + node.name.size() &&
               starts_with(e.location, "node_modules/") && last_segment(node.name) != "..") {
      node.parent = kRoot;
      g.nodes_[kRoot].bits |= kNodeParent;
      g.children_.put_root(node.name_id, id);
    } else if (i != 0) {
      std::string_view a = nested_under_top(e.location, node.name);
      if (first_root_ok && a.data()) {
        nested.emplace_back(id, names.intern(a));
      } else {
        rest.push_back(id);
      }
    }
    if (i != 0 && !node.is_link()) {
      name_node(node);
      g.inventory_.push_back(id);
    } else if (i != 0) {
      links.push_back(id);
    }
  });
  if (root_slot != first_root) {
    // a second "" entry: the walk up finds that one, file everything anew
    g.root_slot_ = root_slot;
    g.children_.clear_root();
    rest.clear();
    nested.clear();
    for (size_t i = 0; i < n; ++i) g.nodes_[i].bits &= static_cast<uint8_t>(~kNodeParent);
    for (size_t i = 1; i < n; ++i) {
      g.nodes_[i].parent = kNoNode;
      if (!g.nodes_[i].location.empty()) rest.push_back(static_cast<NodeId>(i));
    }
  }
  g.nodes_[kRoot].pkg = &project.root;
  g.nodes_[kRoot].bundle = project.root.bundle;
  if (project.root_from_package_json) g.nodes_[kRoot].bits |= kNodeFromDisk;
  g.inventory_.insert(g.inventory_.end(), links.begin(), links.end());

  // 2. the other parents from paths: the closest non-link ancestor in the
  // inventory. Most are `node_modules/a/node_modules/b`, under the root's
  // child `a` (filed above); the rest go by find(): the folder above an
  // entry is a shorter location, so file those first, ties in file order,
  // so a duplicated location finds the last one, as a location hash that
  // overwrites would.
  g.children_.start_others(names.size(), rest.size() + nested.size());
  auto file_child = [&](NodeId parent, NodeId id) {
    Node& node = g.nodes_[id];
    node.parent = parent;
    g.nodes_[parent].bits |= kNodeParent;
    if (parent == g.root_slot_) g.children_.put_root(node.name_id, id);
    else g.children_.put(parent, node.name_id, id);
  };
  for (auto [id, a] : nested) {
    const NodeId x = g.children_.root(a);
    if (x != kNoNode && !g.nodes_[x].is_link()) file_child(x, id);
    else rest.push_back(id);  // the walk up goes past `a`: find it the long way
  }
  {
    std::vector<uint64_t> by_size(rest.size());
    for (size_t k = 0; k < rest.size(); ++k) {
      by_size[k] = uint64_t{g.nodes_[rest[k]].location.size()} << 32 | rest[k];
    }
    std::sort(by_size.begin(), by_size.end());
    for (size_t k = 0; k < rest.size(); ++k) rest[k] = static_cast<NodeId>(by_size[k]);
  }
  for (NodeId id : rest) {
    Node& node = g.nodes_[id];
    std::string_view name;
    NodeId parent = g.direct_parent(node.location, name);
    if (parent == kNoNode) {
      // not a direct child: the closest non-link ancestor is its fsParent
      std::string_view up = node.location;
      while (parent_folder(up, up)) {
        if (skipped_folder(up)) continue;
        NodeId a = g.find(up);
        if (a == kNoNode || g.nodes_[a].is_link()) continue;
        std::string_view prefix_end = node.location.substr(up.empty() ? 0 : up.size() + 1);
        if (starts_with(prefix_end, "node_modules/") && prefix_end.substr(13) == node.name) {
          parent = a;  // direct_parent() says this cannot be; kept for safety
        } else {
          node.fs_parent = a;
        }
        break;
      }
    }
    if (parent == kNoNode) g.by_location_.put(node.location, id);
    else file_child(parent, id);
  }
  // the closest folder above with an entry, links included (for pruning);
  // a direct child's folders up to its parent are `node_modules` (and
  // `@scope`), which hold no entry unless odd_folders
  auto set_folder_up = [&](NodeId id) {
    Node& node = g.nodes_[id];
    if (!odd_folders && node.parent != kNoNode) {
      if (!g.nodes_[node.parent].location.empty()) node.folder_up = node.parent;
      return;
    }
    node.folder_up = g.folder_above(node.location);
  };
  for (auto [id, a] : nested) set_folder_up(id);
  for (NodeId id : rest) set_folder_up(id);
  if (odd_folders) {
    for (size_t i = 1; i < n; ++i) {
      Node& node = g.nodes_[i];
      if (node.parent == g.root_slot_ && node.parent != kNoNode) node.folder_up = g.folder_above(node.location);
    }
  }

  // 3. links: find targets; a target outside node_modules reads package.json
  std::vector<NodeId> renamed{kRoot};  // nodes whose package changes below
  for (NodeId i : links) {
    Node& link = g.nodes_[i];
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
        renamed.push_back(t);
      }
    }
  }
  // a link keeps the package its target had when it was made: the lockfile
  // entry, even when the target then reads package.json (load-virtual.js)
  for (NodeId i : links) {
    Node& link = g.nodes_[i];
    link.pkg = g.nodes_[link.target].lock_pkg;
    renamed.push_back(i);
  }
  for (NodeId id : renamed) name_node(g.nodes_[id]);

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
  // Every declared name becomes a name id first (the pool is in file order,
  // so the text is read front to back). Resolution is then integer work, a
  // few ms for 200,000 edges: one thread writes the edges in node order,
  // straight into the CSR's arrays (see fill_in_edges()).
  auto& pool = store.dep_pool();
  auto dep_name = [&](size_t d) { return pool[d].name; };
  intern_ahead(names, pool.size(), dep_name, dep_name,
               [&](size_t d, std::string_view, NameId id) { pool[d].name_id = id; });
  const bool legacy = options.legacy_peer_deps;
  Graph::Csr csr;
  csr.vertex_properties().resize(n);
  auto& out = csr.m_forward;
  assign_huge(out.m_rowstart, n + 1, uint32_t{0});
  reserve_huge(out.m_column, pool.size());
  reserve_huge(out.m_edge_properties, pool.size());
  std::vector<uint32_t> chosen;
  std::vector<NameId> chosen_name;
  // by name id, 1 + index into chosen: for nodes with many deps. Sized for
  // huge pages, and freed before the in-edges are built: glibc then serves
  // blocks up to its size from its heap (its mmap threshold follows the
  // largest mapped block freed), so the in-edge arrays and what classify,
  // select and printing allocate reuse memory instead of faulting in fresh
  // 4 KiB pages (memory.h); measured -25 ms on 100,000 packages.
  std::vector<uint32_t> at_of;
  // at least 2 MiB once the arrays that follow pass malloc's initial 128 KiB
  // threshold (32,768 nodes); a small project needs no such hint
  reserve_huge(at_of, n < (size_t{1} << 15) ? names.size() : std::max<size_t>(names.size(), size_t{1} << 16));
  at_of.assign(names.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    const Node& node = g.nodes_[i];
    out.m_rowstart[i] = static_cast<uint32_t>(out.m_column.size());
    if (node.is_link()) continue;
    chosen.clear();
    chosen_name.clear();
    const bool many = node.pkg->deps.count > 24;
    // `chosen` keeps every add in order; a replaced one is blanked, so the
    // survivors end up ordered by their last add, as a Map delete + set is
    auto add = [&](uint32_t d) {
      const NameId name = pool[d].name_id;
      size_t at = SIZE_MAX;
      if (many) {
        if (at_of[name]) at = at_of[name] - 1;
      } else {
        for (size_t c = 0; c < chosen.size(); ++c) {
          if (chosen[c] != UINT32_MAX && chosen_name[c] == name) at = c;
        }
      }
      if (at != SIZE_MAX) {
        if (pool[chosen[at]].kind == DepKind::workspace) return;
        chosen[at] = UINT32_MAX;
      }
      if (many) at_of[name] = static_cast<uint32_t>(chosen.size()) + 1;
      chosen.push_back(d);
      chosen_name.push_back(name);
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
    for (size_t c = 0; c < chosen.size(); ++c) {
      if (chosen[c] == UINT32_MAX) continue;
      const NodeId to = g.resolve(static_cast<NodeId>(i), chosen_name[c]);
      if (to == kNoNode) {
        g.missing_.push_back(MissingEdge{static_cast<NodeId>(i), chosen[c]});
      } else {
        out.m_column.push_back(to);
        out.m_edge_properties.push_back(EdgeData{chosen[c], pool[chosen[c]].kind});
      }
    }
    if (many) {
      for (NameId name : chosen_name) at_of[name] = 0;
    }
  }
  out.m_rowstart[n] = static_cast<uint32_t>(out.m_column.size());
  std::vector<uint32_t>().swap(at_of);
  fill_in_edges(csr);
  g.csr_ = std::move(csr);

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
