// npm_cache_test.cc: engine/npm_cache.cc.
//
// npm itself fills a throwaway cache (`npm cache add --cache DIR`, HOME and
// the user config isolated), from a local tarball and from the local
// registry, and lockcut must find what npm stored; index buckets with torn
// or deleted lines are written by hand.
#include <gtest/gtest.h>

#include "fetch_support.h"
#include "lockcut/fetch.h"
#include "lockcut/npm_cache.h"

namespace lockcut::test {
namespace {

// npm with nothing of the user's: HOME, the user config and the cache are ours.
std::string npm(const Scratch& dir, const std::string& args) {
  int status = 0;
  std::string out = run("cd '" + dir.path() + "' && HOME='" + dir.path() +
                            "' npm_config_userconfig=/dev/null npm_config_update_notifier=false "
                            "npm " + args + " --cache '" + (dir / "npm-cache") + "' 2>&1",
                        &status);
  EXPECT_EQ(status, 0) << "npm " << args << ": " << out;
  return out;
}

std::string sha_of(const std::string& path, HashAlgo algo) {
  return hash_file(path, algo)->to_string();
}

TEST(NpmCache, FindsWhatNpmCacheAddStored) {
  Scratch dir;
  std::string tgz = dir / "tiny-1.0.0.tgz";
  make_tarball(tgz, {{TarEntry::file, "package/package.json", R"({"name":"tiny","version":"1.0.0"})"},
                     {TarEntry::file, "package/index.js", "module.exports = 1\n"}});
  npm(dir, "cache add '" + tgz + "'");
  std::string cacache = dir / "npm-cache/_cacache";
  std::optional<Integrity> integrity = parse_integrity(sha_of(tgz, HashAlgo::sha512));
  auto hit = find_in_npm_cache(cacache, integrity, "");
  ASSERT_TRUE(hit);
  EXPECT_EQ(read_text(hit->path), read_text(tgz));
  EXPECT_EQ(hit->path.rfind(cacache + "/content-v2/sha512/", 0), 0u);
  // a sha1 digest is not a content path npm wrote, and no URL was given
  EXPECT_FALSE(find_in_npm_cache(cacache, parse_integrity(sha_of(tgz, HashAlgo::sha1)), ""));
  EXPECT_FALSE(find_in_npm_cache(dir / "nowhere", integrity, ""));
}

TEST(NpmCache, FindsADownloadByItsUrlForSha1Entries) {
  Scratch dir;
  make_tarball(dir / "registry/old/-/old-0.1.0.tgz",
               {{TarEntry::file, "package/package.json", R"({"name":"old","version":"0.1.0"})"}});
  RegistryServer server(dir / "registry");
  std::string url = server.origin() + "/old/-/old-0.1.0.tgz";
  npm(dir, "cache add " + url);
  std::string cacache = dir / "npm-cache/_cacache";
  std::string sha1 = sha_of(dir / "registry/old/-/old-0.1.0.tgz", HashAlgo::sha1);
  auto hit = find_in_npm_cache(cacache, parse_integrity(sha1), url);
  ASSERT_TRUE(hit);
  EXPECT_EQ(read_text(hit->path), read_text(dir / "registry/old/-/old-0.1.0.tgz"));
  EXPECT_TRUE(find_in_npm_cache(cacache, std::nullopt, url));
  EXPECT_FALSE(find_in_npm_cache(cacache, std::nullopt, url + "x"));

  // fetch_tarballs takes it from there, verified by sha1, without a request
  size_t requests = server.log().size();
  FetchOptions o;
  o.npm_cache_dir = cacache;
  o.store_dir = dir / "store";
  o.default_registry = "https://registry.example.org/";
  o.offline = true;
  auto r = fetch_tarballs({{"old", "0.1.0", url, sha1, "node_modules/old"}}, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].source, TarballSource::npm_cache);
  EXPECT_EQ(server.log().size(), requests);
}

std::string index_line(const std::string& json, bool valid = true) {
  IntegrityChecker c(HashAlgo::sha1);
  c.update(json.data(), json.size());
  std::string hex = c.finish().hex();
  if (!valid) hex[0] = hex[0] == '0' ? '1' : '0';
  return "\n" + hex + "\t" + json;
}

TEST(NpmCache, IndexBucketsTakeTheLastValidLine) {
  Scratch dir;
  std::string cacache = dir / "_cacache";
  std::string url = "https://registry.example.org/x/-/x-1.0.0.tgz";
  std::string key = "make-fetch-happen:request-cache:" + url;
  IntegrityChecker k(HashAlgo::sha256);
  k.update(key.data(), key.size());
  std::string h = k.finish().hex();
  std::string bucket = cacache + "/index-v5/" + h.substr(0, 2) + "/" + h.substr(2, 2) + "/" + h.substr(4);
  auto content = [&](const std::string& bytes) {
    Integrity i = [&] { IntegrityChecker c(HashAlgo::sha512); c.update(bytes.data(), bytes.size()); return c.finish(); }();
    std::string hex = i.hex();
    write_text(cacache + "/content-v2/sha512/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex.substr(4), bytes);
    return i.to_string();
  };
  std::string one = content("one"), two = content("two"), three = content("three");
  auto entry = [&](const std::string& integrity, const std::string& k2 = "") {
    return R"({"key":")" + (k2.empty() ? key : k2) + R"(","integrity":)" + integrity + R"(,"time":1,"size":3})";
  };
  write_text(bucket, index_line(entry("\"" + one + "\"")) + index_line(entry("\"" + two + "\"")) +
                         index_line(entry("\"" + three + "\""), false) +
                         index_line(entry("\"" + three + "\"", "make-fetch-happen:request-cache:other")) +
                         "\ngarbage line");
  auto hit = find_in_npm_cache(cacache, std::nullopt, url);
  ASSERT_TRUE(hit);
  EXPECT_EQ(read_text(hit->path), "two");
  // a later line with a null integrity deletes the entry
  write_text(bucket, read_text(bucket) + index_line(entry("null")));
  EXPECT_FALSE(find_in_npm_cache(cacache, std::nullopt, url));
}

TEST(NpmCache, CacheFolderComesFromConfig) {
  NpmConfig c;
  parse_npmrc("cache=/somewhere/npm-cache\n", "/p/.npmrc", c);
  EXPECT_EQ(npm_cacache_dir(c), "/somewhere/npm-cache/_cacache");
  parse_npmrc("cache=~/.cache/npm\n", "/p/.npmrc", c);
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  if (!home.empty()) {
    EXPECT_EQ(npm_cacache_dir(c), home + "/.cache/npm/_cacache");
  }
}

}  // namespace
}  // namespace lockcut::test
