// npm_cache.cc: cacache lookups (see npm_cache.h).
//
// The layout is cacache's content-v2 / index-v5 (lib/content/path.js,
// lib/entry-index.js). An index bucket is a file of lines
// `<sha1(json)>\t<json>`, appended to on every write: the last line whose
// sha1 matches wins, and an entry whose integrity is null was deleted.
// make-fetch-happen stores responses under `make-fetch-happen:request-cache:
// <url>`, so that is the key of a tarball npm downloaded.
#include "lockcut/npm_cache.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <simdjson.h>

namespace lockcut {

namespace {

std::string segments(const std::string& hex) {
  return hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex.substr(4);
}

std::string digest_hex(std::string_view text, HashAlgo algo) {
  IntegrityChecker c(algo);
  c.update(text.data(), text.size());
  return c.finish().hex();
}

std::optional<NpmCacheHit> content_for(const std::string& cacache, const Integrity& integrity) {
  std::string path = cacache + "/content-v2/" + std::string(algo_name(integrity.algo)) + "/" +
                     segments(integrity.hex());
  if (::access(path.c_str(), R_OK) != 0) return std::nullopt;
  return NpmCacheHit{path, integrity};
}

// The integrity of the last valid entry for `key` in its index bucket.
std::optional<Integrity> index_integrity(const std::string& cacache, const std::string& key) {
  std::ifstream in(cacache + "/index-v5/" + segments(digest_hex(key, HashAlgo::sha256)));
  if (!in) return std::nullopt;
  std::optional<Integrity> found;
  simdjson::ondemand::parser parser;
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string_view json = std::string_view(line).substr(tab + 1);
    // a torn append from a crashed writer fails this check and is skipped
    if (line.compare(0, tab, digest_hex(json, HashAlgo::sha1)) != 0) continue;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object entry;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(entry)) continue;
    std::string_view entry_key, integrity;
    bool has_key = false, deleted = true;
    for (auto field : entry) {
      std::string_view name;
      if (field.unescaped_key().get(name)) break;
      if (name == "key") {
        has_key = !field.value().get_string().get(entry_key);
      } else if (name == "integrity") {
        deleted = field.value().get_string().get(integrity) != simdjson::SUCCESS;
      }
    }
    if (!has_key || entry_key != key) continue;
    found = deleted ? std::nullopt : parse_integrity(integrity);
  }
  return found;
}

}  // namespace

std::string npm_cacache_dir(const NpmConfig& config) {
  const char* home = std::getenv("HOME");
  if (std::optional<std::string> cache = config.get("cache")) {
    // @npmcli/config reads path settings with `~/` as the home folder
    if (cache->starts_with("~/") && home && *home) return home + cache->substr(1) + "/_cacache";
    return *cache + "/_cacache";
  }
  if (home && *home) return std::string(home) + "/.npm/_cacache";
  return {};
}

std::optional<NpmCacheHit> find_in_npm_cache(const std::string& cacache,
                                             const std::optional<Integrity>& integrity,
                                             std::string_view url) {
  if (cacache.empty()) return std::nullopt;
  if (integrity) {
    if (auto hit = content_for(cacache, *integrity)) return hit;
  }
  if (url.empty()) return std::nullopt;
  std::optional<Integrity> indexed =
      index_integrity(cacache, "make-fetch-happen:request-cache:" + std::string(url));
  return indexed ? content_for(cacache, *indexed) : std::nullopt;
}

}  // namespace lockcut
