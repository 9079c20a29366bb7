// location.h: lockfile locations as paths.
//
// A location is a `/`-separated path relative to the project root, spelled
// like a `packages` key. npm derives a node's name and its place in the tree
// from the location alone (arborist node.js `root` setter, name-from-folder),
// so these helpers are shared by the lockfile reader and the graph.
#pragma once

#include <string>
#include <string_view>

namespace lockcut {

/// The package folder name of a location: its last segment, or the last two
/// when the one before is a scope (`node_modules/@s/x` -> `@s/x`).
std::string_view folder_name(std::string_view location);

/// The location one folder up (`a/b` -> `a`, `a` -> ``). Returns false when
/// there is no parent inside the lexical space (`` or a chain of `..`).
bool parent_folder(std::string_view location, std::string_view& parent);

/// `parent` + `/node_modules/` + `name`, or `node_modules/name` for the root.
std::string child_location(std::string_view parent, std::string_view name);

/// Joins a path relative to the project root (`resolved` of a link, a
/// `file:` spec) and normalizes it to a location: `./a/../b/` -> `b`,
/// `..//x` -> `../x`. An absolute path stays absolute.
std::string normalize_location(std::string_view path);

}  // namespace lockcut
