// test_project.cc: throwaway npm projects for unit tests (see test_project.h).
#include "test_project.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace lockcut::test {

TestProject::TestProject(const ProjectFiles& files) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lockcut-unit-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  dir_ = tmpl;
  if (!files.package_json.empty()) write("package.json", files.package_json);
  if (!files.package_lock.empty()) write("package-lock.json", files.package_lock);
  if (!files.shrinkwrap.empty()) write("npm-shrinkwrap.json", files.shrinkwrap);
  if (!files.npmrc.empty()) write(".npmrc", files.npmrc);
  for (const auto& [rel, content] : files.files) write(rel, content);
}

TestProject::~TestProject() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TestProject::write(const std::string& rel, const std::string& content) const {
  std::filesystem::path p = std::filesystem::path(dir_) / rel;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

AnalysisOptions fixed_options() {
  AnalysisOptions o;
  o.read_npm_config = false;
  o.os = "linux";
  o.cpu = "x64";
  o.libc = "glibc";
  o.node_version = "20.20.2";
  o.legacy_peer_deps = 0;
  return o;
}

Result<std::unique_ptr<Analysis>> analyze_project(const std::string& dir,
                                                  AnalysisOptions options) {
  options.dir = dir;
  return analyze(options);
}

std::vector<std::string> kept(const Analysis& a) {
  std::vector<std::string> out;
  for (NodeId id = 1; id < a.graph.size(); ++id) {
    if (a.sel.is_kept(id)) out.emplace_back(a.graph.node(id).location);
  }
  std::sort(out.begin(), out.end());
  return out;
}

NodeId node_at(const Graph& g, std::string_view location) {
  NodeId id = g.find(location);
  EXPECT_NE(id, kNoNode) << "no node at '" << location << "'";
  return id;
}

std::string flag_words(uint8_t flags) {
  static constexpr std::pair<DepFlag, const char*> kWords[] = {
      {kDev, "dev"},   {kOptional, "optional"},     {kDevOptional, "devOptional"},
      {kPeer, "peer"}, {kExtraneous, "extraneous"},
  };
  std::string out;
  for (const auto& [bit, word] : kWords) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::string flags_at(const Analysis& a, std::string_view location) {
  NodeId id = a.graph.find(location);
  if (id == kNoNode) return "(no node at " + std::string(location) + ")";
  return flag_words(a.cls.flags[id]);
}

std::string lock_v3(const std::string& packages_body) {
  return R"({"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{)" +
         packages_body + "}}";
}

}  // namespace lockcut::test
