// cmd_pack_functions.cc: `lockcut pack --functions [--config FILE]` and `lockcut
// pack -w A -w B --each --zip 'dist/{name}.zip'`: several functions of a
// monorepo in one run, optionally with the packages they all need in one
// shared Lambda layer (functions.h).
#include <filesystem>
#include <iostream>

#include "cli.h"
#include "lockcut/archive.h"
#include "lockcut/functions.h"
#include "lockcut/output.h"
#include "lockcut/tree_cache.h"

namespace lockcut::cli {

namespace {

// `@acme/thumbnail-fn` -> `thumbnail-fn`; a folder -> its last part
std::string short_name(std::string_view workspace) {
  while (!workspace.empty() && workspace.back() == '/') workspace.remove_suffix(1);
  size_t slash = workspace.rfind('/');
  return std::string(slash == std::string_view::npos ? workspace : workspace.substr(slash + 1));
}

Result<FunctionsConfig> functions_from_flags(const cxxopts::ParseResult& r, const std::string& dir) {
  FunctionsConfig config;
  if (r.count("functions") || r.count("config")) {
    auto c = load_functions_config(dir, r.count("config") ? r["config"].as<std::string>() : "");
    if (!c) return c;
    config = std::move(c).value();
    // paths in the file are relative to the project
    for (FunctionSpec& f : config.functions) {
      if (!std::filesystem::path(f.output).is_absolute()) f.output = dir + "/" + f.output;
    }
    if (!config.layer.empty() && !std::filesystem::path(config.layer).is_absolute()) {
      config.layer = dir + "/" + config.layer;
    }
  } else {
    std::string output, kind;
    if (r.count("out")) output = r["out"].as<std::string>(), kind = "folder";
    if (r.count("zip")) output = r["zip"].as<std::string>(), kind = "zip";
    if (r.count("tar")) output = r["tar"].as<std::string>(), kind = "tar";
    if (!r.count("workspace") || output.find("{name}") == std::string::npos) {
      return user_error("--each needs --workspace for each function and an output path with {name}",
                        {"lockcut pack -w @acme/a -w @acme/b --each --zip 'dist/{name}.zip'"});
    }
    for (const std::string& ws : analysis_options(r, dir).workspaces) {
      std::string path = output;
      path.replace(path.find("{name}"), 6, short_name(ws));
      config.functions.push_back(FunctionSpec{ws, path, kind});
    }
    config.origin = "--each";
  }
  if (r.count("layer-shared")) config.layer = r["layer-shared"].as<std::string>();
  return config;
}

}  // namespace

int pack_functions(const cxxopts::ParseResult& r) {
  const std::string dir = r["dir"].as<std::string>();
  auto config = functions_from_flags(r, dir);
  if (!config) return report(config.error());
  bool dry = r.count("dry-run") > 0, force = r.count("force") > 0;
  if (!dry) {
    for (const FunctionSpec& f : config->functions) {
      if (Status s = check_output(f.output, force); !s) return report(s.error());
      if (f.kind == "tar") {
        if (Status s = check_tar_support(); !s) return report(s.error());
      }
    }
    if (!config->layer.empty()) {
      if (Status s = check_output(config->layer, force); !s) return report(s.error());
    }
  }

  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  // the functions share one project, so one snapshot of its folders, checked
  // once while the first lockfile read runs
  TreePrefetch prefetch(tree_cache_dir(r), dir);
  // each function's analysis is kept for the next run, as a single pack's;
  // the functions that need one share one reading of the lockfile
  std::vector<PackPlan> plans;
  std::vector<bool> kept;
  SharedAnalysis shared;
  for (const FunctionSpec& f : config->functions) {
    AnalysisOptions ao = analysis_options(r, dir);
    ao.workspaces = {f.workspace};
    bool analysis_kept = false;
    auto plan = plan_pack(r, ao, f.output, &perf, &prefetch, analysis_kept, &shared);
    if (!plan) return report(plan.error());
    plans.push_back(std::move(plan).value());
    kept.push_back(analysis_kept);
  }
  std::vector<PackPlan*> pointers;
  for (PackPlan& p : plans) pointers.push_back(&p);
  PackPlan layer;
  if (!config->layer.empty()) layer = split_shared_layer(pointers);

  auto shipped = [](const PackPlan& p) {
    size_t n = 0;
    for (size_t i = 1; i < p.packages.size(); ++i) n += p.packages[i].files > 0;
    return n;
  };
  struct Written {
    std::string what, output;
    const PackPlan* plan;
    std::string kind;
  };
  std::vector<Written> outputs;
  for (size_t i = 0; i < plans.size(); ++i) {
    const FunctionSpec& f = config->functions[i];
    outputs.push_back({f.workspace, f.output, &plans[i], f.kind});
  }
  if (!config->layer.empty()) outputs.push_back({"shared layer", config->layer, &layer, "zip"});

  std::string json = "{\"schema\":1,\"functions\":[";
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Written& w = outputs[i];
    if (interrupt_flag().load()) return report(interrupted_error());
    uint64_t out_bytes = 0;
    if (!dry) {
      auto stats = write_plan(r, *w.plan, w.output, w.kind);
      if (!stats) return report(stats.error());
      out_bytes = stats->output_bytes;
    }
    std::cerr << (dry ? "would pack " : "packed ") << w.what << ": " << with_commas(shipped(*w.plan))
              << " packages, " << with_commas(w.plan->files) << " files (" << mib(w.plan->bytes)
              << ") into " << w.output << (dry || w.kind == "folder" ? "" : " (" + mib(out_bytes) + ")")
              << "\n";
    json += std::string(i ? "," : "") + "{\"name\":" + json_string(w.what) + ",\"output\":" +
            json_string(w.output) + ",\"format\":" + json_string(w.kind) + ",\"layer\":" +
            (i + 1 == outputs.size() && !config->layer.empty() ? "true" : "false") +
            ",\"packages\":" + std::to_string(shipped(*w.plan)) + ",\"files\":" +
            std::to_string(w.plan->files) + ",\"bytes\":" + std::to_string(w.plan->bytes) +
            ",\"outputBytes\":" + std::to_string(out_bytes) +
            (i < kept.size() ? std::string(",\"analysisKept\":") + (kept[i] ? "true" : "false") : "") +
            "}";
  }
  json += "]}\n";
  if (r.count("json")) std::cout << json;
  if (perf.enabled) print_perf(perf);
  return kExitOk;
}

}  // namespace lockcut::cli
