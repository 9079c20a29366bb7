// target_preset_test.cc: engine/target_preset.cc, and what a target does to
// a lockfile that records no libc.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "e2e.h"
#include "lockcut/target_preset.h"

namespace lockcut::test {
namespace {

TEST(TargetPreset, LambdaTargetsAreLinuxGlibcWithARuntime) {
  auto x64 = parse_target("lambda-x64", "");
  ASSERT_TRUE(x64.ok());
  EXPECT_EQ(x64.value().os, "linux");
  EXPECT_EQ(x64.value().cpu, "x64");
  EXPECT_EQ(x64.value().libc, "glibc");
  ASSERT_NE(x64.value().runtime, nullptr);
  EXPECT_EQ(x64.value().runtime->id, kDefaultLambdaRuntime);
  EXPECT_EQ(x64.value().node_version(), "22.99.0");

  auto arm = parse_target("lambda-arm64", "nodejs18.x");
  ASSERT_TRUE(arm.ok());
  EXPECT_EQ(arm.value().cpu, "arm64");
  EXPECT_EQ(arm.value().runtime->glibc, "2.26");
  EXPECT_EQ(arm.value().runtime->glibcxx, "3.4.24");
  EXPECT_EQ(find_lambda_runtime("nodejs24.x")->glibc, "2.34");
}

TEST(TargetPreset, NpmSpellings) {
  auto musl = parse_target("linux-arm64-musl", "");
  ASSERT_TRUE(musl.ok());
  EXPECT_EQ(musl.value().libc, "musl");
  EXPECT_EQ(musl.value().runtime, nullptr);
  EXPECT_EQ(musl.value().node_version(), "");
  auto gnu = parse_target("linux-x64", "");
  ASSERT_TRUE(gnu.ok());
  EXPECT_EQ(gnu.value().libc, "glibc");
  auto mac = parse_target("darwin-arm64", "");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(mac.value().os, "darwin");
  EXPECT_EQ(mac.value().libc, "");
  auto runtime_only = parse_target("", "nodejs20.x");
  ASSERT_TRUE(runtime_only.ok());
  EXPECT_EQ(runtime_only.value().os, "linux");
  EXPECT_EQ(runtime_only.value().cpu, "");
}

TEST(TargetPreset, BadValuesSayWhatIsAccepted) {
  for (auto [target, runtime] : {std::pair{"lambda-x86", ""}, {"linux", ""}, {"linux-x64-gnu", ""},
                                 {"darwin-arm64-musl", ""}, {"linux-x64-musl-extra", ""},
                                 {"", "nodejs16.x"}, {"darwin-arm64", "nodejs22.x"}}) {
    auto r = parse_target(target, runtime);
    ASSERT_FALSE(r.ok()) << target << " " << runtime;
    std::string text = r.error().message;
    for (const auto& h : r.error().hints) text += "\n" + h;
    EXPECT_NE(text.find(*target ? target : runtime), std::string::npos) << text;
    EXPECT_NE(text.find("nodejs"), std::string::npos) << text;
  }
}

// A lockfile written before npm 11.11 lists -gnu and -musl twins with
// nothing to tell them apart; npm installs both. With --target lockcut
// keeps only the twin whose name (or installed package.json) fits.
TEST(TargetPreset, LockfileWithoutLibcDropsTheOtherTwin) {
  TempDir tmp;
  std::string lock = read_file(fixtures() + "/cross-platform/package-lock.json");
  for (size_t at; (at = lock.find("\"libc\": [")) != std::string::npos;) {
    size_t end = lock.find(']', at);
    size_t line = lock.rfind('\n', at);
    lock.erase(line, end + 2 - line);  // the field and its trailing comma
  }
  ASSERT_EQ(lock.find("\"libc\""), std::string::npos);
  tmp.write("package-lock.json", lock);
  tmp.write("package.json", read_file(fixtures() + "/cross-platform/package.json"));

  Outcome npm_like = lockcut({"ls", tmp.path(), "--parseable", "--os", "linux", "--cpu", "x64"});
  ASSERT_EQ(npm_like.exit_code, 0) << npm_like.err;
  EXPECT_NE(npm_like.out.find("node_modules/@img/sharp-linuxmusl-x64\n"), std::string::npos);
  EXPECT_NE(npm_like.out.find("node_modules/lightningcss-linux-x64-musl\n"), std::string::npos);

  Outcome lambda = lockcut({"ls", tmp.path(), "--parseable", "--target", "lambda-x64"});
  ASSERT_EQ(lambda.exit_code, 0) << lambda.err;
  EXPECT_EQ(lambda.out.find("musl"), std::string::npos) << lambda.out;
  EXPECT_NE(lambda.out.find("node_modules/@img/sharp-linux-x64\n"), std::string::npos);
  EXPECT_NE(lambda.out.find("node_modules/lightningcss-linux-x64-gnu\n"), std::string::npos);
  EXPECT_NE(lambda.err.find("records no libc"), std::string::npos) << lambda.err;

  // and the same lockfile with libc, read by npm's rules, agrees
  Outcome with_libc = lockcut({"ls", fixtures() + "/cross-platform", "--parseable", "--target", "lambda-x64"});
  ASSERT_EQ(with_libc.exit_code, 0) << with_libc.err;
  auto locations = [](const std::string& out) {
    std::string s;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      size_t nm = line.find("node_modules/");
      if (nm != std::string::npos) s += line.substr(nm) + "\n";
    }
    return s;
  };
  EXPECT_EQ(locations(lambda.out), locations(with_libc.out));
}

}  // namespace
}  // namespace lockcut::test
