// plan.h: what `lockcut pack` will write, decided before a byte is written.
//
// The plan turns a selection into a list of entries: every file and symlink
// of the output, where it comes from, its size and mode, and which package
// (or the project itself) it belongs to. `--dry-run` and `--json` print it,
// the tests assert on it, and the writers (copy.h, archive.h) only execute
// it. Directories are implied by the paths.
//
// Layout rules, the same as `npm ci --omit=dev` lays out a tree:
// - every kept package at its lockfile location, with all the files that are
//   in its installed folder (what its install scripts built included) except
//   its own `node_modules` folder, whose kept packages are entries of their own;
// - a link (workspace, `file:` folder) becomes a real folder at the link's
//   location holding the target's packed files (npm's packing rules,
//   packlist.h) and the target's kept dependencies under it;
// - hidden folders beside packages in a `node_modules` (`.prisma`, written by
//   install scripts) are shipped; npm's own metadata (`.bin`,
//   `.package-lock.json`) and known tool caches are not. `.bin` links are
//   rebuilt for the shipped packages with `bin`.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/result.h"

namespace lockcut {

class TreePrefetch;  // tree_cache.h

/// What an entry is.
enum class EntryType : uint8_t { file, symlink };

/// Index of the project's own files in PackPlan::packages.
inline constexpr uint32_t kOwnFiles = 0;

/// One file or symlink of the output. Where it is read from is not kept
/// with it (a plan holds one entry per file, and a warm pack reads none of
/// them): it is its package's `source` folder and path_in_package(), which
/// PackPlan::source_of() joins.
struct PlanEntry {
  /// `rel` of a link lockcut makes (`.bin`): it has no source.
  static constexpr uint32_t kNoSource = UINT32_MAX;

  std::string dest;     ///< relative output path, '/'-separated, no prefix
  std::string target;   ///< symlinks: the link text as written
  uint64_t size = 0;    ///< bytes (files)
  uint64_t mtime_ns = 0;  ///< source modification time, for caches
  uint32_t mode = 0;    ///< permission bits of the source (07777)
  uint32_t package = kOwnFiles;  ///< index into PackPlan::packages
  uint32_t rel = 0;     ///< where in `dest` its path inside its package's folder starts
  EntryType type = EntryType::file;

  /// Whether it is read from a file (or link) of a package or the project.
  bool has_source() const { return rel != kNoSource; }
  /// Its path inside its package's folder ("" for a link lockcut makes).
  std::string_view path_in_package() const {
    return has_source() ? std::string_view(dest).substr(rel) : std::string_view();
  }
};

/// Why a group of entries is in the output.
enum class PlanReason : uint8_t {
  own,       ///< the project's own files (npm's packing rules)
  package,   ///< a kept package, from the installed tree
  link,      ///< a link made into a folder: the target's packed files
  hidden,    ///< a hidden folder beside packages (install-script output)
  bin,       ///< `.bin` links (--bin)
  fetched,   ///< a kept package the installed tree lacks, from its tarball
};

/// npm-ish spelling of a PlanReason ("own", "package", ...).
std::string_view plan_reason_name(PlanReason reason);

/// One package (or the project's own files) of the plan, with its totals.
struct PlanPackage {
  std::string location;  ///< lockfile location ("" for own files)
  std::string dest;      ///< where it goes in the output
  std::string name;
  std::string version;
  PlanReason reason = PlanReason::package;
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::string source;     ///< the folder its files are read from (absolute); "" for `.bin`
  std::string integrity;  ///< the lockfile's `integrity` ("" when absent: links, own files)
};

/// The plan: entries sorted byte-wise by dest, unique.
struct PackPlan {
  std::vector<PlanEntry> entries;
  std::vector<PlanPackage> packages;  ///< [kOwnFiles] is the project itself
  uint64_t files = 0;                 ///< regular files
  uint64_t bytes = 0;                 ///< their total size
  std::vector<std::string> notes;     ///< things the user should know
  uint64_t folders_walked = 0;  ///< package and hidden folders read from disk
  uint64_t folders_reused = 0;  ///< ... whose kept listing still held (tree_cache.h)

  /// The absolute path `e` is read from; "" for a link lockcut makes.
  std::string source_of(const PlanEntry& e) const {
    if (!e.has_source()) return "";
    std::string s = packages[e.package].source;
    s += '/';
    s += e.path_in_package();
    return s;
  }
};

/// How to plan.
struct PlanOptions {
  bool own_files = true;   ///< the project's own files (npm's packing rules)
  bool bin = false;        ///< rebuild `.bin` links for the shipped packages
  /// An output path (absolute) that must not be read as input: own files
  /// under it are skipped, and an output inside a package is refused.
  std::string output;
  std::string prefix;      ///< prepended to every dest ("nodejs/" for a layer)
  /// Folders to read packages from instead of the installed tree, by
  /// lockfile location: what the target needs and the tree lacks, unpacked
  /// from verified tarballs (provision.h).
  std::map<std::string, std::string, std::less<>> sources;
  /// Where listings of the package folders are kept between runs
  /// (tree_cache.h); "" to read every folder.
  std::string tree_cache;
  /// That snapshot, loaded and checked while the lockfile was read; used
  /// when it is for this project and `tree_cache` (nullptr: none).
  TreePrefetch* prefetch = nullptr;
};

/// A kept package and the folder `pack` writes it to.
struct ShippedPackage {
  NodeId id;         ///< the node (a link: the link, not its target)
  std::string dest;  ///< output folder, '/'-separated, without PlanOptions::prefix
};

/// Where each kept package goes, in node order: at its lockfile location,
/// unless it sits under a link target, then under each link to that target
/// (a workspace's own node_modules follows the workspace). A link target
/// outside node_modules is listed only through its links. Reads no disk.
std::vector<ShippedPackage> shipped_packages(const Graph& graph, const Selection& sel);

/// What the lockfile says of a shipped package, which its installed
/// package.json must match.
struct PackageCheck {
  std::string location;     ///< the entry checked (a link's target)
  std::string name;         ///< its package name (an alias: the real one)
  std::string version;      ///< "" when the lockfile has none
  std::string folder_name;  ///< the name it is installed under
};

/// A shipped package before its folder is read: where it goes and how.
struct PlacedPackage {
  PlanPackage package;     ///< files and bytes still 0
  bool installed = true;   ///< listed whole from its folder; else packed (npm's packing rules)
  bool workspace = false;  ///< packed as a workspace: the root's ignore files apply too
  PackageCheck check;
};

/// Where the kept packages go: make_plan's first step, from the analysis
/// alone (it reads no disk). A plain value that `pack` keeps between runs
/// (plan_cache.h), so an unchanged project is not analysed again.
struct Placement {
  std::string root;      ///< the project folder, absolute
  std::string lockfile;  ///< its path, for messages
  PlanPackage own;       ///< the project's own files
  std::vector<PlacedPackage> packages;
  /// The node_modules folders the packages sit in, (source, dest) relative,
  /// sorted: their hidden folders are shipped too.
  std::vector<std::pair<std::string, std::string>> node_modules_dirs;
};

/// Places the analysis' kept packages (options: `prefix` and `sources`).
Placement place_packages(const Analysis& analysis, const PlanOptions& options);

/// Makes the plan for a placement. Before anything else it checks that
/// every shipped package is installed as the lockfile says (its folder
/// exists and its package.json names the lockfile's name and version) and
/// fails with the list of what differs. It also fails when a symlink inside
/// a package escapes the output or forms a cycle, and when a file cannot be
/// read. The packages are moved out of `placement` into the plan.
Result<PackPlan> make_plan(Placement placement, const PlanOptions& options);

/// make_plan(place_packages(analysis, options), options).
Result<PackPlan> make_plan(const Analysis& analysis, const PlanOptions& options);

/// Removes the entries `drop` says so (files of other platforms), keeping
/// the totals of the plan and its packages right; returns how many went.
size_t remove_entries(PackPlan& plan, const std::function<bool(const PlanEntry&)>& drop);

}  // namespace lockcut
