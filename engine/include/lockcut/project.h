// project.h: everything read from disk before the graph is built.
//
// A project is its lockfile plus the package.json files npm also reads: the
// root's (the root's edges come from it, not from the lockfile) and, for each
// link whose target sits outside any node_modules (workspaces, `file:`
// folders, `../` targets), the target's own package.json, which replaces its
// lockfile entry (arborist load-virtual.js `#resolveLinks`). Workspaces are
// found by matching the root's `workspaces` globs on disk
// (@npmcli/map-workspaces).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lockcut/lockfile.h"
#include "lockcut/manifest.h"
#include "lockcut/npm_config.h"
#include "lockcut/result.h"

namespace lockcut {

/// A workspace: its package name and its folder as a location.
struct Workspace {
  std::string name;
  std::string location;
};

/// A package.json the analysis looked for. What an analysis depends on
/// besides its lockfile and settings, so a kept one (plan_cache.h) is used
/// only while each of these reads the same.
struct ManifestInput {
  std::string path;
  bool found = false;     ///< false: there was none (or it could not be read)
  std::string_view text;  ///< the bytes read, kept by the project's store
};

/// What to load.
struct ProjectOptions {
  std::string dir = ".";     ///< the project folder
  std::string lockfile;      ///< --lockfile override; empty: find it as npm does
  bool read_disk = true;     ///< read package.json files besides the lockfile
};

/// The loaded inputs. Movable; views stay valid because the store is owned
/// through a pointer.
struct Project {
  std::string dir;
  std::unique_ptr<ManifestStore> store;
  Lockfile lock;
  Manifest root;                        ///< package.json, or the lockfile's "" entry
  bool root_from_package_json = false;
  std::vector<Workspace> workspaces;    ///< from the root's globs, on disk
  /// package.json files read for link targets, by target location; loaded on
  /// demand by folder_manifest().
  std::unordered_map<std::string, std::unique_ptr<Manifest>> folder_manifests;
  /// Every package.json looked for (the root's, the workspaces', link
  /// targets' and installed ones'), in the order they were.
  std::vector<ManifestInput> manifest_inputs;
  bool read_disk = true;

  /// The package.json of a folder inside or beside the project (a link
  /// target), or nullptr when it cannot be read.
  const Manifest* folder_manifest(std::string_view location);
};

/// Loads the lockfile and the package.json files npm reads with it.
Result<Project> load_project(const ProjectOptions& options);

/// Finds the workspaces of `root` on disk, as @npmcli/map-workspaces does.
/// Each package.json read is added to `inputs` when given.
Result<std::vector<Workspace>> map_workspaces(const std::string& dir, const Manifest& root,
                                              ManifestStore& store,
                                              std::vector<ManifestInput>* inputs = nullptr);

/// The workspaces the lockfile itself implies: lockfile locations that match
/// the "" entry's globs (mapWorkspaces.virtual), for the in-sync check.
std::vector<Workspace> virtual_workspaces(const Lockfile& lock, const ManifestStore& store);

/// minimatch-style matching of a relative path against a glob with `*`, `**`
/// and `?` (no braces or classes): what workspace globs use in practice.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace lockcut
