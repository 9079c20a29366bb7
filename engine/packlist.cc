// packlist.cc: npm-packlist 10's walk, folder by folder.
//
// See packlist.h for the rules. The code mirrors the JavaScript it ports so
// both read side by side: a Dir is one ignore-walk Walker (a PackWalker),
// with its rule sets in the order npm consults them (defaults, package.json,
// .npmignore, .gitignore, strict); Dir::filter is ignore-walk's filterEntry,
// which first asks every parent folder about `parent/entry` and then lets
// the folder's own rules flip the verdict; process_package is npm-packlist's
// processPackage, which turns package.json into rules. A folder is entered
// when its name passes as a folder ("partial": it may hold matching files);
// a file is kept when it passes as a file.
#include "lockcut/packlist.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include <simdjson.h>

#include "lockcut/ignore.h"
#include "lockcut/manifest.h"
#include "lockcut/project.h"

namespace lockcut {

namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::element_type;

// npm-packlist's `defaults`: every folder gets them, anchored at itself
constexpr std::string_view kDefaultRules =
    ".npmignore\n.gitignore\n**/.git\n**/.svn\n**/.hg\n**/CVS\n**/.git/**\n**/.svn/**\n"
    "**/.hg/**\n**/CVS/**\n/.lock-wscript\n/.wafpickle-*\n/build/config.gypi\nnpm-debug.log\n"
    "**/.npmrc\n.*.swp\n.DS_Store\n**/.DS_Store/**\n._*\n**/._*/**\n*.orig\n/archived-packages/**\n";

// processPackage's `strict` list for the package root, before what
// package.json adds (forced files go first, main/browser/bin last)
constexpr std::string_view kStrictRules[] = {
    "/.git",         "!/package.json",     "!/readme{,.*[^~$]}", "!/copying{,.*[^~$]}",
    "!/license{,.*[^~$]}", "!/licence{,.*[^~$]}", "/.git", "/node_modules", ".npmrc",
    "/package-lock.json", "/yarn.lock", "/pnpm-lock.yaml", "/bun.lockb"};

enum RuleSet : uint8_t { kDefaults, kPackageJson, kNpmignore, kGitignore, kStrict, kRuleSets };

std::string errno_text(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// path.posix.normalize for a path starting with '/': `.` and `..` resolved
// lexically, repeated slashes folded, a trailing slash kept
std::string normalize_abs(std::string_view p) {
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < p.size();) {
    size_t j = std::min(p.find('/', i), p.size());
    std::string_view seg = p.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (auto seg : parts) out.append("/").append(seg);
  if (out.empty() || (p.ends_with('/') && p.size() > 1)) out += '/';
  return out;
}

// @npmcli/package-json's secureAndUnixifyPath: relative, inside the package
std::string secure_path(std::string ref) {
  std::replace(ref.begin(), ref.end(), '\\', '/');
  std::replace(ref.begin(), ref.end(), ':', '/');
  std::string n = normalize_abs("/" + ref);
  return n == "/" ? "" : n.substr(1);
}

std::string_view base_name(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

// `${value}` in JavaScript, for the fields npm-packlist interpolates
std::string js_string(element e) {
  std::string_view s;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  bool b = false;
  simdjson::dom::array arr;
  if (!e.get(s)) return std::string(s);
  if (!e.get(i)) return std::to_string(i);
  if (!e.get(u)) return std::to_string(u);
  if (!e.get(d)) {
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
  }
  if (!e.get(b)) return b ? "true" : "false";
  if (e.is_null()) return "null";
  if (e.get(arr)) return "[object Object]";
  std::string out;
  bool first = true;
  for (element x : arr) {
    if (!first) out += ',';
    first = false;
    if (!x.is_null()) out += js_string(x);
  }
  return out;
}

bool js_truthy(element e) {
  std::string_view s;
  double d = 0;
  bool b = false;
  if (!e.get(s)) return !s.empty();
  if (e.is_number()) return !e.get(d) && d != 0;
  if (!e.get(b)) return b;
  return !e.is_null();
}

// The package.json fields npm-packlist reads, as arborist hands them over.
struct Package {
  std::optional<std::vector<std::string>> files;  // when `files` is truthy
  std::vector<std::string> forced;                // browser, main, bin targets
  bool has_workspaces = false;                    // a `workspaces` field
};

// glob('**') under a bin folder, as normalize's `directories.bin` step does:
// every entry whose name does not start with '.', files and folders alike
void list_bin_dir(const std::string& abs, const std::string& rel,
                  std::vector<std::pair<std::string, std::string>>& out) {
  DIR* d = ::opendir(abs.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    out.emplace_back(n, r);
    struct stat st {};
    if (n != "node_modules" && ::lstat((abs + "/" + n).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      list_bin_dir(abs + "/" + n, r, out);
    }
  }
}

// The `bin` targets after @npmcli/package-json's normalizePackageBin (or its
// `directories.bin` expansion when there is no `bin`)
std::vector<std::string> bin_targets(std::optional<element> bin, std::optional<element> name,
                                     std::optional<element> bin_dir, const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> bins;  // key -> target, later keys win
  auto put = [&](std::string key, std::string target) {
    auto it = std::find_if(bins.begin(), bins.end(), [&](auto& b) { return b.first == key; });
    if (it != bins.end()) it->second = std::move(target);
    else bins.emplace_back(std::move(key), std::move(target));
  };
  std::string_view s;
  if (bin_dir && js_truthy(*bin_dir) && !(bin && js_truthy(*bin)) && !bin_dir->get(s)) {
    std::string bin_path = secure_path(std::string(s));
    std::vector<std::pair<std::string, std::string>> found;
    list_bin_dir(dir + "/" + bin_path, "", found);
    for (auto& [key, rel] : found) put(key, bin_path + "/" + secure_path(rel));
  } else if (bin && js_truthy(*bin)) {
    std::vector<std::pair<std::string, element>> raw;
    simdjson::dom::object obj;
    simdjson::dom::array arr;
    if (bin->is_string() && name && js_truthy(*name)) {
      raw.emplace_back(js_string(*name), *bin);
    } else if (!bin->get(arr)) {
      for (element k : arr) {
        if (k.is_string()) raw.emplace_back(std::string(base_name(js_string(k))), k);
      }
    } else if (!bin->get(obj)) {
      for (auto field : obj) raw.emplace_back(std::string(field.key), field.value);
    }
    for (auto& [key, value] : raw) {
      if (!value.is_string()) continue;
      std::string base(base_name(secure_path(key)));
      std::string target = secure_path(js_string(value));
      if (!base.empty() && !target.empty()) put(base, target);
    }
  }
  std::vector<std::string> out;
  for (auto& b : bins) out.push_back(std::move(b.second));
  return out;
}

// Reads a whole file; returns 0 or the errno.
int read_text(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char buf[16384];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = n < 0 ? errno : 0;
  ::close(fd);
  return err;
}

Error unreadable(const std::string& path, int err) {
  return system_error("cannot read '" + path + "': " + errno_text(err),
                      {"npm reads it while packing; make it a readable file or remove it"});
}

Result<Package> read_package(const std::string& dir) {
  std::string path = dir + "/package.json", content;
  if (int err = read_text(path, content)) {
    if (err == ENOENT || err == ENOTDIR) {
      return user_error("'" + dir + "' has no package.json",
                        {"npm packs only a folder that holds a package.json"});
    }
    return unreadable(path, err);
  }
  std::string_view json = content;
  if (json.starts_with("\xEF\xBB\xBF")) json.remove_prefix(3);  // JSON.parse after a BOM strip
  simdjson::padded_string text(json);
  simdjson::dom::parser parser;
  element doc;
  simdjson::dom::object obj;
  if (auto err = parser.parse(text).get(doc)) {
    return user_error("'" + path + "': malformed JSON: " + simdjson::error_message(err),
                      {"fix the JSON syntax of this package.json"});
  }
  if (doc.get(obj)) {
    return user_error("'" + path + "': expected a JSON object",
                      {"fix the JSON syntax of this package.json"});
  }
  // JSON.parse keeps the last of repeated keys
  std::optional<element> files, main, browser, bin, name, bin_dir;
  Package pkg;
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "files") files = field.value;
    else if (k == "main") main = field.value;
    else if (k == "browser") browser = field.value;
    else if (k == "bin") bin = field.value;
    else if (k == "name") name = field.value;
    else if (k == "workspaces") pkg.has_workspaces = true;
    else if (k == "directories") {
      simdjson::dom::object dirs;
      if (!field.value.get(dirs)) {
        for (auto d : dirs) {
          if (d.key == "bin") bin_dir = d.value;
        }
      }
    }
  }
  if (files && js_truthy(*files)) {
    // `for (const file of files)`: an array's items, a string's characters
    std::vector<std::string> list;
    std::string_view s;
    simdjson::dom::array arr;
    if (!files->get(s)) {
      for (size_t i = 0; i < s.size();) {
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        list.emplace_back(s.substr(i, n));
        i += n;
      }
    } else if (!files->get(arr)) {
      for (element item : arr) {
        if (item.get(s)) {
          return user_error("'" + path + "': \"files\" holds " + js_string(item) + ", not a path",
                            {"list only strings (paths and globs) in \"files\"; npm rejects it too"});
        }
        list.emplace_back(s);
      }
    } else {
      return user_error("'" + path + "': \"files\" is not a list",
                        {"write \"files\" as an array of paths and globs"});
    }
    pkg.files = std::move(list);
  }
  if (browser && js_truthy(*browser)) pkg.forced.push_back(js_string(*browser));
  if (main && js_truthy(*main)) pkg.forced.push_back(js_string(*main));
  for (auto& t : bin_targets(bin, name, bin_dir, dir)) pkg.forced.push_back(std::move(t));
  return pkg;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s.append(l).append("\n");
  return s;
}

// One folder being walked (ignore-walk's Walker as npm-packlist's PackWalker).
struct Dir {
  const Dir* parent = nullptr;
  std::string abs, rel, base;
  bool is_package = false;
  bool exact = false;
  bool reads_package_json = false;  // package.json is one of its ignore files
  std::array<std::optional<std::vector<IgnoreRule>>, kRuleSets> rules;
  std::vector<std::string> required;  // files `files` names, for strict rules below

  // ignore-walk's filterEntry(entry, partial, entryBasename)
  bool filter(const std::string& entry, bool partial, std::string_view entry_base = {}) const {
    bool included = true;
    if (parent) {
      included = parent->filter(base + "/" + entry, partial, entry_base.empty() ? entry : entry_base);
      if (!included && !exact) return false;
    }
    // "/e/" holds the four spellings ignore-walk tries: /e, e, /e/, e/
    const std::string wrapped = "/" + entry + "/";
    const std::string_view w = wrapped;
    const MatchPath slashed(w.substr(0, w.size() - 1)), plain(w.substr(1, w.size() - 2));
    std::optional<MatchPath> slashed_dir, plain_dir, base_dir, base_slash_dir, base_file, base_slash;
    std::string based;
    for (const auto& set : rules) {
      if (!set) continue;
      for (const IgnoreRule& rule : *set) {
        // a negation can only include, anything else only exclude
        if (rule.negate() == included) continue;
        bool hit = rule.match(slashed) || rule.match(plain);
        if (!hit && partial) {
          if (!slashed_dir) slashed_dir.emplace(w), plain_dir.emplace(w.substr(1));
          hit = rule.match(*slashed_dir) || rule.match(*plain_dir) ||
                (rule.negate() && (rule.match(slashed, true) || rule.match(plain, true)));
          if (!hit && !entry_base.empty() && rule.relative()) {
            if (!base_dir) {
              based = "/" + std::string(entry_base) + "/";
              std::string_view b = based;
              base_slash_dir.emplace(b), base_dir.emplace(b.substr(1));
              base_slash.emplace(b.substr(0, b.size() - 1)), base_file.emplace(b.substr(1, b.size() - 2));
            }
            hit = rule.match(*base_slash_dir) || rule.match(*base_dir) ||
                  (rule.negate() && (rule.match(*base_slash, true) || rule.match(*base_file, true)));
          }
        }
        if (hit) included = rule.negate();
      }
    }
    return included;
  }
};

class Walker {
 public:
  Walker(const Package& pkg, bool has_workspaces) : pkg_(pkg), has_workspaces_(has_workspaces) {}

  Status walk(Dir& d) {
    std::vector<std::string> names;
    if (DIR* h = ::opendir(d.abs.c_str())) {
      while (dirent* e = ::readdir(h)) {
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
      }
      ::closedir(h);
    } else {
      return system_error("cannot read folder '" + d.abs + "': " + errno_text(errno),
                          {"npm packs every folder the rules let in; check its permissions"});
    }
    for (const std::string& n : names) {
      RuleSet set = n == ".npmignore" ? kNpmignore
                    : n == ".gitignore" ? kGitignore
                    : n == "package.json" && d.reads_package_json ? kPackageJson
                    : kRuleSets;
      if (set == kRuleSets) continue;
      if (set == kPackageJson && d.is_package) {
        process_package(d);
        continue;
      }
      std::string text, path = d.abs + "/" + n;
      if (int err = read_text(path, text)) return unreadable(path, err);
      d.rules[set] = parse_ignore_rules(text);
    }
    // rules from package.json hide .npmignore and .gitignore; .npmignore hides .gitignore
    if (d.rules[kPackageJson]) d.rules[kNpmignore].reset(), d.rules[kGitignore].reset();
    else if (d.rules[kNpmignore]) d.rules[kGitignore].reset();

    for (const std::string& n : names) {
      bool as_file = d.filter(n, false), as_dir = d.filter(n, true);
      if ((!as_file && !as_dir) || n.find('*') != std::string::npos) continue;
      std::string abs = d.abs + "/" + n, rel = d.rel.empty() ? n : d.rel + "/" + n;
      struct stat st {};
      if (::lstat(abs.c_str(), &st) != 0) return unreadable(abs, errno);
      if (S_ISREG(st.st_mode)) {
        if (as_file) files_.push_back(std::move(rel));
      } else if (S_ISDIR(st.st_mode) && as_dir && n != "node_modules") {
        Dir child;
        child.parent = &d;
        child.abs = std::move(abs);
        child.rel = std::move(rel);
        child.base = n;
        child.exact = as_file || d.filter(n + "/", false);
        child.reads_package_json = has_workspaces_;
        child.rules[kDefaults] = default_rules_;
        std::string strict = "/.git\n";
        for (const std::string& f : d.required) {
          if (auto inner = required_inside(f, n)) {
            strict += "!" + *inner + "\n";
            child.required.push_back(std::move(*inner));
          }
        }
        child.rules[kStrict] = parse_ignore_rules(strict);
        if (Status s = walk(child); !s) return s;
      }
    }
    return Ok{};
  }

  std::vector<std::string> take_files() { return std::move(files_); }

 private:
  // npm-packlist's processPackage: `files` becomes the package.json rule set
  // ("*" then each entry negated), strict rules force files in and out
  void process_package(Dir& d) {
    std::vector<std::string> strict(std::begin(kStrictRules), std::end(kStrictRules));
    if (pkg_.files) {
      std::vector<std::string> ignores{"*"};
      for (std::string file : *pkg_.files) {
        if (file.starts_with("./")) file.erase(0, 1);
        if (file.ends_with("/*")) file += '*';
        std::string inverse = "!" + file;
        size_t bangs = std::min(file.find_first_not_of('!'), file.size());
        std::string target = normalize_abs(d.abs + "/" + file.substr(bangs));
        struct stat st {};
        if (::lstat(target.c_str(), &st) != 0) {
          ignores.push_back(inverse);  // not on disk: a pattern
        } else if (S_ISREG(st.st_mode)) {
          strict.insert(strict.begin(), inverse);
          d.required.push_back(file.starts_with('/') ? file.substr(1) : file);
        } else if (S_ISDIR(st.st_mode)) {
          ignores.push_back(inverse);
          ignores.push_back(inverse + "/**");
        }
      }
      d.rules[kPackageJson] = parse_ignore_rules(join_lines(ignores));
    }
    for (const std::string& f : pkg_.forced) strict.push_back("!/" + f);
    d.rules[kStrict] = parse_ignore_rules(join_lines(strict));
  }

  // walkerOpt's requiredFiles: `file` when it sits directly in folder `entry`
  // (path.relative(file, entry) === '..'), relative to that folder
  static std::optional<std::string> required_inside(std::string_view file, std::string_view entry) {
    auto resolve = [](std::string_view p) {
      std::string n = normalize_abs("/" + std::string(p));
      if (n.size() > 1 && n.back() == '/') n.pop_back();
      return n;
    };
    std::string f = resolve(file), e = resolve(entry);
    size_t slash = f.rfind('/');
    if (f == e || f.substr(0, std::max<size_t>(slash, 1)) != e) return std::nullopt;
    return f.substr(slash + 1);
  }

  const Package& pkg_;
  bool has_workspaces_;
  std::vector<IgnoreRule> default_rules_ = parse_ignore_rules(kDefaultRules);
  std::vector<std::string> files_;
};

// readOutOfTreeIgnoreFiles: the .npmignore (else .gitignore) of `root` and of
// each folder on the way down `rel`
Status read_out_of_tree(fs::path root, const fs::path& rel, std::string& text) {
  auto it = rel.begin();
  for (;;) {
    for (const char* name : {".npmignore", ".gitignore"}) {
      std::string path = (root / name).string(), content;
      int err = read_text(path, content);
      if (err == ENOENT) continue;
      if (err) return unreadable(path, err);
      text += content + "\n";
      break;
    }
    while (it != rel.end() && (it->empty() || *it == ".")) ++it;
    if (it == rel.end()) return Ok{};
    root /= *it++;
  }
}

// Whether `dir` is a workspace of `root` (npm passes `workspaces` only then).
Result<bool> is_workspace_of(const fs::path& root, const fs::path& dir) {
  ManifestStore store;
  auto manifest = read_package_json((root / "package.json").string(), store);
  if (!manifest) return manifest.take_error();
  auto workspaces = map_workspaces(root.string(), manifest.value(), store);
  if (!workspaces) return workspaces.take_error();
  for (const Workspace& w : workspaces.value()) {
    if ((root / w.location).lexically_normal() == dir) return true;
  }
  return false;
}

fs::path clean_abs(const fs::path& p) {
  fs::path a = fs::absolute(p).lexically_normal();
  std::string s = a.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<std::vector<std::string>> pack_list(const fs::path& dir, const PackOptions& options) {
  fs::path abs = clean_abs(dir);
  auto pkg = read_package(abs.string());
  if (!pkg) return pkg.take_error();

  // arborist sets tree.workspaces only when the globs find a package
  bool has_workspaces = false;
  if (pkg->has_workspaces) {
    ManifestStore store;
    auto manifest = read_package_json(abs.string() + "/package.json", store);
    if (!manifest) return manifest.take_error();
    auto ws = map_workspaces(abs.string(), manifest.value(), store);
    if (!ws) return ws.take_error();
    has_workspaces = !ws->empty();
  }

  std::string defaults(kDefaultRules);
  if (!options.workspace_root.empty()) {
    fs::path root = clean_abs(options.workspace_root);
    if (root != abs) {
      auto member = is_workspace_of(root, abs);
      if (!member) return member.take_error();
      if (member.value()) {
        if (Status s = read_out_of_tree(root, abs.parent_path().lexically_relative(root), defaults); !s) {
          return s.take_error();
        }
      }
    }
  }

  Walker walker(pkg.value(), has_workspaces);
  Dir top;
  top.abs = abs.string();
  top.base = abs.filename().string();
  top.is_package = true;
  top.reads_package_json = true;
  top.rules[kDefaults] = parse_ignore_rules(defaults);
  if (Status s = walker.walk(top); !s) return s.take_error();
  std::vector<std::string> files = walker.take_files();
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace lockcut
