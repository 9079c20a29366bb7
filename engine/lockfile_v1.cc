// lockfile_v1.cc: lockfileVersion 1 -> `packages` entries.
//
// npm 5 and 6 wrote a nested `dependencies` tree with `requires` maps that do
// not say which kind of dependency each is. arborist converts it on load
// (shrinkwrap.js): a child of `a` lives at `a/node_modules/child`, except that
// the children of a `file:` directory link live under the link's target; a
// `requires` entry becomes `optionalDependencies` when its target is optional
// and the requirer is not, `devDependencies` when the target is dev and the
// requirer is not, else `dependencies` (#fixDependencies). We do the same so
// that a v1 file gives the same graph arborist builds.
#include "lockfile_v1.h"

#include <optional>
#include <unordered_map>

#include "lockcut/location.h"
#include "lockcut/semver.h"

namespace lockcut {

namespace od = simdjson::ondemand;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

enum class SpecType : uint8_t { none, version, directory, file, alias, git, remote };

bool is_tarball(std::string_view p) {
  return ends_with(p, ".tgz") || ends_with(p, ".tar.gz") || ends_with(p, ".tar");
}

// What npm-package-arg would call a lockfile `version` string.
SpecType spec_type(std::string_view v) {
  if (v.empty()) return SpecType::none;
  if (starts_with(v, "file:")) return is_tarball(v) ? SpecType::file : SpecType::directory;
  if (starts_with(v, "npm:")) return SpecType::alias;
  if (starts_with(v, "git+") || starts_with(v, "git:") || starts_with(v, "github:") ||
      starts_with(v, "gitlab:") || starts_with(v, "bitbucket:") || starts_with(v, "gist:")) {
    return SpecType::git;
  }
  if (starts_with(v, "http://") || starts_with(v, "https://")) {
    return is_tarball(v) ? SpecType::remote : SpecType::git;
  }
  // `user/repo#sha` shorthand
  if (v.find('/') != std::string_view::npos && v[0] != '@' && v[0] != '.') return SpecType::git;
  return SpecType::version;
}

struct FromTgz {
  std::string_view name, version;
};

// version-from-tgz.js: `<name>-<version>.tgz` where name is the package's
// (for a registry URL, the project named by the `/<name>/-/` layout).
std::optional<FromTgz> version_from_base(std::string_view base, std::string_view scope,
                                         std::string_view project, ManifestStore& store) {
  if (base.size() < project.size() + 5 || base.substr(0, project.size()) != project ||
      base[project.size()] != '-') {
    return std::nullopt;
  }
  std::string_view ver = base.substr(project.size() + 1, base.size() - project.size() - 5);
  if (!parse_version(ver)) return std::nullopt;
  FromTgz out;
  out.version = ver;
  out.name = !scope.empty() && scope[0] == '@'
                 ? store.intern(std::string(scope) + "/" + std::string(project))
                 : project;
  return out;
}

// Splits `@scope/name` (or `@scope%2fname`, as registry URLs spell it).
void split_scope(std::string_view s, std::string_view& scope, std::string_view& project) {
  auto last_sep = [](std::string_view v, size_t& len) {
    size_t slash = v.rfind('/');
    size_t enc = std::string_view::npos;
    for (size_t i = v.size(); i >= 3; --i) {
      std::string_view t = v.substr(i - 3, 3);
      if (t == "%2f" || t == "%2F") {
        enc = i - 3;
        break;
      }
    }
    if (enc != std::string_view::npos && (slash == std::string_view::npos || enc > slash)) {
      len = 3;
      return enc;
    }
    len = 1;
    return slash;
  };
  size_t len = 0;
  size_t at = last_sep(s, len);
  project = at == std::string_view::npos ? s : s.substr(at + len);
  std::string_view rest = at == std::string_view::npos ? std::string_view() : s.substr(0, at);
  size_t at2 = last_sep(rest, len);
  scope = at2 == std::string_view::npos ? rest : rest.substr(at2 + len);
}

std::optional<FromTgz> version_from_tgz(std::string_view name, std::string_view tgz,
                                        ManifestStore& store) {
  if (starts_with(tgz, "file:")) tgz.remove_prefix(5);  // npm looks at the fetch path
  size_t slash = tgz.rfind('/');
  std::string_view base = slash == std::string_view::npos ? tgz : tgz.substr(slash + 1);
  if (!ends_with(base, ".tgz")) return std::nullopt;
  std::string_view scope, project;
  if (starts_with(tgz, "http:/") || starts_with(tgz, "https:/")) {
    size_t scheme = tgz.find("//");
    size_t path_at = scheme == std::string_view::npos ? 0 : tgz.find('/', scheme + 2);
    std::string_view path = path_at == std::string_view::npos ? std::string_view() : tgz.substr(path_at);
    size_t tf = path.rfind("/-/");
    if (tf != std::string_view::npos && path.substr(tf + 3) == base) {
      split_scope(path.substr(0, tf), scope, project);
      return version_from_base(base, scope, project, store);
    }
  }
  split_scope(name, scope, project);
  return version_from_base(base, scope, project, store);
}

class V1Reader {
 public:
  V1Reader(const std::string& file, const char* begin, ManifestStore& store, V1Tree& out)
      : file_(file), begin_(begin), store_(store), out_(out) {}

  Status read_children(od::object deps, std::string_view parent_location, int depth) {
    if (depth > 200) {
      return user_error("'" + file_ + "': dependencies nested deeper than 200 levels",
                        {"regenerate the lockfile with a current npm"});
    }
    for (auto field : deps) {
      od::raw_json_string rk;
      if (auto err = field.key().get(rk)) return json_error(err, parent_location);
      std::string_view name = key(rk);
      std::string loc = child_location(parent_location, name);
      od::object obj;
      if (field.value().get_object().get(obj)) {
        return user_error("'" + file_ + "': dependencies of '" + std::string(parent_location) +
                              "': \"" + std::string(name) + "\" is not an object (byte " +
                              std::to_string(rk.raw() - begin_) + ")",
                          {"regenerate the lockfile with `npm install --package-lock-only`"});
      }
      auto st = read_node(obj, store_.intern(loc), name, depth);
      if (!st) return st;
    }
    return Ok{};
  }

 private:
  std::string_view key(od::raw_json_string rk) { return key_view(rk, store_); }

  Error json_error(simdjson::error_code err, std::string_view where) {
    return user_error("'" + file_ + "': malformed JSON in the dependencies of '" +
                          std::string(where) + "': " + simdjson::error_message(err),
                      {"restore the lockfile from version control, or regenerate it with "
                       "`npm install --package-lock-only`"});
  }

  Status read_node(od::object obj, std::string_view location, std::string_view name, int depth) {
    size_t index = out_.nodes.size();
    out_.nodes.push_back(V1Node{});
    out_.nodes[index].location = location;
    out_.nodes[index].name = name;
    for (auto field : obj) {
      od::raw_json_string rk;
      if (auto err = field.key().get(rk)) return json_error(err, location);
      V1Node& n = out_.nodes[index];
      auto str = [&](std::string_view& slot) {
        od::value v;
        if (!field.value().get(v)) token_to_string(v.raw_json_token(), store_, slot);
      };
      auto flag = [&](bool& slot) {
        bool b = false;
        if (!field.value().get_bool().get(b)) slot = b;
      };
      if (rk == "version") str(n.version);
      else if (rk == "integrity") str(n.integrity);
      else if (rk == "resolved") str(n.resolved);
      else if (rk == "from") str(n.from);
      else if (rk == "dev") flag(n.dev);
      else if (rk == "optional") flag(n.optional);
      else if (rk == "bundled") flag(n.bundled);
      else if (rk == "requires") {
        od::object req;
        if (field.value().get_object().get(req)) continue;  // v1 `requires: true` at the top
        n.reqs_begin = static_cast<uint32_t>(out_.reqs.size());
        for (auto r : req) {
          od::raw_json_string qk;
          if (auto err = r.key().get(qk)) return json_error(err, location);
          std::string_view dep = key(qk), spec;
          od::value v;
          if (!r.value().get(v)) token_to_string(v.raw_json_token(), store_, spec);
          out_.reqs.push_back(DeclaredDep{dep, spec, DepKind::prod});
        }
        out_.nodes[index].reqs_count =
            static_cast<uint32_t>(out_.reqs.size()) - out_.nodes[index].reqs_begin;
      } else if (rk == "dependencies") {
        od::object deps;
        if (field.value().get_object().get(deps)) continue;
        // children of a directory link live under its target (#loadAll);
        // npm writes `version` before `dependencies`, so we know by now
        std::string_view parent = location;
        std::string_view v = out_.nodes[index].version;
        if (spec_type(v) == SpecType::directory) {
          parent = store_.intern(normalize_location(v.substr(5)));
        }
        auto st = read_children(deps, parent, depth + 1);
        if (!st) return st;
      }
    }
    return Ok{};
  }

  const std::string& file_;
  const char* begin_;
  ManifestStore& store_;
  V1Tree& out_;
};

}  // namespace

Status read_v1_tree(od::object deps, const std::string& file, const char* text_begin,
                    ManifestStore& store, V1Tree& out) {
  out.present = true;
  V1Reader reader(file, text_begin, store, out);
  return reader.read_children(deps, {}, 0);
}

void convert_v1_tree(const V1Tree& tree, std::string_view root_name, ManifestStore& store,
                     std::vector<LockEntry>& entries) {
  entries.clear();
  std::unordered_map<std::string_view, size_t> index;
  // requires are resolved once every entry exists; remember whose they are
  std::vector<std::pair<size_t, const V1Node*>> requirers;
  auto put = [&](std::string_view location, const Manifest& m) -> size_t {
    auto it = index.find(location);
    if (it != index.end()) {
      entries[it->second].pkg = m;
      return it->second;
    }
    index.emplace(location, entries.size());
    entries.push_back(LockEntry{location, m});
    return entries.size() - 1;
  };
  Manifest root;
  root.name = root_name;
  if (!root_name.empty()) root.flags |= kFlagHasName;
  put({}, root);

  for (const V1Node& n : tree.nodes) {
    Manifest m;
    if (n.dev) m.flags |= kFlagDev;
    if (n.optional) m.flags |= kFlagOptional;
    if (n.integrity.size()) m.integrity = n.integrity;
    SpecType t = spec_type(n.version);
    if (t == SpecType::directory) {
      // a link, plus a bare target entry that keeps the flags and requires
      std::string_view target = store.intern(normalize_location(n.version.substr(5)));
      Manifest link;
      link.flags = kFlagLink;
      link.resolved = target;
      put(n.location, link);
      if (!index.count(target)) {
        size_t at = put(target, m);
        if (n.reqs_count) requirers.emplace_back(at, &n);
      }
      continue;
    }
    if (n.bundled) m.flags |= kFlagInBundle;
    if (!n.version.empty() && n.integrity.empty() && t == SpecType::git) {
      m.resolved = n.version;
    } else {
      switch (t) {
        case SpecType::version:
          m.version = n.version;
          m.resolved = n.resolved;
          break;
        case SpecType::file:
        case SpecType::remote: {
          m.resolved = t == SpecType::file
                           ? store.intern("file:" + normalize_location(n.version.substr(5)))
                           : n.version;
          if (auto v = version_from_tgz(n.name, n.version, store)) {
            m.version = v->version;
            if (v->name != n.name) {
              m.name = v->name;
              m.flags |= kFlagHasName;
            }
          }
          break;
        }
        case SpecType::alias: {
          std::string_view sub = n.version.substr(4);
          size_t at = sub.rfind('@');
          if (at != std::string_view::npos && at > 0) {
            m.name = sub.substr(0, at);
            m.flags |= kFlagHasName;
            m.version = sub.substr(at + 1);
          }
          m.resolved = n.resolved;
          break;
        }
        case SpecType::git: m.resolved = n.resolved.empty() ? n.version : n.resolved; break;
        default: m.resolved = n.resolved; break;
      }
    }
    size_t at = put(n.location, m);
    if (n.reqs_count) requirers.emplace_back(at, &n);
  }

  // #fixDependencies: give each `reqs` entry its kind
  std::vector<DeclaredDep> deps;
  std::string probe;
  for (auto [at, node] : requirers) {
    deps.clear();
    const LockEntry& e = entries[at];
    for (uint32_t i = 0; i < node->reqs_count; ++i) {
      DeclaredDep d = tree.reqs[node->reqs_begin + i];
      const Manifest* dep = nullptr;
      std::string_view path = e.location;
      while (true) {
        probe = child_location(path, d.name);
        auto it = index.find(probe);
        if (it != index.end()) {
          dep = &entries[it->second].pkg;
          break;
        }
        if (path.empty()) break;
        // arborist strips one path segment at a time
        size_t slash = path.rfind('/');
        path = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
      }
      d.kind = DepKind::prod;
      if (dep && dep->has(kFlagOptional) && !e.pkg.has(kFlagOptional)) d.kind = DepKind::optional;
      else if (dep && dep->has(kFlagDev) && !e.pkg.has(kFlagDev)) d.kind = DepKind::dev;
      deps.push_back(d);
    }
    entries[at].pkg.deps = store.add_deps(deps);
  }
}

}  // namespace lockcut
