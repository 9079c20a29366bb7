// registry.h: where npm downloads a package's tarball from, and with which
// credentials.
//
// The URL is the lockfile's `resolved` when there is one. npm treats a
// `resolved` on its default registry as "the configured registry"
// (`replace-registry-host`, default `npmjs`), so a lockfile written against
// the default registry installs from a mirror when one is configured. With
// no `resolved`, the URL is `<registry>/<name>/-/<basename>-<version>.tgz`,
// using `@scope:registry` for scoped names. Credentials follow
// npm-registry-fetch (lib/auth.js): the `//host/path/:_authToken`,
// `:_auth` or `:username` + `:_password` settings whose key is the longest
// prefix of the URL, or those of the package's registry when the URL is on
// the same host; never anything for another host.
//
// No registry host is built in: the default registry is read from npm's own
// installed config definitions at run time (npm_default_registry), and the
// caller may pass any other.
#pragma once

#include <string>
#include <string_view>

#include "lockcut/npm_config.h"
#include "lockcut/result.h"

namespace lockcut {

/// The registry npm uses when none is configured, read from npm's installed
/// config definitions (found through `npm` on PATH); "" when npm is not
/// installed or its layout is unknown. Read once per process.
std::string npm_default_registry();

/// The registry settings npm derives a tarball's URL and credentials from.
struct RegistryConfig {
  const NpmConfig& config;
  std::string default_registry;  ///< npm_default_registry(), or a test's own
};

/// The registry for package `name`: `@scope:registry` for a scoped name,
/// else `registry`, else the default; ends with '/'. "" when none is known.
std::string registry_for(std::string_view name, const RegistryConfig& registry);

/// The URL npm downloads `name@version` from. An error when `resolved` is
/// not an http(s) URL (a git or file dependency) or no registry is known.
Result<std::string> tarball_url(std::string_view name, std::string_view version,
                                std::string_view resolved, const RegistryConfig& registry);

/// The Authorization header value npm sends with a request for `url`
/// (`Bearer <token>` or `Basic <base64>`), or "" for none.
std::string authorization_for(std::string_view url, std::string_view name,
                              const RegistryConfig& registry);

}  // namespace lockcut
