// graph.h: the dependency graph npm builds from a lockfile.
//
// One node per lockfile location; a link is a node of its own whose target is
// another node. Structure comes from paths only (arborist node.js `root`
// setter): a node's parent is the closest non-link ancestor folder in the
// inventory when the node sits directly in that ancestor's node_modules,
// otherwise that ancestor is its fsParent. Edges are the declared
// dependencies, typed and resolved as Node resolves `require`: look in the
// dependent's own node_modules, then its parent's, and so on (a link's
// dependencies resolve from its target; links have no edges of their own).
//
// The graph is immutable once built: a boost compressed_sparse_row_graph with
// 32-bit indices and in-edges (bidirectional), with per-node data in vectors
// indexed by NodeId. Missing dependencies are recorded beside it.
//
// Names are interned (NameId), and a node is filed under its parent by
// (parent, name id): the root's children in an array indexed by name id,
// other parents' in one hash of (parent, name id). Resolving a dependency is
// then integer work, and so is finding a location: `a/node_modules/b` is
// the child `b` of whatever `a` is; only the few entries that are no
// parent's direct child (workspace folders, `file:` targets) sit in a
// location hash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>

#include "lockcut/manifest.h"
#include "lockcut/project.h"
#include "lockcut/result.h"

namespace lockcut {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr NodeId kRoot = 0;

/// Bits of Node::bits.
enum NodeBit : uint8_t {
  kNodeLink = 1 << 0,        ///< a symlink entry (`link: true`)
  kNodeFromDisk = 1 << 1,    ///< its package.json was read from disk
  kNodeInLockfile = 1 << 2,  ///< has a `packages` entry (every node but a bare root)
  kNodeParent = 1 << 3,      ///< some node's parent is this one
};

/// Per-node data. The fields the graph walks read on every visit (parent,
/// fsParent, link target, bits) share the first cache line.
struct Node {
  NodeId parent = kNoNode;    ///< the node whose node_modules holds this one
  NodeId fs_parent = kNoNode; ///< the folder above it when not a parent
  NodeId target = kNoNode;    ///< for links
  uint8_t bits = 0;
  NameId name_id = kNoName;   ///< `name` in ManifestStore::names()
  /// The closest folder above this one that has a lockfile entry (a link
  /// or not, the root's "" excepted), as Graph::find() gives it; kNoNode
  /// when none. Everything below an extraneous entry is pruned with it.
  NodeId folder_up = kNoNode;
  PoolRange bundle;           ///< bundleDependencies after normalization
  std::string_view location;  ///< "" for the root
  std::string_view name;      ///< folder name (an alias's name, not the package's)
  const Manifest* pkg = nullptr;       ///< the package npm uses (a link: its target's)
  const Manifest* lock_pkg = nullptr;  ///< the lockfile entry (stored flags)
  std::string_view pkg_name;  ///< npm's packageName, else the folder name
  std::string_view pkg_version;  ///< a link reports its target's

  bool is_link() const { return (bits & kNodeLink) != 0; }
  /// The package name (`name` field, else the folder name), as npm's
  /// `packageName || name`. A link reports its target's.
  std::string_view package_name() const { return pkg_name.empty() ? name : pkg_name; }
  std::string_view version() const { return pkg_version; }
};

/// Location -> NodeId, open addressing, the key compared only when the
/// stored hash matches. The graph keeps here only the entries that are no
/// node's direct child (the rest are found through ChildIndex).
class LocationIndex {
 public:
  void reserve(size_t n);
  /// Inserts or overwrites.
  void put(std::string_view key, NodeId id);
  NodeId get(std::string_view key) const;

 private:
  // Keys are copied into one arena: the lockfile text is tens of MB and a
  // compare there is a cache miss per lookup; the arena is a few MB.
  struct Slot {
    uint32_t hash = 0;
    NodeId id = kNoNode;
    uint32_t offset = 0;  ///< into arena_
    uint32_t size = 0;
  };
  std::string_view key_of(const Slot& s) const { return {arena_.data() + s.offset, s.size}; }
  void grow();
  std::vector<Slot> slots_;
  std::string arena_;
  size_t mask_ = 0, size_ = 0;
};

/// (parent, name id) -> NodeId. The root slot's children are an array
/// indexed by name id; every other parent's sit in an open-addressing hash
/// of (parent, name, id) slots laid out after that array, in one block
/// sized for huge pages (memory.h).
class ChildIndex {
 public:
  /// Room for root children of `names` names (the array grows past that).
  void reserve(size_t names);
  /// The root slot's child `name`, or kNoNode.
  NodeId root(NameId name) const { return name < roots_ ? words_[name] : kNoNode; }
  /// Files a child of the root slot (inserts or overwrites).
  void put_root(NameId name, NodeId id);
  /// Clears the root part and the hash.
  void clear_root();
  /// Lays the hash out after the root part, for about `n` other children;
  /// the root part no longer grows.
  void start_others(size_t names, size_t n);
  /// Files a child of another parent (inserts or overwrites).
  void put(NodeId parent, NameId name, NodeId id);
  /// A child of another parent, or kNoNode.
  NodeId get(NodeId parent, NameId name) const;

 private:
  size_t slot_of(NodeId parent, NameId name) const;
  void grow_others();
  std::vector<uint32_t> words_;  ///< roots_ words, then slots_ * 3 words
  size_t roots_ = 0, slots_ = 0, others_ = 0;
};

/// Edge data stored in the CSR: which declared dependency it is, and its
/// kind copied beside it, because the flag walks read the kind of every edge
/// and the dependency pool is too large to stay in cache.
struct EdgeData {
  uint32_t dep = 0;  ///< index into ManifestStore::dep_pool()
  DepKind kind = DepKind::prod;
};

/// A declared dependency that resolves to nothing.
struct MissingEdge {
  NodeId from;
  uint32_t dep;
};

/// The immutable dependency graph.
class Graph {
 public:
  using Csr = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property,
                                                 EdgeData, boost::no_property, uint32_t,
                                                 uint32_t>;
  using EdgeDesc = boost::graph_traits<Csr>::edge_descriptor;

  /// Number of nodes (the root included).
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  const Node& node(NodeId id) const { return nodes_[id]; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Csr& csr() const { return csr_; }
  const ManifestStore& store() const { return *store_; }
  const std::vector<MissingEdge>& missing() const { return missing_; }
  uint32_t edge_count() const { return static_cast<uint32_t>(boost::num_edges(csr_)); }

  /// The node at a location, or kNoNode.
  NodeId find(std::string_view location) const;
  /// parent, else fs_parent (arborist `resolveParent`).
  NodeId resolve_parent(NodeId id) const {
    const Node& n = nodes_[id];
    return n.parent != kNoNode ? n.parent : n.fs_parent;
  }
  /// The node `name` resolves to from `from` (arborist Node.resolve).
  NodeId resolve(NodeId from, std::string_view name) const;
  /// The same for an interned name.
  NodeId resolve(NodeId from, NameId name) const;
  /// The node whose parent is `parent` and whose folder name is `name`
  /// (the entry at `<parent>/node_modules/<name>`), or kNoNode.
  NodeId child(NodeId parent, NameId name) const {
    return parent == root_slot_ ? children_.root(name) : children_.get(parent, name);
  }

  /// The declared dependency behind an edge.
  const DeclaredDep& dep(EdgeDesc e) const { return store_->dep_pool()[csr_[e].dep]; }
  const DeclaredDep& dep(uint32_t index) const { return store_->dep_pool()[index]; }
  /// The edge's kind (same as dep(e).kind, without the pool lookup).
  DepKind kind(EdgeDesc e) const { return csr_[e].kind; }
  /// Dense index of an edge, for side vectors.
  uint32_t edge_index(EdgeDesc e) const { return boost::get(boost::edge_index, csr_, e); }

  /// Whether the edge's target satisfies its spec (arborist Edge.valid),
  /// computed on demand: only `why` and the sync check ask.
  bool edge_valid(EdgeDesc e) const;
  /// Whether the edge's target satisfies `spec` instead of the declared one
  /// (an override's).
  bool edge_valid_with(EdgeDesc e, std::string_view spec) const;

  /// The workspaces of the root, as the root's workspace edges name them.
  const std::vector<Workspace>& workspaces() const { return workspaces_; }
  /// True for a node that is a workspace folder (arborist isWorkspace).
  bool is_workspace(NodeId id) const;
  /// Nodes in arborist's inventory order: root, entries, then links.
  const std::vector<NodeId>& inventory_order() const { return inventory_; }
  /// The lockfile the graph was built from.
  const Lockfile& lockfile() const { return *lock_; }

 private:
  friend Result<Graph> build_graph(Project& project, const struct GraphOptions& options);
  /// The node an entry at `location` would be the direct child of (filed
  /// under its folder `name`), or kNoNode when such an entry would not be.
  NodeId direct_parent(std::string_view location, std::string_view& name) const;
  /// The closest folder above `location` that find() knows ("" excepted).
  NodeId folder_above(std::string_view location) const;
  Csr csr_;
  std::vector<Node> nodes_;
  std::vector<MissingEdge> missing_;
  std::vector<NodeId> inventory_;
  std::vector<Workspace> workspaces_;
  NodeId root_slot_ = kRoot;          ///< the (last) entry at "" (find(""))
  ChildIndex children_;                ///< every parent's children
  LocationIndex by_location_;          ///< entries that are no node's direct child
  const NameTable* names_ = nullptr;
  std::vector<NodeId> workspace_nodes_;  ///< folder nodes of workspaces
  const ManifestStore* store_ = nullptr;
  const Lockfile* lock_ = nullptr;
};

/// Settings that change the graph itself.
struct GraphOptions {
  /// npm's `legacy-peer-deps`: peer dependencies are not edges at all.
  bool legacy_peer_deps = false;
};

/// Builds the graph. The project must outlive it.
Result<Graph> build_graph(Project& project, const GraphOptions& options);

}  // namespace lockcut
