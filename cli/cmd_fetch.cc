// cmd_fetch.cc: `lockcut fetch [DIR] --target ...`: fill the caches with
// what the target needs and the installed tree lacks, ahead of an offline
// `pack`; prints one line per package and where it came from.
#include <iostream>

#include "cli.h"

namespace lockcut::cli {

int cmd_fetch(int argc, char** argv) {
  cxxopts::Options o("lockcut fetch",
                     "fetch the packages the target needs and the installed tree lacks into the "
                     "cache, for an offline pack");
  add_analysis_options(o);
  add_fetch_options(o);
  o.add_options("output")
    ("json", "the packages as JSON")
    ("dir", "project folder", cxxopts::value<std::string>()->default_value("."))
    ("h,help", "this help");
  o.positional_help("[DIR]");
  o.parse_positional({"dir"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "output", "selection", "fetch"}, r)) return *stop;
  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  auto a = run_analysis(r, r["dir"].as<std::string>(), &perf);
  if (!a) return report(a.error());
  auto fetched = provision_for_target(r, *a.value(), &perf);
  if (!fetched) return report(fetched.error());
  std::string out = r.count("json") ? "{\"schema\":1,\"packages\":[" : "";
  for (size_t i = 0; i < fetched->packages.size(); ++i) {
    const ProvisionedPackage& p = fetched->packages[i];
    if (r.count("json")) {
      out += std::string(i ? "," : "") + "{\"location\":" + json_string(p.location) + ",\"name\":" +
             json_string(p.name) + ",\"version\":" + json_string(p.version) + ",\"source\":" +
             json_string(source_name(p.source)) + ",\"folder\":" + json_string(p.folder) + "}";
    } else {
      out += p.location + "  " + p.name + "@" + p.version + "  (" + std::string(source_name(p.source)) + ")\n";
    }
  }
  if (r.count("json")) out += "]}\n";
  std::cout << out;
  if (fetched->packages.empty()) std::cerr << "lockcut: the installed tree has every package the target needs\n";
  if (perf.enabled) print_perf(perf);
  return kExitOk;
}

}  // namespace lockcut::cli
