// provision.h: the packages a target needs that the installed tree lacks.
//
// A tree installed on a Mac holds sharp's darwin binaries and none of
// linux's: for `--target lambda-x64` the selection keeps
// @img/sharp-linux-x64, which is not on disk. Those packages (kept,
// optional, folder missing) are fetched as verified tarballs (fetch.h: npm's
// cache, lockcut's cache, the registry) and unpacked once into lockcut's
// cache, `<store>/unpacked/<algo>/<hex[0:2]>/<hex[2:]>`, keyed by the
// lockfile's integrity; the plan then reads them from there
// (PlanOptions::sources). A missing package that is not optional means the
// tree is out of date, which the plan reports as such.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/fetch.h"
#include "lockcut/result.h"

namespace lockcut {

/// One package taken from outside the installed tree.
struct ProvisionedPackage {
  std::string location, name, version;
  std::string folder;  ///< the unpacked package
  TarballSource source;
  std::string url;
};

/// What provision() found.
struct Provision {
  std::vector<ProvisionedPackage> packages;  ///< by location
  /// location -> folder, for PlanOptions::sources.
  std::map<std::string, std::string, std::less<>> sources() const;
};

/// Kept optional packages whose folder the installed tree lacks.
std::vector<NodeId> missing_packages(const Analysis& analysis);

/// Fetches and unpacks missing_packages(). `options.store_dir` empty means
/// TarballStore::default_dir(). Errors name the package and what to do; an
/// entry without `integrity` is refused (nothing unverified is shipped).
Result<Provision> provision(const Analysis& analysis, const FetchOptions& options);

}  // namespace lockcut
