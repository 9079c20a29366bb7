// provision.cc: fetch and unpack what the target needs and the tree lacks
// (see provision.h).
#include "lockcut/provision.h"

#include <sys/stat.h>

#include <filesystem>

#include <tbb/parallel_for.h>

#include "lockcut/cache_prune.h"
#include "lockcut/integrity.h"
#include "lockcut/tarball_store.h"
#include "lockcut/unpack.h"

namespace lockcut {

namespace {

bool in_node_modules(std::string_view loc) {
  return loc.substr(0, 13) == "node_modules/" || loc.find("/node_modules/") != std::string_view::npos;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::map<std::string, std::string, std::less<>> Provision::sources() const {
  std::map<std::string, std::string, std::less<>> out;
  for (const ProvisionedPackage& p : packages) out.emplace(p.location, p.folder);
  return out;
}

std::vector<NodeId> missing_packages(const Analysis& a) {
  const std::string root = a.project.dir;
  std::vector<NodeId> out;
  for (NodeId id = 1; id < a.graph.size(); ++id) {
    const Node& n = a.graph.node(id);
    if (!a.sel.is_kept(id) || n.is_link() || !a.cls.has(id, kOptional) || !in_node_modules(n.location)) {
      continue;
    }
    if (!is_dir(root + "/" + std::string(n.location))) out.push_back(id);
  }
  return out;
}

Result<Provision> provision(const Analysis& a, const FetchOptions& options) {
  Provision result;
  std::vector<NodeId> missing = missing_packages(a);
  if (missing.empty()) return result;

  FetchOptions fo = options;
  if (fo.store_dir.empty()) fo.store_dir = TarballStore::default_dir();
  if (fo.store_dir.empty()) {
    return user_error("no cache folder for the packages the target needs",
                      {"set HOME or XDG_CACHE_HOME, or pass --cache DIR"});
  }
  std::vector<TarballRequest> requests;
  std::vector<Integrity> keys;
  for (NodeId id : missing) {
    const Node& n = a.graph.node(id);
    std::string what = std::string(n.package_name()) + "@" + std::string(n.version());
    std::string_view sri = n.pkg ? n.pkg->integrity : std::string_view();
    auto integrity = parse_integrity(sri);
    if (!integrity) {
      return user_error(a.graph.lockfile().path + ": " + std::string(n.location) + " (" + what +
                            ") has no integrity, and the target needs it from outside the installed tree",
                        {"lockcut ships no download it cannot verify: run `npm install --package-lock-only` "
                         "to record the integrity, or install the package for the target"});
    }
    keys.push_back(*integrity);
    requests.push_back(TarballRequest{std::string(n.package_name()), std::string(n.version()),
                                      n.pkg ? std::string(n.pkg->resolved) : std::string(),
                                      std::string(sri), std::string(n.location)});
  }
  auto fetched = fetch_tarballs(requests, fo);
  if (!fetched) return fetched.take_error();

  result.packages.resize(missing.size());
  std::vector<std::optional<Error>> errors(missing.size());
  tbb::parallel_for(size_t{0}, missing.size(), [&](size_t i) {
    const TarballRequest& req = requests[i];
    const std::string hex = keys[i].hex();
    std::string folder = fo.store_dir + "/unpacked/" + std::string(algo_name(keys[i].algo)) + "/" +
                         hex.substr(0, 2) + "/" + hex.substr(2);
    // an unpacked folder only ever appears whole (unpack renames it into
    // place), so one that exists is complete
    if (!is_dir(folder)) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(folder).parent_path(), ec);
      Status s = unpack_tarball((*fetched)[i].path, folder, req.name + "@" + req.version);
      if (!s && !is_dir(folder)) errors[i] = s.error();  // else another lockcut unpacked it first
    } else {
      touch_cache_folder(folder);  // used: `lockcut cache --prune-unused` keeps it
    }
    result.packages[i] = ProvisionedPackage{req.location, req.name, req.version, folder,
                                            (*fetched)[i].source, (*fetched)[i].url};
  });
  for (auto& e : errors) {
    if (e) return std::move(*e);
  }
  return result;
}

}  // namespace lockcut
