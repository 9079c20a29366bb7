// plan.cc: the selection -> the list of files `lockcut pack` writes.
//
// Three steps. First, where each kept package goes: at its lockfile location,
// unless it sits under a link target, in which case it goes under the link
// (a workspace's own node_modules follows the workspace into the link's
// folder). Second, one task per package (and per hidden folder, and one for
// the project's own files), run in parallel: read the installed package.json
// and compare it with the lockfile, then list the folder with
// openat/fstatat. A package folder is listed whole but for its own
// `node_modules`, because what install scripts built (`build/Release`) is
// part of what `npm ci --omit=dev` leaves on disk. Third, merge the tasks'
// entries (each task's are sorted already) and check the result as a
// whole: no two entries at one path, no symlink that leaves the output or
// points at one of its own folders.
#include "lockcut/plan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <simdjson.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "lockcut/location.h"
#include "lockcut/packlist.h"
#include "lockcut/tree_cache.h"

namespace lockcut {

std::string_view plan_reason_name(PlanReason reason) {
  switch (reason) {
    case PlanReason::own: return "own";
    case PlanReason::package: return "package";
    case PlanReason::link: return "link";
    case PlanReason::hidden: return "hidden";
    case PlanReason::bin: return "bin";
    case PlanReason::fetched: return "fetched";
  }
  return "";
}

namespace {

// Entries npm or other tools keep in node_modules that no install script of
// a shipped package writes: never shipped.
bool is_tool_metadata(std::string_view name) {
  static constexpr std::string_view kSkip[] = {
      ".bin", ".package-lock.json", ".cache", ".vite", ".vite-temp", ".vitest",
      ".yarn-integrity", ".yarn-state.yml", ".modules.yaml", ".pnpm", ".staging",
      ".tmp", ".eslintcache"};
  return std::find(std::begin(kSkip), std::end(kSkip), name) != std::end(kSkip);
}

std::string join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string s;
  s.reserve(a.size() + 1 + b.size());  // one allocation: a plan holds one per file
  s += a;
  s += '/';
  s += b;
  return s;
}

bool under(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

std::string errno_text(int err) { return std::strerror(err); }

// What one task produces: a packed task its entries, an installed or
// hidden one the listing its entries are made from (straight into the
// plan's vector, gather_entries()).
struct TaskOutput {
  std::vector<PlanEntry> entries;
  const FolderListing* listed = nullptr;
  std::vector<std::pair<std::string, std::string>> problems;  ///< (location, how it differs)
  std::vector<std::pair<std::string, std::string>> bins;  ///< (bin name, path in package)
  std::optional<Error> error;
  std::optional<FolderListing> listing;  ///< new (`listed` points at it)
  bool keep = false;                     ///< ... and to be kept in the tree cache
  bool reused = false;                   ///< the kept listing still held
  bool changed = false;                  ///< the kept listing was updated
};

enum class TaskKind : uint8_t { installed, packed, hidden };

struct Task {
  TaskKind kind;
  std::string source;  ///< absolute folder
  std::string dest;    ///< output folder (relative)
  uint32_t package;
  const PackageCheck* check = nullptr;  ///< what its package.json must say
  bool workspace = false; ///< a workspace folder: the root's ignore files apply too
};

// npm-normalize-package-bin: a bin name is its last path segment; a bin
// path is made relative to the package and may not leave it.
std::string clean_bin_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find_first_of("/\\", start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (auto p : parts) out = join(out, p);
  return out;
}

std::string clean_bin_name(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  if (name == "." || name == "..") return "";
  return std::string(name);
}

enum class ManifestRead : uint8_t { ok, not_installed, unreadable };

// Reads what the plan needs of the package.json in `folder`: its name and
// version (checked against the lockfile) and its `bin`.
ManifestRead read_manifest(const std::string& folder, simdjson::dom::parser& parser,
                           ManifestFacts& m) {
  m = ManifestFacts{};
  m.read_ns = wall_clock_ns();
  std::string path = folder + "/package.json";
  struct stat st;
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return ManifestRead::not_installed;
  simdjson::dom::element doc;
  if (::lstat(path.c_str(), &st) != 0 || parser.load(path).get(doc)) return ManifestRead::unreadable;
  m.known = true;
  m.size = uint64_t(st.st_size);
  m.mtime_ns = timespec_ns(st.st_mtim);
  m.ctime_ns = timespec_ns(st.st_ctim);
  std::string_view name, version;
  m.has_name = !doc["name"].get(name);
  m.has_version = !doc["version"].get(version);
  m.name = name;
  m.version = version;
  simdjson::dom::element bin;
  if (doc["bin"].get(bin)) return ManifestRead::ok;
  std::string_view one;
  if (!bin.get(one)) {
    // a string `bin` is named for the package; the caller knows its name
    m.bins.emplace_back("", clean_bin_path(one));
    return ManifestRead::ok;
  }
  simdjson::dom::object obj;
  if (bin.get(obj)) return ManifestRead::ok;
  for (auto field : obj) {
    std::string_view value;
    std::string bin_name = clean_bin_name(field.key);
    if (field.value.get(value) || bin_name.empty()) continue;
    m.bins.emplace_back(std::move(bin_name), clean_bin_path(value));
  }
  return ManifestRead::ok;
}

// Whether facts kept with a listing still describe its package.json: same
// size, mtime and ctime as the listing saw now, and not changed so close to
// when they were read that a second change could hide in the same tick.
bool facts_hold(const ManifestFacts& m, const FolderListing& listing) {
  if (!m.known || !trusted_change(m.ctime_ns, m.read_ns)) return false;
  for (const ListedFile& f : listing.files) {
    if (f.path != "package.json") continue;
    return f.type == EntryType::file && f.size == m.size && f.mtime_ns == m.mtime_ns &&
           f.ctime_ns == m.ctime_ns;
  }
  return false;
}

// The installed package.json of a package task against the lockfile; its
// bins into `out`.
void check_manifest(const PackageCheck& want, ManifestRead read, const ManifestFacts& m,
                    TaskOutput& out) {
  auto said = [&want] { return want.name + (want.version.empty() ? "" : "@" + want.version); };
  if (read == ManifestRead::not_installed) {
    out.problems.emplace_back(want.location, said() + " is not installed");
    return;
  }
  if (read == ManifestRead::unreadable) {
    out.problems.emplace_back(want.location, said() + " has no readable package.json");
    return;
  }
  if ((m.has_name && m.name != want.name) ||
      (!want.version.empty() && m.has_version && m.version != want.version) ||
      (!want.version.empty() && !m.has_version)) {
    out.problems.emplace_back(want.location, "lockfile says " + said() + ", installed is " +
                                                 (m.has_name ? m.name : want.folder_name) + "@" +
                                                 (m.has_version ? m.version : "?"));
  }
  for (const auto& [name, path] : m.bins) {
    std::string bin_name = name.empty() ? clean_bin_name(m.has_name ? std::string_view(m.name)
                                                                    : std::string_view(want.name))
                                        : name;
    if (!bin_name.empty() && !path.empty()) out.bins.emplace_back(bin_name, path);
  }
}

// Lists an installed package (or hidden folder) through the tree cache:
// the last listing when it still holds, else a walk. `kept` is the cache's
// listing of this folder (updated in place), nullptr when there is none or
// the cache is not used, and `held` whether it was found to hold already;
// `keep` says whether a new one goes into the cache.
void list_installed(const Task& task, FolderListing* kept,
                    std::optional<bool> held, bool keep, uint64_t started_ns,
                    simdjson::dom::parser& parser, TaskOutput& out) {
  FolderListing fresh;
  FolderListing& listing = kept ? *kept : fresh;
  // checked already when the snapshot was prefetched (TreePrefetch)
  bool reused = kept && (held ? *held : revalidate(task.source, listing));
  bool changed = false;
  if (task.check) {
    ManifestRead read = ManifestRead::ok;
    if (!reused || !facts_hold(listing.manifest, listing)) {
      read = read_manifest(task.source, parser, listing.manifest);
      changed = true;
    }
    check_manifest(*task.check, read, listing.manifest, out);
    if (!out.problems.empty()) return;
  }
  if (!reused) {
    listing.made_ns = started_ns;
    changed = true;
    if (Status s = list_folder(task.source, task.kind == TaskKind::installed, listing); !s) {
      listing.dirs.clear();  // never trusted again
      out.error = s.take_error();
      return;
    }
  }
  out.reused = reused;
  out.changed = changed;
  if (kept) {
    out.listed = kept;
  } else {
    out.listing = std::move(fresh);
    out.listed = &*out.listing;
    out.keep = keep;
  }
}

// The entries of an installed or hidden task, made from its listing into
// `at` (one per listed file), in slices as revalidate() checks them: one
// package can be most of a project.
void fill_entries(const Task& task, const FolderListing& listing, PlanEntry* at) {
  const uint32_t rel = task.dest.empty() ? 0 : uint32_t(task.dest.size() + 1);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, listing.files.size(), 1024),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i < r.end(); ++i) {
                        const ListedFile& f = listing.files[i];
                        PlanEntry& e = at[i];
                        e.dest = join(task.dest, f.path);
                        e.rel = rel;
                        e.target = f.target;
                        e.size = f.size;
                        e.mtime_ns = f.mtime_ns;
                        e.mode = f.mode;
                        e.package = task.package;
                        e.type = f.type;
                      }
                    });
}

void run_packed(const Task& task, const std::string& root_dir, const std::string& skip,
                TaskOutput& out) {
  PackOptions options;
  // `npm pack` in a workspace folder also reads the root's ignore files
  if (task.workspace) options.workspace_root = root_dir;
  auto files = pack_list(task.source, options);
  if (!files) {
    out.error = files.take_error();
    return;
  }
  for (const std::string& rel : files.value()) {
    std::string src = task.source + "/" + rel;
    if (!skip.empty() && (src == skip || under(src, skip))) continue;
    struct stat st;
    if (::lstat(src.c_str(), &st) != 0) {
      out.error = system_error("cannot stat '" + src + "': " + errno_text(errno));
      return;
    }
    PlanEntry entry;
    entry.dest = join(task.dest, rel);
    entry.rel = task.dest.empty() ? 0 : uint32_t(task.dest.size() + 1);
    entry.mode = st.st_mode & 07777;
    entry.mtime_ns = timespec_ns(st.st_mtim);
    entry.package = task.package;
    if (S_ISLNK(st.st_mode)) {
      std::string target(4096, '\0');
      ssize_t n = ::readlink(src.c_str(), target.data(), target.size());
      if (n < 0) {
        out.error = system_error("cannot read link '" + src + "': " + errno_text(errno));
        return;
      }
      target.resize(size_t(n));
      entry.type = EntryType::symlink;
      entry.target = std::move(target);
    } else {
      entry.size = uint64_t(st.st_size);
    }
    out.entries.push_back(std::move(entry));
  }
}

// The lexical path a relative link at `dest` points to, or nullopt when it
// leaves the output (absolute, or too many `..`).
std::optional<std::string> link_destination(std::string_view dest, std::string_view target) {
  if (target.empty() || target[0] == '/') return std::nullopt;
  std::vector<std::string_view> parts;
  size_t slash = dest.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : dest.substr(0, slash);
  auto push = [&parts](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      std::string_view part = path.substr(start, end - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
    return true;
  };
  if (!push(dir) || !push(target)) return std::nullopt;
  std::string out;
  for (auto p : parts) out = join(out, p);
  return out;
}

// Symlinks inside packages stay links in the output, so their targets must
// be in the output too, and must not be one of the link's own folders (a
// cycle that unpacks into an endless tree for any tool that follows links).
Status check_symlinks(const PackPlan& plan) {
  auto packed_link = [](const PlanEntry& e) {
    return e.type == EntryType::symlink && e.has_source();
  };
  if (std::none_of(plan.entries.begin(), plan.entries.end(), packed_link)) return Ok{};
  std::set<std::string_view> dirs;
  for (const PlanEntry& e : plan.entries) {
    std::string_view d = e.dest;
    for (size_t slash = d.rfind('/'); slash != std::string_view::npos; slash = d.rfind('/')) {
      d = d.substr(0, slash);
      if (!dirs.insert(d).second) break;
    }
  }
  auto find_entry = [&plan](std::string_view path) -> const PlanEntry* {
    auto it = std::lower_bound(plan.entries.begin(), plan.entries.end(), path,
                               [](const PlanEntry& e, std::string_view p) { return e.dest < p; });
    return it != plan.entries.end() && it->dest == path ? &*it : nullptr;
  };
  auto owner = [&plan](const PlanEntry& e) {
    const PlanPackage& p = plan.packages[e.package];
    return e.package == kOwnFiles ? std::string("the project's own files")
                                  : "package " + p.name + "@" + p.version + " (" + p.location + ")";
  };
  for (const PlanEntry& e : plan.entries) {
    if (!packed_link(e)) continue;
    std::string at = e.dest;
    std::string_view target = e.target;
    for (int hops = 0;; ++hops) {
      auto to = link_destination(at, target);
      if (!to) {
        return user_error("symlink '" + plan.source_of(e) + "' -> '" + e.target + "' in " + owner(e) +
                              " points outside the output",
                          {"lockcut refuses links that escape what it ships; remove the link, "
                           "or leave the package out"});
      }
      if (*to == e.dest || under(e.dest, *to) || hops > 32) {
        return user_error("symlink '" + plan.source_of(e) + "' -> '" + e.target + "' in " + owner(e) +
                              " forms a cycle",
                          {"it points at a folder that contains it; remove the link"});
      }
      if (dirs.count(*to)) break;
      const PlanEntry* hit = find_entry(*to);
      if (!hit) {
        return user_error("symlink '" + plan.source_of(e) + "' -> '" + e.target + "' in " + owner(e) +
                              " points at '" + *to + "', which is not shipped",
                          {"the link would dangle in the output; remove it or ship its target"});
      }
      if (hit->type != EntryType::symlink) break;
      at = hit->dest;
      target = hit->target;
    }
  }
  return Ok{};
}

bool in_node_modules(std::string_view loc) {
  return loc.substr(0, 13) == "node_modules/" || loc.find("/node_modules/") != std::string_view::npos;
}

}  // namespace

std::vector<ShippedPackage> shipped_packages(const Graph& graph, const Selection& sel) {
  // Kept links' targets, by location.
  std::unordered_map<std::string_view, std::vector<NodeId>> links_to;
  for (NodeId id = 1; id < graph.size(); ++id) {
    const Node& n = graph.node(id);
    if (sel.is_kept(id) && n.is_link() && n.target != kNoNode && n.target != kRoot) {
      links_to[graph.node(n.target).location].push_back(id);
    }
  }
  std::unordered_map<std::string_view, std::vector<std::string>> dest_memo;
  std::function<std::vector<std::string>(std::string_view)> dests_of =
      [&](std::string_view loc) -> std::vector<std::string> {
    if (auto it = dest_memo.find(loc); it != dest_memo.end()) return it->second;
    std::vector<std::string> out;
    // the deepest proper prefix of loc that is a linked target
    std::string_view best;
    for (std::string_view p = loc; parent_folder(p, p) && !p.empty();) {
      if (links_to.count(p)) {
        best = p;
        break;
      }
    }
    if (best.empty()) {
      out.push_back(std::string(loc));
    } else {
      std::string_view suffix = loc.substr(best.size() + 1);
      for (NodeId link : links_to[best]) {
        for (const std::string& base : dests_of(graph.node(link).location)) {
          out.push_back(join(base, suffix));
        }
      }
    }
    dest_memo.emplace(loc, out);
    return out;
  };
  std::vector<ShippedPackage> shipped;
  for (NodeId id = 1; id < graph.size(); ++id) {
    if (!sel.is_kept(id)) continue;
    const Node& n = graph.node(id);
    if (n.is_link() && (n.target == kNoNode || n.target == kRoot)) continue;
    // a target outside node_modules is shipped only where its links put it
    if (!n.is_link() && !in_node_modules(n.location) && links_to.count(n.location)) continue;
    for (std::string& dest : dests_of(n.location)) shipped.push_back({id, std::move(dest)});
  }
  return shipped;
}

namespace {

// Every task's entries in one vector, in output order (by dest). Each task
// fills its own range of the vector (the plan holds one entry per file, so
// it is made once, not once per task and again merged). A listing's files
// are sorted (list_folder), and so are npm's packing list and the `.bin`
// links, so each range is sorted already; one that is not is sorted here,
// so the order never rests on that. Merging the sorted ranges then costs
// about one comparison per range: the range with the smallest head goes on
// whole when its last entry is below the next range's head, else entry by
// entry while it stays below it, and ranges only interleave where a
// package has packages nested in it. The merge makes an order of indices,
// and the entries are moved into it in place, along its cycles.
std::vector<PlanEntry> gather_entries(const std::vector<Task>& tasks,
                                      std::vector<TaskOutput>& outputs) {
  std::vector<size_t> starts(outputs.size() + 1, 0);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const TaskOutput& out = outputs[i];
    starts[i + 1] = starts[i] + (out.listed ? out.listed->files.size() : out.entries.size());
  }
  std::vector<PlanEntry> all(starts.back());
  auto by_dest = [](const PlanEntry& a, const PlanEntry& b) { return a.dest < b.dest; };
  tbb::parallel_for(size_t(0), outputs.size(), [&](size_t i) {
    TaskOutput& out = outputs[i];
    PlanEntry* at = all.data() + starts[i];
    if (out.listed) {
      fill_entries(tasks[i], *out.listed, at);
    } else {
      std::move(out.entries.begin(), out.entries.end(), at);
      out.entries = {};
    }
    PlanEntry* end = all.data() + starts[i + 1];
    if (!std::is_sorted(at, end, by_dest)) std::sort(at, end, by_dest);
  });
  struct Head {
    size_t at, end;
  };
  auto later = [&all](const Head& a, const Head& b) { return all[a.at].dest > all[b.at].dest; };
  std::vector<Head> heap;  // min-heap on the heads' dests
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (starts[i] < starts[i + 1]) heap.push_back(Head{starts[i], starts[i + 1]});
  }
  std::make_heap(heap.begin(), heap.end(), later);
  std::vector<uint32_t> order;  // order[k]: the entry that goes at k
  order.reserve(all.size());
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Head h = heap.back();
    heap.pop_back();
    const std::string* next = heap.empty() ? nullptr : &all[heap.front().at].dest;
    if (!next || all[h.end - 1].dest < *next) {  // the whole range goes: one comparison
      while (h.at < h.end) order.push_back(uint32_t(h.at++));
      continue;
    }
    do {
      order.push_back(uint32_t(h.at++));
    } while (h.at < h.end && all[h.at].dest < *next);
    if (h.at < h.end) {
      heap.push_back(h);
      std::push_heap(heap.begin(), heap.end(), later);
    }
  }
  for (size_t k = 0; k < order.size(); ++k) {
    if (order[k] == k || order[k] == UINT32_MAX) continue;
    // the cycle through k: each place takes the entry its order names
    PlanEntry held = std::move(all[k]);
    size_t j = k;
    while (order[j] != k) {
      const size_t from = order[j];
      all[j] = std::move(all[from]);
      order[j] = UINT32_MAX;
      j = from;
    }
    all[j] = std::move(held);
    order[j] = UINT32_MAX;
  }
  return all;
}

}  // namespace

Placement place_packages(const Analysis& analysis, const PlanOptions& options) {
  const Graph& graph = analysis.graph;
  Placement out;
  out.root = project_root(analysis.project.dir);
  out.lockfile = graph.lockfile().path;
  out.own = PlanPackage{"", options.prefix.empty() ? "." : options.prefix,
                        std::string(graph.node(kRoot).package_name()),
                        std::string(graph.node(kRoot).version()), PlanReason::own, 0, 0, out.root, ""};
  std::set<std::pair<std::string, std::string>> node_modules_dirs;  // (source, dest), sorted
  auto add = [&](NodeId id, PlanReason reason, bool installed, std::string source,
                 const std::string& dest, NodeId check) {
    const Node& n = graph.node(id);
    // a link to an installed package: the target's entry has the integrity
    const Node& c = graph.node(check);
    std::string integrity(reason != PlanReason::link && c.lock_pkg ? c.lock_pkg->integrity : "");
    PlacedPackage& p = out.packages.emplace_back();
    p.package = PlanPackage{std::string(n.location), join(options.prefix, dest),
                            std::string(n.package_name()), std::string(n.version()),
                            reason, 0, 0, std::move(source), std::move(integrity)};
    p.installed = installed;
    p.check = PackageCheck{std::string(c.location), std::string(c.package_name()),
                           std::string(c.version()), std::string(c.name)};
  };
  for (const auto& [id, dest] : shipped_packages(graph, analysis.sel)) {
    const Node& n = graph.node(id);
    if (n.is_link()) {
      const Node& t = graph.node(n.target);
      bool installed = in_node_modules(t.location);
      add(id, installed ? PlanReason::package : PlanReason::link, installed,
          out.root + "/" + std::string(t.location), dest, n.target);
      out.packages.back().workspace = graph.is_workspace(n.target);
    } else if (auto f = options.sources.find(n.location); f != options.sources.end()) {
      add(id, PlanReason::fetched, true, f->second, dest, id);
    } else {
      add(id, PlanReason::package, true, out.root + "/" + std::string(n.location), dest, id);
    }
    std::string_view loc = n.location, d = dest;
    std::string_view fname = folder_name(loc);
    std::string_view src_parent = loc.substr(0, loc.size() - fname.size());
    std::string_view dest_parent = d.substr(0, d.size() - std::min(d.size(), fname.size()));
    while (!src_parent.empty() && src_parent.back() == '/') src_parent.remove_suffix(1);
    while (!dest_parent.empty() && dest_parent.back() == '/') dest_parent.remove_suffix(1);
    if (src_parent.size() >= 12 && src_parent.substr(src_parent.size() - 12) == "node_modules") {
      node_modules_dirs.emplace(std::string(src_parent), std::string(dest_parent));
    }
  }
  out.node_modules_dirs.assign(node_modules_dirs.begin(), node_modules_dirs.end());
  return out;
}

Result<PackPlan> make_plan(const Analysis& analysis, const PlanOptions& options) {
  return make_plan(place_packages(analysis, options), options);
}

Result<PackPlan> make_plan(Placement placement, const PlanOptions& options) {
  const std::string& root_dir = placement.root;
  PackPlan plan;
  plan.packages.reserve(placement.packages.size() + 1);
  plan.packages.push_back(std::move(placement.own));
  std::vector<Task> tasks;
  tasks.reserve(placement.packages.size() + 1);
  for (PlacedPackage& p : placement.packages) {
    Task& t = tasks.emplace_back(Task{p.installed ? TaskKind::installed : TaskKind::packed,
                                      p.package.source, p.package.dest,
                                      uint32_t(plan.packages.size()), &p.check});
    t.workspace = p.workspace;
    plan.packages.push_back(std::move(p.package));
  }
  // hidden folders beside the packages: each node_modules folder read in
  // parallel (a deep tree has hundreds), the tasks added in order. The tree
  // cache keeps the names with the folder's stat, so a warm run stats each
  // folder instead of reading it (a top-level node_modules has thousands
  // of entries). Its snapshot is loaded by now on a large project; the
  // listings may still be being checked.
  const auto& nm_dirs = placement.node_modules_dirs;
  std::vector<std::vector<std::string>> hidden(nm_dirs.size());
  std::vector<std::optional<HiddenFolders>> hidden_read(nm_dirs.size());  // read now: to keep
  TreeCache* early = options.prefetch && !options.tree_cache.empty()
                         ? options.prefetch->loaded(options.tree_cache, root_dir)
                         : nullptr;
  const uint64_t hidden_ns = wall_clock_ns();
  tbb::parallel_for(size_t(0), nm_dirs.size(), [&](size_t i) {
    std::string dir = root_dir + "/" + nm_dirs[i].first;
    if (early) {
      if (const HiddenFolders* kept = early->hidden(dir)) {
        hidden[i] = kept->names;
        return;
      }
    }
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    struct stat dir_st;  // before reading: a change while it is read shows next time
    if (::fstat(::dirfd(d), &dir_st) != 0) {
      ::closedir(d);
      return;
    }
    std::vector<std::string>& names = hidden[i];
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name.size() < 2 || name[0] != '.' || name == ".." || is_tool_metadata(name)) continue;
      struct stat st;
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) {
        continue;
      }
      names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    hidden_read[i] = HiddenFolders{hidden_ns, uint64_t(dir_st.st_ino), timespec_ns(dir_st.st_mtim),
                                   timespec_ns(dir_st.st_ctim), names};
  });
  for (size_t i = 0; i < nm_dirs.size(); ++i) {
    const auto& [src, dest] = nm_dirs[i];
    for (const std::string& name : hidden[i]) {
      std::string path = root_dir + "/" + src + "/" + name;
      plan.packages.push_back(PlanPackage{src + "/" + name, join(options.prefix, join(dest, name)),
                                          name, "", PlanReason::hidden, 0, 0, path, ""});
      tasks.push_back(Task{TaskKind::hidden, path, join(options.prefix, join(dest, name)),
                           uint32_t(plan.packages.size() - 1)});
    }
  }
  if (options.own_files) {
    tasks.push_back(Task{TaskKind::packed, root_dir, options.prefix, kOwnFiles});
  }

  // 2. list every task's files, in parallel
  // the output must be neither the project (or above it) nor inside what is shipped
  if (!options.output.empty()) {
    const std::string& out = options.output;
    if (out == root_dir || under(root_dir, out)) {
      return user_error("the output '" + out + "' contains the project '" + root_dir + "'",
                        {"write the output somewhere else, e.g. " + root_dir + "/dist"});
    }
    for (const Task& t : tasks) {
      if (t.kind != TaskKind::packed && (out == t.source || under(out, t.source))) {
        return user_error("the output '" + out + "' is inside '" + t.source +
                              "', which lockcut reads",
                          {"write the output outside node_modules and the shipped packages"});
      }
    }
    if (under(out, root_dir + "/node_modules")) {
      return user_error("the output '" + out + "' is inside the project's node_modules",
                        {"write the output outside node_modules"});
    }
  }

  std::vector<TaskOutput> outputs;
  outputs.reserve(tasks.size() + 1);  // and the `.bin` links': `listed` may point into one
  outputs.resize(tasks.size());
  tbb::enumerable_thread_specific<simdjson::dom::parser> parsers;
  // the project's own files and its workspace and `file:` folders are not
  // in the tree cache: they are listed while the prefetch still checks the
  // listings of the rest
  tbb::task_group packed;
  struct WaitPacked {  // on a return before the wait below: their outputs go too
    tbb::task_group& g;
    ~WaitPacked() {
      g.cancel();
      try {
        g.wait();
      } catch (...) {
      }
    }
  } wait_packed{packed};
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].kind != TaskKind::packed) continue;
    packed.run([&, i] {
      const Task& task = tasks[i];
      TaskOutput& out = outputs[i];
      if (task.check) {
        ManifestFacts m;
        check_manifest(*task.check, read_manifest(task.source, parsers.local(), m), m, out);
        if (!out.problems.empty()) return;
      }
      run_packed(task, root_dir, options.output, out);
    });
  }

  // the listings of the last run, where they still hold (tree_cache.h)
  std::optional<TreeCache> own_trees;
  TreeCache* trees = nullptr;
  if (!options.tree_cache.empty()) {
    bool loaded = true;
    if (options.prefetch) trees = options.prefetch->take(options.tree_cache, root_dir, loaded);
    if (!trees) {
      trees = &own_trees.emplace(options.tree_cache, root_dir);
      loaded = trees->load();
    }
    if (!loaded) {
      plan.notes.push_back("the folder listings in '" + trees->path() +
                           "' were damaged: removed, and every package listed again");
    }
    for (size_t i = 0; i < nm_dirs.size(); ++i) {
      if (hidden_read[i]) trees->put_hidden(root_dir + "/" + nm_dirs[i].first, std::move(*hidden_read[i]));
    }
  }
  const uint64_t started_ns = wall_clock_ns();
  // a folder shipped twice (two links to one package) is listed by its
  // first task through the cache, by the others on their own
  std::vector<bool> keep(tasks.size(), false);
  if (trees) {
    std::unordered_set<std::string_view> seen;
    for (size_t i = 0; i < tasks.size(); ++i) {
      keep[i] = tasks[i].kind != TaskKind::packed && seen.insert(tasks[i].source).second;
    }
  }
  std::vector<FolderListing*> kept(tasks.size(), nullptr);  // found in the snapshot
  tbb::parallel_for(size_t(0), tasks.size(), [&](size_t i) {
    const Task& task = tasks[i];
    if (task.kind == TaskKind::packed) return;
    std::optional<bool> held;
    if (keep[i]) kept[i] = trees->find(task.source, &held);
    list_installed(task, kept[i], held, keep[i], started_ns, parsers.local(), outputs[i]);
  });
  packed.wait();
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].kind == TaskKind::packed) continue;
    ++(outputs[i].reused ? plan.folders_reused : plan.folders_walked);
    if (outputs[i].keep) outputs[i].listed = &trees->put(tasks[i].source, std::move(*outputs[i].listing));
    if (kept[i] && outputs[i].changed) trees->touch();
  }
  if (trees) {
    if (Status s = trees->store(); !s) {
      plan.notes.push_back("the folder listings were not kept for the next run: " + s.error().message);
    }
  }

  std::vector<std::pair<std::string, std::string>> problems;  // (location, what)
  for (TaskOutput& out : outputs) {
    problems.insert(problems.end(), out.problems.begin(), out.problems.end());
  }
  if (!problems.empty()) {
    std::string hint = "run `npm ci` in '" + root_dir + "' so node_modules matches the lockfile, then pack again";
    struct stat st;
    if (::stat((root_dir + "/node_modules").c_str(), &st) != 0) {
      return user_error("nothing is installed in '" + root_dir + "' (no node_modules)",
                        {"lockcut packs from the installed tree; " + hint});
    }
    std::sort(problems.begin(), problems.end());
    std::vector<std::string> hints;
    for (size_t i = 0; i < problems.size() && i < 20; ++i) {
      hints.push_back(problems[i].first + ": " + problems[i].second);
    }
    if (problems.size() > 20) hints.push_back("... and " + std::to_string(problems.size() - 20) + " more");
    hints.push_back(hint);
    return user_error("the installed node_modules does not match " + placement.lockfile + " (" +
                          std::to_string(problems.size()) + " package" +
                          (problems.size() == 1 ? "" : "s") + " differ)",
                      std::move(hints));
  }
  for (TaskOutput& out : outputs) {
    if (out.error) return std::move(*out.error);
  }

  // 3. `.bin` links, as npm's bin-links makes them for the shipped tree
  if (options.bin) {
    std::map<std::string, PlanEntry> bins;
    for (size_t i = 0; i < tasks.size(); ++i) {
      const PlanPackage& p = plan.packages[tasks[i].package];
      if (p.reason != PlanReason::package && p.reason != PlanReason::link &&
          p.reason != PlanReason::fetched) {
        continue;
      }
      std::string_view d = p.dest;
      std::string_view fname = folder_name(p.location);
      if (d.size() <= fname.size()) continue;
      std::string nm(d.substr(0, d.size() - fname.size() - 1));
      for (const auto& [name, path] : outputs[i].bins) {
        PlanEntry e;
        e.dest = nm + "/.bin/" + name;
        e.target = "../" + std::string(fname) + "/" + path;
        e.rel = PlanEntry::kNoSource;
        e.type = EntryType::symlink;
        e.mode = 0777;
        e.package = tasks[i].package;
        bins.emplace(e.dest, std::move(e));
      }
    }
    std::vector<PlanEntry> extra;
    for (auto& [dest, e] : bins) extra.push_back(std::move(e));
    TaskOutput& links = outputs.emplace_back();
    links.entries = std::move(extra);
  }

  plan.entries = gather_entries(tasks, outputs);
  for (size_t i = 1; i < plan.entries.size(); ++i) {
    if (plan.entries[i].dest == plan.entries[i - 1].dest) {
      const PlanEntry& a = plan.entries[i - 1];
      const PlanEntry& b = plan.entries[i];
      return user_error("two files would be written to '" + a.dest + "': '" + plan.source_of(a) +
                            "' and '" + plan.source_of(b) + "'",
                        {"leave one of them out (a `files` entry, --no-own-files)"});
    }
  }
  for (const PlanEntry& e : plan.entries) {
    PlanPackage& p = plan.packages[e.package];
    if (e.type == EntryType::file) {
      ++p.files;
      p.bytes += e.size;
      ++plan.files;
      plan.bytes += e.size;
    }
  }
  if (Status s = check_symlinks(plan); !s) return s.take_error();
  return plan;
}

size_t remove_entries(PackPlan& plan, const std::function<bool(const PlanEntry&)>& drop) {
  size_t before = plan.entries.size();
  std::erase_if(plan.entries, [&](const PlanEntry& e) {
    if (!drop(e)) return false;
    if (e.type == EntryType::file) {
      PlanPackage& p = plan.packages[e.package];
      --p.files;
      p.bytes -= e.size;
      --plan.files;
      plan.bytes -= e.size;
    }
    return true;
  });
  return before - plan.entries.size();
}

}  // namespace lockcut
