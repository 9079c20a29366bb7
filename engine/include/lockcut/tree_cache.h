// tree_cache.h: what each installed package folder held at the last pack,
// kept so that the next pack stats what it listed instead of reading every
// folder again.
//
// Listing a package means opening and reading each of its folders and
// stat'ing each entry; on a warm run of a large tree that was half the time.
// A listing stays true while none of its folders changed: adding, removing
// or renaming an entry changes the folder's mtime and ctime, and replacing
// the folder changes its inode. So a warm run stats each listed folder (one
// call instead of open, fcntl, two getdents and close) and each listed file
// (for the size, mtime and mode the plan carries anyway), and walks a
// package again only when one of its folders differs. The ctime is what is
// trusted, because no tool can set it back; a folder changed within
// kRacyWindowNs (file_time.h) before the listing was made is not trusted: a second
// change within the same clock tick could keep its timestamps. package.json's
// name, version and `bin` are kept with the listing too, and reused while
// package.json's size, mtime and ctime are the same. The hidden folders of
// each node_modules folder (install-script output such as `.prisma`) are
// kept the same way, with that folder's stat: a warm run stats a
// node_modules folder instead of reading its thousands of entries.
//
// One snapshot file per project under `<cache>/trees/`, sealed and written
// atomically like an entry record (record_io.h): a damaged one is removed
// and the tree walked, never believed. Loading it checks the seal and
// indexes the folders; each folder's listing is parsed when its package is
// planned, on whichever thread plans it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lockcut/file_time.h"
#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// A folder of a listing and the timestamps that say it is unchanged.
struct ListedDir {
  std::string path;  ///< relative to the package folder; "" is the folder itself
  uint64_t mtime_ns = 0, ctime_ns = 0, ino = 0;
};

/// A file or symlink of a listing, as last stat'ed.
struct ListedFile {
  std::string path;    ///< relative to the package folder
  std::string target;  ///< symlinks: the link text
  uint64_t size = 0, mtime_ns = 0, ctime_ns = 0;
  uint32_t mode = 0;  ///< permission bits (07777)
  EntryType type = EntryType::file;
};

/// What the plan needs of a package.json, and the stat it was read at.
struct ManifestFacts {
  bool known = false;    ///< read and parsed
  uint64_t read_ns = 0;  ///< when (before the stat)
  uint64_t size = 0, mtime_ns = 0, ctime_ns = 0;
  bool has_name = false, has_version = false;
  std::string name, version;
  std::vector<std::pair<std::string, std::string>> bins;  ///< (bin name, path in package)
};

/// One package folder as last listed.
struct FolderListing {
  uint64_t made_ns = 0;  ///< when the walk that made it began
  std::vector<ListedDir> dirs;
  std::vector<ListedFile> files;  ///< by path, byte order (list_folder sorts them)
  ManifestFacts manifest;
};

/// The hidden folders (`.prisma`, not a tool's own) of one `node_modules`
/// folder as last read, and the stat that says the names still hold: a
/// folder's mtime and ctime change when an entry is added, removed or
/// renamed.
struct HiddenFolders {
  uint64_t made_ns = 0;  ///< when the read began
  uint64_t ino = 0, mtime_ns = 0, ctime_ns = 0;
  std::vector<std::string> names;  ///< sorted
};

/// The listings of one project's package folders.
class TreeCache {
 public:
  /// The snapshot for the project at `root` (absolute) under `dir`.
  TreeCache(std::string dir, const std::string& root);

  /// `<TarballStore::default_dir()>/trees`; "" when there is no home.
  static std::string default_dir();

  /// Reads the snapshot: false when there was one but it was damaged (it is
  /// removed). A missing snapshot is an empty cache.
  bool load();

  /// The listing of `folder` (absolute) as last seen, or nullptr; parsed
  /// from the snapshot on first use. Different folders may be found and
  /// used from different threads at once. `held` (when given) is what
  /// check_all() found for it, nullopt when it was not checked.
  FolderListing* find(const std::string& folder, std::optional<bool>* held = nullptr);

  /// Checks every listing of the snapshot against the disk now
  /// (revalidate(), in parallel), for find() to hand out the answers. The
  /// listing of a folder that no longer exists (a package removed from the
  /// project) is dropped: find() no longer hands it out and store() leaves
  /// it out, so a snapshot does not grow with every package ever installed.
  /// Once `stop` (when given) is set, the folders not yet checked are left
  /// unchecked.
  void check_all(const std::atomic<bool>* stop = nullptr);

  /// The project root it is for.
  const std::string& root() const { return root_; }

  /// Keeps `listing` for `folder` (not while another thread finds one);
  /// returns where it is kept.
  FolderListing& put(const std::string& folder, FolderListing listing);

  /// The hidden folders of the `node_modules` folder `dir` (absolute) as
  /// last read, when that folder is still the same (inode, mtime, ctime) and
  /// did not change within kRacyWindowNs before the read; else nullptr. It
  /// stats `dir`, and may be asked for different folders from different
  /// threads at once, also while check_all() runs.
  const HiddenFolders* hidden(const std::string& dir);

  /// Keeps `folders` for `dir` (not while another thread asks).
  void put_hidden(const std::string& dir, HiddenFolders folders);

  /// Marks the snapshot as changed: a listing found was updated in place.
  void touch() { dirty_ = true; }

  /// Writes the snapshot if anything was put since it was loaded.
  Status store();

  /// The snapshot's path.
  const std::string& path() const { return path_; }

 private:
  // a folder's listing: its bytes in the snapshot until parsed
  struct Slot {
    std::span<const uint8_t> bytes;
    std::optional<FolderListing> listing;
    std::optional<bool> held;  // check_all's answer
    bool gone = false;         // check_all found no folder: dropped
  };
  std::string dir_, path_, root_;
  std::atomic<bool> dirty_ = false;
  std::shared_ptr<const void> snapshot_;  // keeps the slots' bytes readable
  std::map<std::string, Slot, std::less<>> folders_;
  struct HiddenSlot {
    HiddenFolders folders;
    bool gone = false;  // hidden() found no folder: dropped
  };
  std::map<std::string, HiddenSlot, std::less<>> hidden_;
};

/// A project's snapshot loaded and checked (TreeCache::check_all) on a
/// thread of its own, started before the lockfile is read: reading and
/// parsing it keeps one core busy for ~7 ms on a large project (~13 ms on a
/// generated 5,000-package one), and the other core stats the listed
/// folders and files meanwhile, the bulk of a warm plan. A thread, not a
/// TBB task: TBB's first worker can take 3 ms to wake, and the stats are
/// what a warm pack waits for. Whichever thread needs the snapshot first
/// loads it (the main thread, when the prefetch thread has not started
/// yet), and the thread that takes the answer works on the check too, in
/// an arena the two share.
class TreePrefetch {
 public:
  /// Starts on the snapshot under `dir` (TreeCache's) of the project in
  /// `project_dir`; "" for `dir` starts nothing.
  TreePrefetch(const std::string& dir, const std::string& project_dir);
  /// Stops the check where it is, and waits for the thread.
  ~TreePrefetch();
  TreePrefetch(const TreePrefetch&) = delete;
  TreePrefetch& operator=(const TreePrefetch&) = delete;

  /// Waits for the snapshot to be loaded (not checked). The cache, for
  /// hidden() while the check goes on, when it is the one make_plan would
  /// use; else nullptr.
  TreeCache* loaded(const std::string& dir, const std::string& root);

  /// Waits for the work. The cache, when it is the one make_plan would use
  /// (`dir` and the absolute `root` the same), with load()'s answer in
  /// `loaded`; else nullptr.
  TreeCache* take(const std::string& dir, const std::string& root, bool& loaded);

 private:
  struct Work;
  std::unique_ptr<Work> work_;
};

/// A project folder as make_plan and TreePrefetch name it: absolute,
/// normalised, without a trailing slash.
std::string project_root(const std::string& dir);

/// Whether `listing` of `folder` still holds: every folder is the same
/// (inode, mtime, ctime, and none changed within kRacyWindowNs before the
/// listing was made) and every file is still a file (a symlink still a symlink).
/// Refreshes the files' size, mtime, ctime, mode and link text as it goes.
bool revalidate(const std::string& folder, FolderListing& listing);

/// The same for `folder` relative to the open folder `dirfd` (or absolute).
bool revalidate_at(int dirfd, const char* folder, FolderListing& listing);

/// Lists `folder` whole (but for its top-level `node_modules` when
/// `skip_node_modules`: a package's dependencies are packages of their own),
/// the files sorted by path, so a plan made from the listing is in output
/// order already.
Status list_folder(const std::string& folder, bool skip_node_modules, FolderListing& listing);

}  // namespace lockcut
