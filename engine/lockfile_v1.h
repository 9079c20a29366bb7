// lockfile_v1.h: private to the engine; converts a v1 `dependencies` tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lockcut/lockfile.h"

namespace lockcut {

/// One node of a v1 tree as written, before conversion.
struct V1Node {
  std::string_view location;  ///< where the tree puts it (links' children moved)
  std::string_view name;      ///< the key in its parent's `dependencies`
  std::string_view version, integrity, resolved, from;
  bool dev = false, optional = false, bundled = false;
  uint32_t reqs_begin = 0, reqs_count = 0;  ///< into V1Tree::reqs
};

/// The v1 tree in document order (parents before children).
struct V1Tree {
  bool present = false;
  std::vector<V1Node> nodes;
  std::vector<DeclaredDep> reqs;  ///< `reqs` maps, kind unset (prod)
};

/// Reads a v1 `dependencies` object recursively.
Status read_v1_tree(simdjson::ondemand::object deps, const std::string& file,
                    const char* text_begin, ManifestStore& store, V1Tree& out);

/// Turns the tree into `packages` entries as arborist's Shrinkwrap does;
/// entries[0] is the root.
void convert_v1_tree(const V1Tree& tree, std::string_view root_name, ManifestStore& store,
                     std::vector<LockEntry>& entries);

}  // namespace lockcut
