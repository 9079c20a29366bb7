// project.cc: load the lockfile and the package.json files npm reads with it.
//
// See project.h for what and why. Workspace globs are matched on disk the way
// @npmcli/map-workspaces does it: each pattern gets `/package.json` appended,
// node_modules folders are never searched, `!pattern` removes matches, and a
// workspace's name is its package.json `name`, else its folder name.
#include "lockcut/project.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "lockcut/location.h"

namespace lockcut {

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> list_dirs(const std::string& p) {
  std::vector<std::string> out;
  DIR* d = ::opendir(p.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n == "node_modules") continue;
    if (is_dir(p + "/" + n)) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) parts.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

bool segment_match(std::string_view p, std::string_view s) {
  // iterative wildcard match for one path segment; minimatch skips dot
  // files for a leading wildcard
  if (!s.empty() && s[0] == '.' && (p.empty() || p[0] != '.')) return false;
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool match_parts(const std::vector<std::string_view>& p, size_t pi,
                 const std::vector<std::string_view>& s, size_t si) {
  if (pi == p.size()) return si == s.size();
  if (p[pi] == "**") {
    for (size_t k = si; k <= s.size(); ++k) {
      if (k > si && !s[k - 1].empty() && s[k - 1][0] == '.') break;
      if (match_parts(p, pi + 1, s, k)) return true;
    }
    return false;
  }
  if (si == s.size() || !segment_match(p[pi], s[si])) return false;
  return match_parts(p, pi + 1, s, si + 1);
}

std::string clean_pattern(std::string_view pattern) {
  std::string p = normalize_location(pattern);
  return p;
}

// Expands a glob on disk into the folders it names (relative to dir).
void expand(const std::string& dir, const std::vector<std::string_view>& parts, size_t i,
            const std::string& rel, std::vector<std::string>& out, int depth) {
  if (depth > 32) return;
  if (i == parts.size()) {
    out.push_back(rel);
    return;
  }
  std::string_view seg = parts[i];
  std::string base = rel.empty() ? dir : dir + "/" + rel;
  auto join = [&](const std::string& name) { return rel.empty() ? name : rel + "/" + name; };
  if (seg == "**") {
    expand(dir, parts, i + 1, rel, out, depth + 1);
    for (const auto& n : list_dirs(base)) {
      if (n[0] == '.') continue;
      expand(dir, parts, i, join(n), out, depth + 1);
    }
    return;
  }
  if (seg.find_first_of("*?") == std::string_view::npos) {
    std::string n(seg);
    if (n != "node_modules" && is_dir(base + "/" + n)) expand(dir, parts, i + 1, join(n), out, depth + 1);
    return;
  }
  for (const auto& n : list_dirs(base)) {
    if (segment_match(seg, n)) expand(dir, parts, i + 1, join(n), out, depth + 1);
  }
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return match_parts(split(pattern), 0, split(path), 0);
}

Result<std::vector<Workspace>> map_workspaces(const std::string& dir, const Manifest& root,
                                              ManifestStore& store,
                                              std::vector<ManifestInput>* inputs) {
  std::vector<Workspace> out;
  if (root.workspaces.count == 0) return out;
  std::vector<std::string> positive, negative;
  for (std::string_view p : store.strings(root.workspaces)) {
    if (!p.empty() && p[0] == '!') negative.push_back(clean_pattern(p.substr(1)));
    else positive.push_back(clean_pattern(p));
  }
  std::map<std::string, std::string> by_path;  // folder -> name
  std::vector<std::string> order;
  for (const auto& pat : positive) {
    std::vector<std::string> found;
    expand(dir, split(pat), 0, "", found, 0);
    for (const auto& rel : found) {
      if (!is_file(dir + "/" + rel + "/package.json")) continue;
      if (by_path.count(rel)) continue;
      std::string path = dir + "/" + rel + "/package.json";
      std::string_view text;
      auto m = read_package_json(path, store, &text);
      if (inputs) inputs->push_back(ManifestInput{path, bool(m), m ? text : std::string_view()});
      std::string name = m && !m->name.empty() ? std::string(m->name)
                                               : std::string(folder_name(rel));
      by_path[rel] = name;
      order.push_back(rel);
    }
  }
  std::map<std::string, std::string> names;
  for (const auto& rel : order) {
    bool negated = false;
    for (const auto& n : negative) negated = negated || glob_match(n, rel);
    if (negated) continue;
    const std::string& name = by_path[rel];
    if (auto it = names.find(name); it != names.end()) {
      return user_error("workspace name '" + name + "' is used by both '" + it->second +
                            "' and '" + rel + "'",
                        {"give each workspace package.json its own \"name\""});
    }
    names[name] = rel;
    out.push_back(Workspace{name, rel});
  }
  return out;
}

std::vector<Workspace> virtual_workspaces(const Lockfile& lock, const ManifestStore& store) {
  std::vector<Workspace> out;
  if (lock.entries.empty()) return out;
  const Manifest& root = lock.entries[0].pkg;
  std::vector<std::string> positive, negative;
  for (std::string_view p : store.strings(root.workspaces)) {
    if (!p.empty() && p[0] == '!') negative.push_back(clean_pattern(p.substr(1)));
    else positive.push_back(clean_pattern(p));
  }
  if (positive.empty()) return out;
  negative.push_back("**/node_modules/**");
  for (const auto& pat : positive) {
    for (const auto& e : lock.entries) {
      if (e.location.empty() || !glob_match(pat, e.location)) continue;
      bool negated = false;
      for (const auto& n : negative) negated = negated || glob_match(n, e.location);
      if (negated) continue;
      bool dup = false;
      for (const auto& w : out) dup = dup || w.location == e.location;
      if (dup) continue;
      std::string name = e.pkg.name.empty() ? std::string(folder_name(e.location))
                                            : std::string(e.pkg.name);
      out.push_back(Workspace{name, std::string(e.location)});
    }
  }
  return out;
}

const Manifest* Project::folder_manifest(std::string_view location) {
  std::string key(location);
  auto it = folder_manifests.find(key);
  if (it != folder_manifests.end()) return it->second.get();
  std::unique_ptr<Manifest> m;
  if (read_disk) {
    std::string path = location.size() && location[0] == '/' ? key : dir + "/" + key;
    path += "/package.json";
    std::string_view text;
    if (is_file(path)) {
      auto r = read_package_json(path, *store, &text);
      if (r) m = std::make_unique<Manifest>(r.value());
    }
    manifest_inputs.push_back(ManifestInput{path, m != nullptr, m ? text : std::string_view()});
  }
  const Manifest* out = m.get();
  folder_manifests.emplace(std::move(key), std::move(m));
  return out;
}

Result<Project> load_project(const ProjectOptions& options) {
  Project p;
  p.dir = options.dir.empty() ? "." : options.dir;
  while (p.dir.size() > 1 && p.dir.back() == '/') p.dir.pop_back();
  p.read_disk = options.read_disk;
  p.store = std::make_unique<ManifestStore>();
  auto path = find_lockfile(p.dir, options.lockfile);
  if (!path) return path.take_error();
  auto lock = load_lockfile(path.value(), *p.store);
  if (!lock) return lock.take_error();
  p.lock = std::move(lock).value();

  // the root's edges come from package.json; the lockfile's "" entry is the
  // fallback when package.json cannot be read (load-virtual.js)
  std::string pj = p.dir + "/package.json";
  if (options.read_disk && is_file(pj)) {
    std::string_view text;
    auto m = read_package_json(pj, *p.store, &text);
    if (!m) return m.take_error();
    p.root = m.value();
    p.root_from_package_json = true;
    p.manifest_inputs.push_back(ManifestInput{pj, true, text});
  } else {
    if (options.read_disk) p.manifest_inputs.push_back(ManifestInput{pj, false, {}});
    p.root = p.lock.entries[0].pkg;
  }
  if (p.lock.from_v1_tree && p.root_from_package_json) {
    // #fixDependencies gives the converted "" entry the package.json fields
    // npm keeps in lockfiles, which exclude devDependencies
    Manifest& lroot = p.lock.entries[0].pkg;
    std::string_view name = lroot.name;
    lroot = p.root;
    if (!name.empty()) lroot.name = name;
    std::vector<DeclaredDep> kept;
    for (const auto& d : p.store->deps(p.root.deps)) {
      if (d.kind != DepKind::dev) kept.push_back(d);
    }
    lroot.deps = p.store->add_deps(kept);
  }
  if (options.read_disk) {
    auto ws = map_workspaces(p.dir, p.root, *p.store, &p.manifest_inputs);
    if (!ws) return ws.take_error();
    p.workspaces = std::move(ws).value();
  }
  return p;
}

}  // namespace lockcut
