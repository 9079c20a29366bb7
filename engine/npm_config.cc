// npm_config.cc: .npmrc files and npm_config_* variables (see npm_config.h).
//
// The ini dialect is npm's (the `ini` package): `key = value`, `key[] = value`
// for arrays, `;` and `#` comments, optional quotes, `${VAR}` expansion.
#include "lockcut/npm_config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

extern char** environ;

namespace lockcut {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// @npmcli/config env-replace: `${VAR}` becomes its value and stays as
// written when VAR is unset; `${VAR?}` becomes "" when unset.
std::string expand_env(const std::string& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '{') {
      size_t end = v.find('}', i + 2);
      if (end != std::string::npos) {
        std::string name = v.substr(i + 2, end - i - 2);
        bool optional = !name.empty() && name.back() == '?';
        if (optional) name.pop_back();
        const char* val = std::getenv(name.c_str());
        if (val) out += val;
        else if (!optional) out += v.substr(i, end - i + 1);
        i = end;
        continue;
      }
    }
    out += v[i];
  }
  return out;
}

// ini's `unsafe`: an unquoted value ends at the first unescaped `;` or `#`.
std::string strip_inline_comment(const std::string& v) {
  std::string out;
  bool escaped = false;
  for (char c : v) {
    if (escaped) {
      out += (c == '\\' || c == ';' || c == '#') ? std::string(1, c) : std::string("\\") + c;
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ';' || c == '#') {
      break;
    } else {
      out += c;
    }
  }
  return trim(out);
}

std::string normalize_key(std::string k) {
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  return k;
}

void set_value(NpmConfig& c, const std::string& key, const std::string& value,
               const std::string& origin, bool append) {
  if (key == "omit" || key == "include") {
    auto& l = c.lists[key];
    if (!append) l.clear();
    l.push_back(value);
    c.values[key] = value;
  } else {
    c.values[key] = value;
  }
  c.source[key] = origin;
}

void read_file(const std::string& path, NpmConfig& c) {
  std::ifstream in(path);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  parse_npmrc(ss.str(), path, c);
}

}  // namespace

void parse_npmrc(const std::string& text, const std::string& origin, NpmConfig& config) {
  std::istringstream in(text);
  std::string line;
  // ini, within one file: `key[]` lines accumulate, a plain key after an
  // array key (or the other way round) is pushed onto it, a plain key
  // repeated keeps its last value; a new file replaces the list
  std::map<std::string, bool> seen, seen_array;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == ';' || t[0] == '#') continue;
    // ini nests every later key under a [section]: npm never reads them
    if (t[0] == '[') return;
    size_t eq = t.find('=');
    std::string key = trim(eq == std::string::npos ? t : t.substr(0, eq));
    std::string value = eq == std::string::npos ? "true" : trim(t.substr(eq + 1));
    if (value.size() >= 2 && ((value.front() == '"' && value.back() == '"') ||
                              (value.front() == '\'' && value.back() == '\''))) {
      value = value.substr(1, value.size() - 2);
    } else {
      value = strip_inline_comment(value);
    }
    bool is_array = key.size() > 2 && key.compare(key.size() - 2, 2, "[]") == 0;
    if (is_array) key.resize(key.size() - 2);
    // file keys are taken as written (only npm_config_* names are normalized)
    key = expand_env(key);
    value = expand_env(value);
    bool append = seen[key] && (is_array || seen_array[key]);
    set_value(config, key, value, origin, append);
    seen[key] = true;
    if (is_array) seen_array[key] = true;
  }
}

std::optional<bool> NpmConfig::flag(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true" || v == "1" || v.empty()) return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<std::string> NpmConfig::get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty() || it->second == "null") return std::nullopt;
  return it->second;
}

std::vector<std::string> NpmConfig::list(const std::string& key) const {
  // values are taken whole: npm rejects `omit=dev,optional` rather than
  // splitting it
  auto it = lists.find(key);
  return it == lists.end() ? std::vector<std::string>() : it->second;
}

NpmConfig load_npm_config(const NpmConfigSources& sources) {
  NpmConfig c;
  std::string user = sources.user_config;
  if (user.empty()) {
    if (const char* u = std::getenv("npm_config_userconfig"); u && *u) user = u;
    else if (const char* u2 = std::getenv("NPM_CONFIG_USERCONFIG"); u2 && *u2) user = u2;
    else if (const char* home = std::getenv("HOME"); home && *home) user = std::string(home) + "/.npmrc";
  }
  if (!user.empty()) read_file(user, c);
  if (!sources.project_dir.empty()) {
    std::string project = sources.project_dir + "/.npmrc";
    if (project != user) read_file(project, c);
  }
  if (sources.read_environment) {
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string k = kv.substr(0, eq);
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      if (lower.rfind("npm_config_", 0) != 0) continue;
      std::string key = normalize_key(k.substr(11));
      // @npmcli/config skips empty variables
      if (key.empty() || eq + 1 == kv.size()) continue;
      set_value(c, key, kv.substr(eq + 1), k, false);
    }
  }
  return c;
}

}  // namespace lockcut
