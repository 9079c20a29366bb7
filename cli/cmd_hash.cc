// cmd_hash.cc: `lockcut hash [DIR]`: one key for what `pack` would ship.
//
// Text: the key alone on stdout, so `key=$(lockcut hash)` works. --json: the
// key and every part it covers (schema in README.md). Takes pack's flags
// that change the output, and decides own files as pack does.
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "lockcut/closure_hash.h"

namespace lockcut::cli {

namespace {

std::string files_json(const std::vector<HashedFile>& files) {
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    out += (i ? ",\n" : "\n") + std::string("{\"path\":") + json_string(files[i].path) +
           ",\"executable\":" + (files[i].executable ? "true" : "false") +
           ",\"sha256\":\"" + files[i].sha256 + "\"}";
  }
  return out + "]";
}

void print_json(const ClosureHash& h) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string out = "{\"schema\":1,\"key\":" + json_string(h.key) +
                    ",\"format\":" + std::to_string(kClosureHashFormat);
  out += ",\"target\":{\"os\":" + json_string(h.os) + ",\"cpu\":" + json_string(h.cpu) +
         ",\"libc\":" + json_string(h.libc) + ",\"runtime\":" + json_string(h.runtime) + "}";
  out += ",\"options\":{\"prefix\":" + json_string(h.options.prefix) +
         ",\"ownFiles\":" + b(h.options.own_files) + ",\"bin\":" + b(h.options.bin) +
         ",\"stripForeignPrebuilds\":" + b(h.options.strip_foreign_prebuilds) + "}";
  out += ",\"packages\":[";
  for (size_t i = 0; i < h.packages.size(); ++i) {
    const HashedPackage& p = h.packages[i];
    out += (i ? ",\n" : "\n") + std::string("{\"location\":") + json_string(p.location) +
           ",\"name\":" + json_string(p.name) + ",\"version\":" + json_string(p.version) + "," +
           json_string(content_kind_name(p.kind)) + ":" +
           (p.kind == ContentKind::files ? files_json(p.files) : json_string(p.content)) + "}";
  }
  out += "],\"ownFiles\":" + files_json(h.own_files) + "}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int cmd_hash(int argc, char** argv) {
  cxxopts::Options o("lockcut hash", "one key for what `lockcut pack` would ship (from the "
                                     "lockfile and the project's files; no node_modules needed)");
  add_analysis_options(o);
  o.add_options("output")
    ("layer", "as pack --layer: nodejs/node_modules/..., without the project's files")
    ("no-own-files", "as pack --no-own-files")
    ("bin", "as pack --bin")
    ("strip-foreign-prebuilds", "as pack --strip-foreign-prebuilds")
    ("json", "the key and every part it covers, as JSON (schema in README.md)")
    ("dir", "project folder", cxxopts::value<std::string>()->default_value("."))
    ("h,help", "this help");
  o.positional_help("[DIR]");
  o.parse_positional({"dir"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "output", "selection"}, r)) return *stop;
  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  auto a = run_analysis(r, r["dir"].as<std::string>(), &perf);
  if (!a) return report(a.error());
  const Analysis& analysis = *a.value();

  HashOptions ho;
  if (r.count("layer")) ho.prefix = "nodejs";
  // the same rule as pack: a workspace ships as a folder under node_modules
  ho.own_files = !r.count("no-own-files") && !r.count("layer") &&
                 analysis.select_options.workspaces.empty();
  ho.bin = r.count("bin") > 0;
  ho.strip_foreign_prebuilds = r.count("strip-foreign-prebuilds") > 0;
  Result<ClosureHash> h = [&] {
    PhaseTimer t(&perf, "hash");
    return closure_hash(analysis, ho);
  }();
  if (!h) return report(h.error());
  if (r.count("json")) print_json(*h);
  else std::printf("%s\n", h->key.c_str());
  if (perf.enabled) print_perf(perf);
  return kExitOk;
}

}  // namespace lockcut::cli
