// registry_test.cc: engine/registry.cc.
//
// Tarball URLs (arborist's replace-registry-host rewrite) and credentials,
// the latter also compared live with npm-registry-fetch's own lib/auth.js.
#include <gtest/gtest.h>

#include <cstdlib>

#include "fetch_support.h"
#include "lockcut/registry.h"

namespace lockcut::test {
namespace {

const std::string kDefault = "https://registry.example.org/";

// npm's global node_modules (asked once: npm takes ~0.5 s to start); "" without npm.
const std::string& npm_root() {
  static const std::string root = [] {
    std::string r = run("npm_config_userconfig=/dev/null npm root -g 2>/dev/null");
    while (!r.empty() && r.back() == '\n') r.pop_back();
    return r;
  }();
  return root;
}

NpmConfig config(const std::string& npmrc) {
  NpmConfig c;
  parse_npmrc(npmrc, "/p/.npmrc", c);
  return c;
}

std::string url(const std::string& npmrc, const std::string& name, const std::string& resolved) {
  NpmConfig c = config(npmrc);
  Result<std::string> u = tarball_url(name, "1.2.3", resolved, RegistryConfig{c, kDefault});
  return u ? *u : "error: " + u.error().message;
}

TEST(Registry, ConstructsTheUrlWithoutResolved) {
  EXPECT_EQ(url("", "a", ""), "https://registry.example.org/a/-/a-1.2.3.tgz");
  EXPECT_EQ(url("registry=https://mirror.example.com/npm", "@s/b", ""),
            "https://mirror.example.com/npm/@s/b/-/b-1.2.3.tgz");
  EXPECT_EQ(url("@s:registry=https://scoped.example.com/\nregistry=https://mirror.example.com/", "@s/b", ""),
            "https://scoped.example.com/@s/b/-/b-1.2.3.tgz");
  EXPECT_EQ(url("@s:registry=https://scoped.example.com/", "@t/b", ""),
            "https://registry.example.org/@t/b/-/b-1.2.3.tgz");
}

TEST(Registry, ResolvedOnTheDefaultRegistryMovesToTheConfiguredOne) {
  std::string resolved = "https://registry.example.org/a/-/a-1.2.3.tgz";
  EXPECT_EQ(url("", "a", resolved), resolved);
  EXPECT_EQ(url("registry=http://127.0.0.1:4873/", "a", resolved), "http://127.0.0.1:4873/a/-/a-1.2.3.tgz");
  EXPECT_EQ(url("registry=https://mirror.example.com/npm/", "a", resolved),
            "https://mirror.example.com/npm/a/-/a-1.2.3.tgz");
  // another host is left alone unless asked
  std::string other = "https://other.example.net/a/-/a-1.2.3.tgz";
  EXPECT_EQ(url("registry=https://mirror.example.com/", "a", other), other);
  EXPECT_EQ(url("registry=https://mirror.example.com/\nreplace-registry-host=always", "a", other),
            "https://mirror.example.com/a/-/a-1.2.3.tgz");
  EXPECT_EQ(url("registry=https://mirror.example.com/\nreplace-registry-host=never", "a", resolved), resolved);
  EXPECT_EQ(url("registry=https://mirror.example.com/\nreplace-registry-host=other.example.net", "a", other),
            "https://mirror.example.com/a/-/a-1.2.3.tgz");
  // a full URL swaps its path prefix for the registry's
  EXPECT_EQ(url("registry=https://mirror.example.com/npm/\n"
                "replace-registry-host=https://other.example.net/old/path",
                "a", "https://other.example.net/old/path/a/-/a-1.2.3.tgz"),
            "https://mirror.example.com/npm/a/-/a-1.2.3.tgz");
}

TEST(Registry, NonRegistryResolvedIsAnError) {
  EXPECT_EQ(url("", "a", "git+ssh://git@example.com/a.git#abc").rfind("error: ", 0), 0u);
  EXPECT_EQ(url("", "a", "file:../a").rfind("error: ", 0), 0u);
}

std::string auth(const std::string& npmrc, const std::string& u, const std::string& name = "a") {
  NpmConfig c = config(npmrc);
  return authorization_for(u, name, RegistryConfig{c, kDefault});
}

TEST(Registry, CredentialsGoOnlyToTheirHost) {
  std::string rc =
      "registry=https://mirror.example.com/npm/\n"
      "//mirror.example.com/npm/:_authToken=T1\n"
      "//mirror.example.com/npm/private/:_authToken=T2\n"
      "//basic.example.com/:username=u\n//basic.example.com/:_password=cGFzcw==\n"
      "//auth.example.com:8443/:_auth=QUJD\n";
  EXPECT_EQ(auth(rc, "https://mirror.example.com/npm/a/-/a-1.tgz"), "Bearer T1");
  EXPECT_EQ(auth(rc, "https://mirror.example.com/npm/private/a/-/a-1.tgz"), "Bearer T2");
  // same host as the registry, another path: the registry's credentials
  EXPECT_EQ(auth(rc, "https://mirror.example.com/files/a.tgz"), "Bearer T1");
  EXPECT_EQ(auth(rc, "https://basic.example.com/a.tgz"), "Basic dTpwYXNz");
  EXPECT_EQ(auth(rc, "https://auth.example.com:8443/a.tgz"), "Basic QUJD");
  EXPECT_EQ(auth(rc, "https://auth.example.com/a.tgz"), "");
  EXPECT_EQ(auth(rc, "https://elsewhere.example.net/npm/a/-/a-1.tgz"), "");
}

TEST(Registry, TokensComeFromEnvironmentVariables) {
  ::setenv("LOCKCUT_TEST_TOKEN", "from-env", 1);
  EXPECT_EQ(auth("//r.example.com/:_authToken=${LOCKCUT_TEST_TOKEN}\n", "https://r.example.com/a.tgz"),
            "Bearer from-env");
  ::unsetenv("LOCKCUT_TEST_TOKEN");
}

// The same cases through npm-registry-fetch's getAuth, npm's own code.
TEST(Registry, CredentialsMatchNpmRegistryFetch) {
  std::string auth_js = npm_root() + "/npm/node_modules/npm-registry-fetch/lib/auth.js";
  if (read_text(auth_js).empty()) GTEST_SKIP() << "npm's npm-registry-fetch is not installed";
  std::string rc =
      "registry=https://mirror.example.com/npm/\n"
      "@s:registry=https://scoped.example.com/\n"
      "//mirror.example.com/npm/:_authToken=T1\n"
      "//mirror.example.com/npm/private:_authToken=T2\n"
      "//scoped.example.com/:username=u\n//scoped.example.com/:_password=cGFzcw==\n";
  struct Case { std::string url, name; };
  std::vector<Case> cases = {
      {"https://mirror.example.com/npm/a/-/a-1.tgz", "a"},
      {"https://mirror.example.com/npm/private/a/-/a-1.tgz", "a"},
      {"https://mirror.example.com/other/a-1.tgz", "a"},
      {"https://scoped.example.com/@s/b/-/b-1.tgz", "@s/b"},
      {"https://scoped.example.com/@s/b/-/b-1.tgz", "a"},
      {"https://mirror.example.com/npm/@s/b/-/b-1.tgz", "@s/b"},
      {"https://elsewhere.example.net/a-1.tgz", "a"},
  };
  std::string js = "const a=require('" + auth_js + "');const o={" +
                   "registry:'https://mirror.example.com/npm/','@s:registry':'https://scoped.example.com/'," +
                   "'//mirror.example.com/npm/:_authToken':'T1','//mirror.example.com/npm/private:_authToken':'T2'," +
                   "'//scoped.example.com/:username':'u','//scoped.example.com/:_password':'cGFzcw=='};" +
                   "for(const [u,n] of JSON.parse(process.argv[2])){const r=a(u,{...o,spec:n});" +
                   "console.log(r.token?'Bearer '+r.token:r.auth?'Basic '+r.auth:'')}";
  std::string list = "[";
  for (const Case& c : cases) list += (list.size() > 1 ? "," : "") + ("[\"" + c.url + "\",\"" + c.name + "\"]");
  list += "]";
  Scratch dir;
  write_text(dir / "auth.js", js);
  std::string out = run("node '" + (dir / "auth.js") + "' '" + list + "'");
  for (const Case& c : cases) {
    size_t nl = out.find('\n');
    ASSERT_NE(nl, std::string::npos) << out;
    EXPECT_EQ(auth(rc, c.url, c.name), out.substr(0, nl)) << c.url << " for " << c.name;
    out.erase(0, nl + 1);
  }
}

// The default registry is whatever npm's own definitions say, read from its
// install rather than written into lockcut.
TEST(Registry, DefaultRegistryIsReadFromNpmsInstall) {
  std::string defs = npm_root() + "/npm/node_modules/@npmcli/config/lib/definitions";
  if (npm_root().empty()) GTEST_SKIP() << "npm is not installed";
  std::string expected = run("node -e \"console.log(require('" + defs +
                             "').definitions.registry.default)\" 2>/dev/null");
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(npm_default_registry(), expected);
}

}  // namespace
}  // namespace lockcut::test
