// fetch_test.cc: engine/fetch.cc and engine/tarball_store.cc.
//
// Downloads from tests/registry_server.js on 127.0.0.1: credentials, a
// scoped registry on a second server that must not see the token, corrupt
// bytes, dropped connections, offline mode; the stores in front of it.
#include <gtest/gtest.h>

#include <filesystem>

#include "fetch_support.h"
#include "lockcut/fetch.h"
#include "lockcut/integrity.h"
#include "lockcut/tarball_store.h"
#include "lockcut/unpack.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;

// A registry folder with tarballs, and the options to fetch from it.
class FetchTest : public ::testing::Test {
 protected:
  /// Writes `<registry>/<name>/-/<base>-<version>.tgz`; returns its request.
  TarballRequest publish(const std::string& root, const std::string& name, const std::string& version,
                         std::vector<TarEntry> extra = {}) {
    std::string base = name.substr(name.find('/') == std::string::npos ? 0 : name.find('/') + 1);
    std::string rel = name + "/-/" + base + "-" + version + ".tgz";
    fs::create_directories(fs::path(root + "/" + rel).parent_path());
    extra.insert(extra.begin(), {TarEntry::file, "package/package.json",
                                 R"({"name":")" + name + R"(","version":")" + version + "\"}"});
    make_tarball(root + "/" + rel, extra);
    return {name, version, "", hash_file(root + "/" + rel, HashAlgo::sha512)->to_string(),
            "node_modules/" + name};
  }

  FetchOptions options(const std::string& npmrc) {
    FetchOptions o;
    parse_npmrc("fetch-retry-mintimeout=10\nfetch-retry-maxtimeout=50\n" + npmrc, "/t/.npmrc", o.config);
    o.store_dir = dir / "store";
    o.npm_cache_dir = dir / "npm-cache/_cacache";
    o.default_registry = "https://registry.example.org/";
    return o;
  }

  size_t stored_files() {
    size_t n = 0;
    if (!fs::exists(dir / "store")) return 0;
    for (auto& e : fs::recursive_directory_iterator(dir / "store")) n += e.is_regular_file();
    return n;
  }

  Scratch dir;
  std::string root = dir / "registry";
};

TEST_F(FetchTest, DownloadsVerifiesThenServesFromTheStore) {
  TarballRequest a = publish(root, "a", "1.0.0"), b = publish(root, "@s/b", "2.0.0");
  TarballRequest a2 = a;
  a2.location = "node_modules/x/node_modules/a";
  RegistryServer server(root);
  FetchOptions o = options("registry=" + server.origin() + "/\n");
  auto r = fetch_tarballs({a, b, a2}, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].source, TarballSource::registry);
  EXPECT_EQ((*r)[1].url, server.origin() + "/@s/b/-/b-2.0.0.tgz");
  EXPECT_EQ((*r)[0].path, (*r)[2].path);
  EXPECT_EQ(hash_file((*r)[1].path, HashAlgo::sha512)->to_string(), b.integrity);
  EXPECT_EQ(server.log().size(), 2u);  // `a` once for both locations
  EXPECT_EQ(stored_files(), 2u);       // no temporary left

  auto again = fetch_tarballs({a, b}, o);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].source, TarballSource::lockcut_cache);
  EXPECT_EQ(server.log().size(), 2u);
}

TEST_F(FetchTest, ResolvedOnTheDefaultRegistryIsFetchedFromTheConfiguredOne) {
  TarballRequest a = publish(root, "a", "1.0.0");
  a.resolved = "https://registry.example.org/a/-/a-1.0.0.tgz";
  RegistryServer server(root);
  auto r = fetch_tarballs({a}, options("registry=" + server.origin() + "/\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].url, server.origin() + "/a/-/a-1.0.0.tgz");
}

TEST_F(FetchTest, TokenIsSentOnlyToItsRegistry) {
  Scratch scoped_root;
  TarballRequest a = publish(root, "a", "1.0.0");
  TarballRequest b = publish(scoped_root.path(), "@s/b", "1.0.0");
  RegistryServer main(root, R"("token": "s3cret")");
  RegistryServer scoped(scoped_root.path());
  std::string host = main.origin().substr(7);

  auto denied = fetch_tarballs({a}, options("registry=" + main.origin() + "/\n"));
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message.find("HTTP 401"), std::string::npos) << denied.error().message;
  EXPECT_NE(denied.error().message.find("a@1.0.0 (node_modules/a)"), std::string::npos);
  ASSERT_FALSE(denied.error().hints.empty());
  EXPECT_NE(denied.error().hints[0].find("_authToken"), std::string::npos);
  EXPECT_EQ(stored_files(), 0u);

  ::setenv("LOCKCUT_TEST_TOKEN", "s3cret", 1);
  auto r = fetch_tarballs({a, b}, options("registry=" + main.origin() + "/\n@s:registry=" +
                                          scoped.origin() + "/\n//" + host +
                                          "/:_authToken=${LOCKCUT_TEST_TOKEN}\n"));
  ::unsetenv("LOCKCUT_TEST_TOKEN");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(main.log().back(), "/a/-/a-1.0.0.tgz Bearer s3cret");
  EXPECT_EQ(scoped.log(), std::vector<std::string>{"/@s/b/-/b-1.0.0.tgz -"});
}

TEST_F(FetchTest, CorruptBytesAreRefusedAndNothingIsKept) {
  TarballRequest a = publish(root, "a", "1.0.0");
  RegistryServer server(root, R"("corrupt": ["/a/-/a-1.0.0.tgz"])");
  auto r = fetch_tarballs({a}, options("registry=" + server.origin() + "/\n"));
  ASSERT_FALSE(r);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("integrity check failed for a@1.0.0 (node_modules/a)"), std::string::npos) << m;
  EXPECT_NE(m.find(server.origin() + "/a/-/a-1.0.0.tgz"), std::string::npos) << m;
  EXPECT_NE(m.find(a.integrity), std::string::npos) << m;
  EXPECT_EQ(r.error().hints.size(), 2u);
  EXPECT_EQ(stored_files(), 0u);
  EXPECT_EQ(server.log().size(), 1u);  // a mismatch is not retried
}

TEST_F(FetchTest, DroppedConnectionsAreRetried) {
  TarballRequest a = publish(root, "a", "1.0.0");
  RegistryServer server(root, R"("drop": {"/a/-/a-1.0.0.tgz": 2})");
  auto r = fetch_tarballs({a}, options("registry=" + server.origin() + "/\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server.log().size(), 3u);
}

TEST_F(FetchTest, AlwaysDroppedGivesUpAfterTheRetries) {
  TarballRequest a = publish(root, "a", "1.0.0");
  RegistryServer server(root, R"("drop": {"/a/-/a-1.0.0.tgz": -1})");
  auto r = fetch_tarballs({a}, options("registry=" + server.origin() + "/\nfetch-retries=3\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::system);
  EXPECT_NE(r.error().message.find("(4 attempts)"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.log().size(), 4u);
  EXPECT_EQ(stored_files(), 0u);
}

TEST_F(FetchTest, MissingTarballIsAnError) {
  TarballRequest a = publish(root, "a", "1.0.0");
  a.version = "9.9.9";
  RegistryServer server(root);
  auto r = fetch_tarballs({a}, options("registry=" + server.origin() + "/\n"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("HTTP 404"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.log().size(), 1u);
}

TEST_F(FetchTest, OfflineListsWhatNoCacheHolds) {
  TarballRequest a = publish(root, "a", "1.0.0"), b = publish(root, "b", "1.0.0");
  FetchOptions o = options("registry=http://127.0.0.1:9/\n");
  o.offline = true;
  // `a` is in npm's cache already
  std::string hex = parse_integrity(a.integrity)->hex();
  write_text(o.npm_cache_dir + "/content-v2/sha512/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" +
                 hex.substr(4),
             read_text(root + "/a/-/a-1.0.0.tgz"));
  auto r = fetch_tarballs({a, b}, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("1 package is in no cache"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("b@1.0.0 (node_modules/b)"), std::string::npos);
  EXPECT_NE(r.error().hints[0].find("lockcut fetch"), std::string::npos);

  auto only_a = fetch_tarballs({a}, o);
  ASSERT_TRUE(only_a) << only_a.error().message;
  EXPECT_EQ((*only_a)[0].source, TarballSource::npm_cache);
}

TEST_F(FetchTest, HostileTarballDownloadsButDoesNotUnpack) {
  TarballRequest a = publish(root, "a", "1.0.0", {{TarEntry::file, "package/../../evil", "x"}});
  TarballRequest b = publish(root, "b", "1.0.0", {{TarEntry::symlink, "package/l", "../../../etc"}});
  RegistryServer server(root);
  auto r = fetch_tarballs({a, b}, options("registry=" + server.origin() + "/\n"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(unpack_tarball((*r)[0].path, dir / "a", "a@1.0.0"));
  EXPECT_FALSE(unpack_tarball((*r)[1].path, dir / "b", "b@1.0.0"));
  EXPECT_FALSE(fs::exists(dir / "a"));
  EXPECT_FALSE(fs::exists(dir / "b"));
}

TEST(FetchStore, DamagedEntriesAreDroppedAndWritersCleanUp) {
  Scratch dir;
  TarballStore store(dir / "store");
  Integrity key;
  {
    auto w = store.create(HashAlgo::sha512);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write("bytes", 5));
    key = w->digest();
    auto path = w->commit(key);
    ASSERT_TRUE(path);
    EXPECT_EQ(*path, store.path_for(key));
  }
  EXPECT_EQ(store.find(key), store.path_for(key));
  {
    auto w = store.create(HashAlgo::sha512);
    ASSERT_TRUE(w->write("abandoned", 9));
    EXPECT_TRUE(fs::exists(w->temp_path()));
  }
  EXPECT_TRUE(fs::is_empty(dir / "store/tmp"));
  write_text(store.path_for(key), "rotten");
  EXPECT_FALSE(store.find(key));
  EXPECT_FALSE(fs::exists(store.path_for(key)));
}

}  // namespace
}  // namespace lockcut::test
