// registry.cc: tarball URLs and credentials (see registry.h).
//
// Both rules are ports of npm's own code: the `resolved` rewrite is
// arborist's reify.js #registryResolved, the credential lookup is
// npm-registry-fetch's lib/auth.js (regFromURI, then the package registry's
// credentials when the URL is on the same host).
#include "lockcut/registry.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "lockcut/integrity.h"
#include "lockcut/platform.h"

namespace lockcut {

namespace fs = std::filesystem;

namespace {

// The parts of a URL npm compares, as WHATWG's URL reports them.
struct Url {
  std::string scheme;    ///< "https"
  std::string hostname;  ///< lowercased
  std::string port;      ///< "" for the scheme's default
  std::string path;      ///< from the first '/', query included
  std::string host() const { return port.empty() ? hostname : hostname + ":" + port; }
  std::string str() const { return scheme + "://" + host() + path; }
};

std::optional<Url> parse_url(std::string_view text) {
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  Url u;
  u.scheme = std::string(text.substr(0, colon));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  u.path = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (u.path[0] != '/') u.path.insert(0, "/");
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  size_t port = authority.rfind(':');
  if (port != std::string_view::npos && authority.find(']', port) == std::string_view::npos) {
    u.port = std::string(authority.substr(port + 1));
    authority = authority.substr(0, port);
  }
  u.hostname = std::string(authority);
  std::transform(u.hostname.begin(), u.hostname.end(), u.hostname.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (u.hostname.empty()) return std::nullopt;
  if ((u.scheme == "http" && u.port == "80") || (u.scheme == "https" && u.port == "443")) {
    u.port.clear();
  }
  return u;
}

bool has_path_prefix(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() &&
                            path[prefix.size()] == '/');
}

std::string without_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string main_registry(const RegistryConfig& r) {
  std::string reg = r.config.get("registry").value_or(r.default_registry);
  return reg.empty() ? reg : without_trailing_slash(reg) + "/";
}

// arborist's #registryResolved: a `resolved` on the host named by
// replace-registry-host (npm's default registry unless configured) moves to
// the configured registry, keeping its path below the registry's own.
std::string replace_registry_host(const std::string& resolved, const RegistryConfig& r) {
  std::string mode = r.config.get("replace-registry-host").value_or("npmjs");
  std::optional<Url> url = parse_url(resolved);
  std::optional<Url> registry = parse_url(main_registry(r));
  if (mode == "never" || !url || !registry) return resolved;
  std::string match_host = mode;
  std::optional<std::string> match_path;
  if (mode == "npmjs") {
    std::optional<Url> def = parse_url(r.default_registry);
    if (!def) return resolved;
    match_host = def->hostname;
  } else if (std::optional<Url> m = parse_url(mode)) {
    match_host = m->hostname;
    match_path = without_trailing_slash(m->path);
  }
  if (mode != "always" && match_host != url->hostname) return resolved;
  if (match_path && !has_path_prefix(url->path, *match_path)) return resolved;
  std::string registry_path = without_trailing_slash(registry->path);
  url->scheme = registry->scheme;
  url->hostname = registry->hostname;
  url->port = registry->port;
  if (match_path) {
    url->path = registry_path + url->path.substr(match_path->size());
  } else if (!registry_path.empty() && !has_path_prefix(url->path, registry_path)) {
    url->path = registry_path + url->path;
  }
  return url->str();
}

// npm-registry-fetch hasAuth + the Auth constructor for one nerf-dart key.
std::optional<std::string> credentials_at(const std::string& key, const NpmConfig& c) {
  if (auto token = c.get(key + ":_authToken")) return "Bearer " + *token;
  if (auto auth = c.get(key + ":_auth")) return "Basic " + *auth;
  auto user = c.get(key + ":username");
  auto password = c.get(key + ":_password");
  if (user && password) {
    return "Basic " + base64_encode(*user + ":" + base64_decode(*password).value_or(""));
  }
  return std::nullopt;
}

// regFromURI: walk `//host/path` up, one segment or one slash at a time.
std::optional<std::string> credentials_for(const Url& url, const NpmConfig& c) {
  std::string key = "//" + url.host() + url.path.substr(0, url.path.find_first_of("?#"));
  while (key.size() > 2) {
    if (auto found = credentials_at(key, c)) return found;
    if (key.back() == '/') key.pop_back();
    else key.erase(key.rfind('/') + 1);
  }
  return std::nullopt;
}

}  // namespace

std::string npm_default_registry() {
  static const std::string registry = [] {
    fs::path dir = npm_package_dir();
    if (dir.empty()) return std::string();
    std::ifstream in(dir / "node_modules/@npmcli/config/lib/definitions/definitions.js");
    std::stringstream text;
    text << in.rdbuf();
    std::string js = text.str();
    // `registry: new Definition('registry', { default: '<url>', ...`
    size_t def = js.find("new Definition('registry'");
    size_t start = def == std::string::npos ? def : js.find("default: '", def);
    if (start == std::string::npos || start - def > 200) return std::string();
    start += 10;
    size_t end = js.find('\'', start);
    std::string url = js.substr(start, end - start);
    return parse_url(url) ? url : std::string();
  }();
  return registry;
}

std::string registry_for(std::string_view name, const RegistryConfig& r) {
  if (name.starts_with('@')) {
    std::string scope(name.substr(0, name.find('/')));
    if (auto scoped = r.config.get(scope + ":registry")) return without_trailing_slash(*scoped) + "/";
  }
  return main_registry(r);
}

Result<std::string> tarball_url(std::string_view name, std::string_view version,
                                std::string_view resolved, const RegistryConfig& r) {
  if (!resolved.empty()) {
    if (!parse_url(resolved)) {
      return user_error("'" + std::string(name) + "@" + std::string(version) + "' is not a registry "
                        "package (resolved: " + std::string(resolved) + ")",
                        {"install it with npm so it is in node_modules"});
    }
    return replace_registry_host(std::string(resolved), r);
  }
  std::string registry = registry_for(name, r);
  if (registry.empty()) {
    return user_error("no registry is configured to download '" + std::string(name) + "@" +
                          std::string(version) + "' from",
                      {"set `registry` in .npmrc, or install npm"});
  }
  std::string_view base = name.substr(name.find('/') == std::string_view::npos ? 0 : name.find('/') + 1);
  return registry + std::string(name) + "/-/" + std::string(base) + "-" + std::string(version) + ".tgz";
}

std::string authorization_for(std::string_view url, std::string_view name, const RegistryConfig& r) {
  std::optional<Url> u = parse_url(url);
  if (!u) return {};
  if (auto found = credentials_for(*u, r.config)) return *found;
  // a tarball on its registry's host gets the registry's credentials even
  // under another path
  std::optional<Url> registry = parse_url(registry_for(name, r));
  if (registry && registry->host() == u->host() && registry->str() != u->str()) {
    return credentials_for(*registry, r.config).value_or("");
  }
  return {};
}

}  // namespace lockcut
