// npm_cache.h: tarballs already in npm's own cache, read without npm.
//
// npm keeps every tarball it downloaded in cacache (`<cache>/_cacache`):
// the bytes under `content-v2/<algo>/<hex[0:2]>/<hex[2:4]>/<hex[4:]>`, and an
// index bucket per request URL under `index-v5/` that names the content's
// integrity. lockcut goes straight to the content by the lockfile's
// integrity, and falls back to the URL's index entry for old sha1-only or
// integrity-less entries. It only reads: it never writes into npm's cache
// and never takes its locks. A hit is not verified here; the caller hashes
// the bytes it reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lockcut/integrity.h"
#include "lockcut/npm_config.h"

namespace lockcut {

/// npm's cacache folder: `<cache>/_cacache`, where `cache` is the config
/// setting, else `$HOME/.npm`; "" when neither is known.
std::string npm_cacache_dir(const NpmConfig& config);

/// A tarball found in npm's cache (not yet verified).
struct NpmCacheHit {
  std::string path;     ///< the content file
  Integrity integrity;  ///< the digest its path was derived from
};

/// Finds a tarball in the cacache folder `cacache`: by `integrity` when
/// given, else (or when that misses) by the index entry of `url`.
std::optional<NpmCacheHit> find_in_npm_cache(const std::string& cacache,
                                             const std::optional<Integrity>& integrity,
                                             std::string_view url);

}  // namespace lockcut
