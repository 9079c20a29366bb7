// plan_cache.cc: a pack's placement kept between runs (see plan_cache.h).
//
// One file per key, `<hex of SHA-256(key)>.plan`: the check (lockfile
// stat, package.json digests, workspace folders) and then the placement.
// Loading checks before it parses the placement, and checking costs a stat
// and a few small reads: a package.json is minified (simdjson::minify, no
// parse) and hashed.
#include "lockcut/plan_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <utility>

#include <simdjson.h>

#include "lockcut/file_time.h"
#include "lockcut/lockfile.h"
#include "lockcut/platform.h"
#include "lockcut/project.h"
#include "lockcut/tarball_store.h"
#include "record_io.h"

namespace lockcut {

namespace {

constexpr uint32_t kMagic = 0x4c504c43;  // "CLPL"
constexpr uint32_t kVersion = 1;

// A package.json's JSON with the whitespace between tokens taken out;
// nullopt when it cannot be minified (not JSON). Kept whole, not hashed:
// package.json files are small, and no hash needs OpenSSL started on the
// thread that is about to need every core.
std::optional<std::string> minified(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t size = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), size) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

std::optional<std::string> minified_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) return std::nullopt;
  return minified(std::string_view(text.data(), text.size()));
}

// PlacedPackage bits
constexpr uint8_t kInstalled = 1, kWorkspace = 2, kSourceAtLocation = 4, kCheckSelf = 8;

struct FileStat {
  uint64_t ino = 0, size = 0, mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStat&) const = default;
};

std::optional<FileStat> stat_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileStat{uint64_t(st.st_ino), uint64_t(st.st_size), timespec_ns(st.st_mtim),
                  timespec_ns(st.st_ctim)};
}

void write_package(detail::RecordWriter& w, const PlanPackage& p, bool source) {
  w.str(p.location);
  w.str(p.dest);
  w.str(p.name);
  w.str(p.version);
  w.u8(uint8_t(p.reason));
  if (source) w.str(p.source);
  w.str(p.integrity);
}

PlanPackage read_package(detail::RecordReader& r, bool source) {
  PlanPackage p;
  p.location = r.str();
  p.dest = r.str();
  p.name = r.str();
  p.version = r.str();
  p.reason = PlanReason(r.le(1));
  if (source) p.source = r.str();
  p.integrity = r.str();
  return p;
}

}  // namespace

PlanCache::PlanCache(std::string dir, const std::string& key, const AnalysisOptions& options)
    : dir_(std::move(dir)), options_(options) {
  key_ = key + "\n" + settings_fingerprint(options);
  path_ = dir_ + "/" + detail::key_name(key_) + ".plan";
}

std::string PlanCache::default_dir() {
  std::string root = TarballStore::default_dir();
  return root.empty() ? root : root + "/plans";
}

bool PlanCache::keepable(const Analysis& a) {
  return a.notes.empty() && a.out_of_sync.empty() && a.cls.stale == 0;
}

Status PlanCache::store(const PackInput& input, const Analysis& analysis, uint64_t read_ns) const {
  if (!keepable(analysis)) return Ok{};
  const std::string& lockfile = analysis.graph.lockfile().path;
  std::optional<FileStat> lock = stat_file(lockfile);
  // changed while it was read, or too soon before: the next run reads it
  if (!lock || !trusted_change(lock->ctime_ns, read_ns)) return Ok{};
  detail::RecordWriter w;
  w.u32(kMagic);
  w.u32(kVersion);
  w.u64(read_ns);
  w.str(key_);
  w.str(lockfile);
  w.u64(lock->ino);
  w.u64(lock->size);
  w.u64(lock->mtime_ns);
  w.u64(lock->ctime_ns);
  const Project& project = analysis.project;
  // a workspace's package.json is read once as a workspace and once as a
  // link target: kept once, unless the two reads differ (then not at all)
  std::map<std::string_view, std::optional<std::string>> inputs;
  for (const ManifestInput& m : project.manifest_inputs) {
    std::optional<std::string> json;
    if (m.found && !(json = minified(m.text))) return Ok{};  // parsed, so JSON: never here
    auto [it, added] = inputs.try_emplace(m.path, json);
    if (!added && it->second != json) return Ok{};
  }
  w.u32(uint32_t(inputs.size()));
  for (const auto& [path, json] : inputs) {
    w.str(path);
    w.u8(json.has_value());
    if (json) w.str(*json);
  }
  for (const std::optional<std::string>* v : {&analysis.detected_node, &analysis.detected_npm}) {
    w.u8(v->has_value());
    w.str(v->value_or(""));
  }
  w.u8(project.root.workspaces.count > 0);
  w.u32(uint32_t(project.workspaces.size()));
  for (const Workspace& ws : project.workspaces) {
    w.str(ws.name);
    w.str(ws.location);
  }

  const NativeTarget& t = input.target;
  for (const std::string* s : {&t.os, &t.cpu, &t.libc, &t.glibc_max, &t.glibcxx_max, &t.runtime}) {
    w.str(*s);
  }
  const Placement& p = input.placement;
  w.str(p.root);
  w.str(p.lockfile);
  write_package(w, p.own, true);
  w.u32(uint32_t(p.packages.size()));
  // most packages are read from their own location and checked as
  // themselves: a bit each instead of the strings
  for (const PlacedPackage& pp : p.packages) {
    const PlanPackage& pkg = pp.package;
    const PackageCheck& c = pp.check;
    const bool at_location = pkg.source.size() == p.root.size() + 1 + pkg.location.size() &&
                             pkg.source.compare(0, p.root.size(), p.root) == 0 &&
                             pkg.source[p.root.size()] == '/' &&
                             pkg.source.compare(p.root.size() + 1, std::string::npos, pkg.location) == 0;
    const bool self = c.location == pkg.location && c.name == pkg.name && c.version == pkg.version;
    w.u8(uint8_t((pp.installed ? kInstalled : 0) | (pp.workspace ? kWorkspace : 0) |
                 (at_location ? kSourceAtLocation : 0) | (self ? kCheckSelf : 0)));
    write_package(w, pkg, !at_location);
    if (!self) {
      w.str(c.location);
      w.str(c.name);
      w.str(c.version);
    }
    w.str(c.folder_name);
  }
  w.u32(uint32_t(p.node_modules_dirs.size()));
  for (const auto& [source, dest] : p.node_modules_dirs) {
    w.str(source);
    w.str(dest);
  }
  w.seal();
  if (Status s = detail::write_file_atomically(path_, dir_ + "/tmp", w.bytes); !s) {
    return s;
  }
  return Ok{};
}

std::optional<PackInput> PlanCache::load() const {
  std::optional<detail::MappedFile> file = detail::map_file(path_);
  if (!file) return std::nullopt;
  auto body = detail::unseal(file->bytes);
  if (!body) {
    ::unlink(path_.c_str());
    return std::nullopt;
  }
  detail::RecordReader r{body->data(), body->data() + body->size()};
  if (r.le(4) != kMagic || r.le(4) != kVersion) return std::nullopt;
  const uint64_t read_ns = r.le(8);
  // the project folder as load_project() names it
  std::string dir = options_.dir.empty() ? "." : options_.dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (r.str() != key_ || !r.ok) return std::nullopt;

  // the lockfile: where npm finds it, the same file, trusted when read
  std::string lockfile(r.str());
  FileStat kept{r.le(8), r.le(8), r.le(8), r.le(8)};
  auto found = find_lockfile(dir, options_.lockfile);
  if (!r.ok || !found || found.value() != lockfile) return std::nullopt;
  std::optional<FileStat> now = stat_file(lockfile);
  if (!now || !(*now == kept) || !trusted_change(kept.ctime_ns, read_ns)) return std::nullopt;

  // every package.json looked for: the same JSON, or still none
  std::string root_json;
  for (uint64_t n = r.le(4); n > 0 && r.ok; --n) {
    std::string path(r.str());
    bool was_found = r.le(1) != 0;
    std::optional<std::string> json = minified_file(path);
    if (!was_found) {
      if (json) return std::nullopt;
      continue;
    }
    std::string_view kept_json = r.str();
    if (!r.ok || !json || *json != kept_json) return std::nullopt;
  }

  // node and npm on PATH, when the analysis asked them: the same versions
  for (std::string (*detect)() : {&detect_node_version, &detect_npm_version}) {
    bool asked = r.le(1) != 0;
    std::string_view version = r.str();
    if (r.ok && asked && detect() != version) return std::nullopt;
  }

  // the workspace globs: the same folders (a new one with a package.json)
  bool globs = r.le(1) != 0;
  std::vector<Workspace> workspaces;
  for (uint64_t n = r.le(4); n > 0 && r.ok; --n) {
    std::string name(r.str());
    workspaces.push_back(Workspace{std::move(name), std::string(r.str())});
  }
  if (!r.ok) return std::nullopt;
  if (globs) {
    ManifestStore store;
    auto root = read_package_json(dir + "/package.json", store);
    if (!root) return std::nullopt;
    auto now_ws = map_workspaces(dir, root.value(), store);
    if (!now_ws || now_ws.value().size() != workspaces.size()) return std::nullopt;
    for (size_t i = 0; i < workspaces.size(); ++i) {
      if (now_ws.value()[i].name != workspaces[i].name ||
          now_ws.value()[i].location != workspaces[i].location) {
        return std::nullopt;
      }
    }
  }

  PackInput in;
  NativeTarget& t = in.target;
  for (std::string* s : {&t.os, &t.cpu, &t.libc, &t.glibc_max, &t.glibcxx_max, &t.runtime}) {
    *s = r.str();
  }
  Placement& p = in.placement;
  p.root = r.str();
  p.lockfile = r.str();
  p.own = read_package(r, true);
  uint64_t count = r.le(4);
  if (count > body->size()) return std::nullopt;
  p.packages.reserve(count);
  for (; count > 0 && r.ok; --count) {
    PlacedPackage& pp = p.packages.emplace_back();
    const uint8_t bits = uint8_t(r.le(1));
    pp.installed = bits & kInstalled;
    pp.workspace = bits & kWorkspace;
    PlanPackage& pkg = pp.package = read_package(r, !(bits & kSourceAtLocation));
    if (bits & kSourceAtLocation) pkg.source = p.root + "/" + pkg.location;
    PackageCheck& c = pp.check;
    if (bits & kCheckSelf) {
      c.location = pkg.location;
      c.name = pkg.name;
      c.version = pkg.version;
    } else {
      c.location = r.str();
      c.name = r.str();
      c.version = r.str();
    }
    c.folder_name = r.str();
  }
  count = r.le(4);
  if (count > body->size()) return std::nullopt;
  for (; count > 0 && r.ok; --count) {
    std::string source(r.str());
    p.node_modules_dirs.emplace_back(std::move(source), std::string(r.str()));
  }
  if (!r.ok || r.p != r.end) {
    ::unlink(path_.c_str());
    return std::nullopt;
  }
  return in;
}

}  // namespace lockcut
