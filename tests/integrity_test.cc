// integrity_test.cc: engine/integrity.cc.
//
// Digests are compared with node's crypto and the openssl command, run live
// on the same bytes.
#include <gtest/gtest.h>

#include <string>

#include "fetch_support.h"
#include "lockcut/integrity.h"

namespace lockcut::test {
namespace {

Integrity digest_of(const std::string& bytes, HashAlgo algo) {
  IntegrityChecker c(algo);
  // fed in uneven chunks: a streaming digest must not care
  for (size_t i = 0; i < bytes.size(); i += 7) c.update(bytes.data() + i, std::min<size_t>(7, bytes.size() - i));
  return c.finish();
}

TEST(Integrity, DigestsMatchNodeCrypto) {
  std::string data = "lockcut integrity test: \x01\x02\xff bytes";
  Scratch dir;
  write_text(dir / "data", data);
  std::string sri = run("node -e \"const c=require('crypto'),d=require('fs').readFileSync('" +
                        (dir / "data") + "');for(const a of ['sha1','sha256','sha384','sha512'])"
                        "console.log(a+'-'+c.createHash(a).update(d).digest('base64'))\"");
  std::vector<std::string> lines;
  for (size_t b = 0, e; (e = sri.find('\n', b)) != std::string::npos; b = e + 1) lines.push_back(sri.substr(b, e - b));
  ASSERT_EQ(lines.size(), 4u) << sri;
  HashAlgo algos[] = {HashAlgo::sha1, HashAlgo::sha256, HashAlgo::sha384, HashAlgo::sha512};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(digest_of(data, algos[i]).to_string(), lines[i]);
    std::optional<Integrity> parsed = parse_integrity(lines[i]);
    ASSERT_TRUE(parsed) << lines[i];
    EXPECT_EQ(*parsed, digest_of(data, algos[i]));
    EXPECT_EQ(hash_file(dir / "data", algos[i]).value(), *parsed);
  }
}

TEST(Integrity, HexMatchesOpensslCli) {
  Scratch dir;
  write_text(dir / "data", "cacache content paths are hex");
  std::string out = run("openssl dgst -sha512 -r '" + (dir / "data") + "'");
  std::string hex = out.substr(0, out.find(' '));
  EXPECT_EQ(hash_file(dir / "data", HashAlgo::sha512)->hex(), hex);
  EXPECT_EQ(hex.size(), 128u);
}

TEST(Integrity, PicksTheStrongestOfSeveral) {
  std::string sha1 = digest_of("x", HashAlgo::sha1).to_string();
  std::string sha256 = digest_of("x", HashAlgo::sha256).to_string();
  std::string sha512 = digest_of("x", HashAlgo::sha512).to_string();
  EXPECT_EQ(parse_integrity(sha1 + " " + sha512)->algo, HashAlgo::sha512);
  EXPECT_EQ(parse_integrity(sha512 + "\n  " + sha1)->algo, HashAlgo::sha512);
  EXPECT_EQ(parse_integrity(sha1 + " " + sha256)->algo, HashAlgo::sha256);
  // unknown algorithms and broken parts are skipped, as ssri does
  EXPECT_EQ(parse_integrity("md5-AAAA " + sha1)->algo, HashAlgo::sha1);
  EXPECT_EQ(parse_integrity("sha512-notbase64! " + sha256)->algo, HashAlgo::sha256);
  EXPECT_EQ(parse_integrity("sha512-AAAA " + sha1)->algo, HashAlgo::sha1);  // wrong length
  // SRI options are ignored
  EXPECT_EQ(parse_integrity(sha512 + "?foo")->to_string(), sha512);
}

TEST(Integrity, NothingUsableIsNullopt) {
  EXPECT_FALSE(parse_integrity(""));
  EXPECT_FALSE(parse_integrity("   "));
  EXPECT_FALSE(parse_integrity("md5-1B2M2Y8AsgTpgAmY7PhCfg=="));
  EXPECT_FALSE(parse_integrity("sha512"));
}

TEST(Integrity, Base64RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_FALSE(base64_decode("a*b"));
}

TEST(Integrity, MissingFileIsASystemError) {
  Result<Integrity> r = hash_file("/nonexistent/lockcut/x", HashAlgo::sha512);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::system);
}

}  // namespace
}  // namespace lockcut::test
