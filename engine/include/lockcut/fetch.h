// fetch.h: the tarballs of lockfile entries that are not installed.
//
// Each tarball is taken from the first place that has it with the right
// bytes: lockcut's own store, npm's cache (read-only), then the registry.
// Every byte is checked against the lockfile's integrity before it is used;
// a download is streamed through the digest into a temporary file in the
// store and renamed into place only when it matches, so a corrupt or
// tampered download leaves nothing behind. Downloads run in parallel
// (libcurl multi), honour npm's fetch-retries / fetch-retry-mintimeout /
// fetch-retry-factor / fetch-retry-maxtimeout / fetch-timeout settings,
// retry dropped connections and 5xx answers with backoff, and go through a
// proxy from `https-proxy` / `proxy` or the usual environment variables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockcut/npm_config.h"
#include "lockcut/result.h"

namespace lockcut {

/// One lockfile entry to fetch.
struct TarballRequest {
  std::string name;       ///< package name (`@scope/pkg`)
  std::string version;
  std::string resolved;   ///< the lockfile's `resolved` ("" when absent)
  std::string integrity;  ///< the lockfile's `integrity` ("" when absent)
  std::string location;   ///< `node_modules/...`, named in errors
};

/// Where to look and how to download.
struct FetchOptions {
  NpmConfig config;             ///< registry, scopes, credentials, fetch-* settings
  std::string store_dir;        ///< lockcut's store; "" = TarballStore::default_dir()
  std::string npm_cache_dir;    ///< npm's `_cacache`; "" = npm_cacache_dir(config)
  std::string default_registry; ///< "" = npm_default_registry()
  bool offline = false;         ///< caches only (also when config `offline` is true)
  int parallel = 8;             ///< downloads at once
  int retries = -1;             ///< -1 = config `fetch-retries` (npm's default 2)
};

/// Where a tarball came from.
enum class TarballSource : uint8_t { lockcut_cache, npm_cache, registry };

/// "lockcut-cache", "npm-cache" or "registry".
std::string_view source_name(TarballSource source);

/// A verified tarball on disk.
struct FetchedTarball {
  std::string path;     ///< the .tgz (in lockcut's store or npm's cache: read it, do not move it)
  TarballSource source;
  std::string url;      ///< what was (or would have been) downloaded
};

/// Fetches every request; results are in request order. All or nothing:
/// the first failure is returned, naming the package (name@version and
/// location), the URL or file, what failed and what to do. In offline mode
/// the error lists every package that no cache holds.
Result<std::vector<FetchedTarball>> fetch_tarballs(const std::vector<TarballRequest>& requests,
                                                   const FetchOptions& options);

}  // namespace lockcut
