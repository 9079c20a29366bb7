// stages_bench.cc: the time of each pipeline stage, per lockfile.
//
//   lockcut_stages_bench PROJECT_DIR... [--benchmark_* flags]
//
// For each project folder (package.json + package-lock.json) it measures
// parse (bytes/s), graph, classify and select (packages/s). Inputs come from
// bench/gen-lockfile.js (run-stages.sh makes 10k, 100k and 500k) or any real
// project. The text is read once; parse re-parses it from memory each time.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lockcut/classify.h"
#include "lockcut/graph.h"
#include "lockcut/lockfile.h"
#include "lockcut/project.h"
#include "lockcut/select.h"

namespace {

using namespace lockcut;

std::unique_ptr<Project> load(const std::string& dir) {
  auto p = load_project(ProjectOptions{dir, {}, true});
  if (!p) {
    std::fprintf(stderr, "%s: %s\n", dir.c_str(), p.error().message.c_str());
    std::exit(2);
  }
  return std::make_unique<Project>(std::move(p).value());
}

void register_project(const std::string& dir) {
  auto project = std::shared_ptr<Project>(load(dir).release());
  std::string text;
  {
    FILE* f = std::fopen(project->lock.path.c_str(), "rb");
    char buf[1 << 16];
    size_t n;
    while (f && (n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    if (f) std::fclose(f);
  }
  const auto packages = static_cast<int64_t>(project->lock.entries.size());
  std::string label = dir.substr(dir.find_last_of('/') + 1);

  benchmark::RegisterBenchmark(("parse/" + label).c_str(), [text, packages](benchmark::State& st) {
    for (auto _ : st) {
      ManifestStore store;
      auto lock = parse_lockfile(simdjson::padded_string(text), "package-lock.json", store);
      benchmark::DoNotOptimize(lock.ok());
    }
    st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(text.size()));
    st.SetItemsProcessed(st.iterations() * packages);
  })->Unit(benchmark::kMillisecond);

  benchmark::RegisterBenchmark(("graph/" + label).c_str(), [project, packages](benchmark::State& st) {
    for (auto _ : st) {
      auto g = build_graph(*project, GraphOptions{});
      benchmark::DoNotOptimize(g.ok());
    }
    st.SetItemsProcessed(st.iterations() * packages);
  })->Unit(benchmark::kMillisecond);

  auto graph = std::make_shared<Graph>(build_graph(*project, GraphOptions{}).value());
  benchmark::RegisterBenchmark(("classify/" + label).c_str(), [graph, packages](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(classify(*graph).flags.data());
    st.SetItemsProcessed(st.iterations() * packages);
  })->Unit(benchmark::kMillisecond);

  auto cls = std::make_shared<Classification>(classify(*graph));
  benchmark::RegisterBenchmark(("select/" + label).c_str(), [graph, cls, packages](benchmark::State& st) {
    SelectOptions so;
    so.target = host_target();
    for (auto _ : st) benchmark::DoNotOptimize(select(*graph, *cls, so).ok());
    st.SetItemsProcessed(st.iterations() * packages);
  })->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  int projects = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) == 0) continue;
    register_project(argv[i]);
    ++projects;
  }
  if (!projects) {
    std::fprintf(stderr, "usage: lockcut_stages_bench PROJECT_DIR... [--benchmark flags]\n");
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
