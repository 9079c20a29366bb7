// cmd_check.cc: `lockcut check [DIR] --target ...`: will the native binaries
// of the production closure load on the target?
//
// The same closure `pack` would write (fetching what the target needs and
// the tree lacks), audited by check_native: one block per finding on
// stdout, a summary on stderr, exit 1 when any finding is an error.
#include <iostream>

#include "cli.h"
#include "lockcut/plan.h"

namespace lockcut::cli {

int cmd_check(int argc, char** argv) {
  cxxopts::Options o("lockcut check",
                     "audit the native binaries of the production closure for the target");
  add_analysis_options(o);
  add_fetch_options(o);
  o.add_options("output")
    ("json", "the findings as JSON")
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
  const Analysis& analysis = *a.value();
  auto fetched = provision_for_target(r, analysis, &perf);
  if (!fetched) return report(fetched.error());
  PlanOptions po;
  po.sources = fetched->sources();
  auto plan = make_plan(analysis, po);
  if (!plan) return report(plan.error());
  NativeTarget target = native_target(analysis);
  std::vector<NativeFinding> findings;
  {
    PhaseTimer t(&perf, "check");
    findings = check_native(*plan, target);
  }
  size_t errors = 0;
  if (r.count("json")) {
    std::string out = "{\"schema\":1,\"target\":{\"os\":" + json_string(target.os) + ",\"cpu\":" +
                      json_string(target.cpu) + ",\"libc\":" + json_string(target.libc) +
                      ",\"glibc\":" + json_string(target.glibc_max) + ",\"glibcxx\":" +
                      json_string(target.glibcxx_max) + ",\"runtime\":" + json_string(target.runtime) +
                      "},\"findings\":[";
    for (size_t i = 0; i < findings.size(); ++i) {
      const NativeFinding& f = findings[i];
      errors += f.severity == Severity::error;
      out += std::string(i ? "," : "") + "{\"severity\":" +
             json_string(f.severity == Severity::error ? "error" : "warning") +
             ",\"package\":" + json_string(f.package) + ",\"location\":" + json_string(f.location) +
             ",\"file\":" + json_string(f.file) + ",\"problem\":" + json_string(f.problem) +
             ",\"hint\":" + json_string(f.hint) + "}";
    }
    out += "]}\n";
    std::cout << out;
  } else {
    errors = print_findings(findings, std::cout);
  }
  std::cerr << "checked " << with_commas(plan->files) << " files of " << plan->packages.size() - 1
            << " packages for " << target_label(target) << ": " << errors << " error"
            << (errors == 1 ? "" : "s") << ", " << findings.size() - errors << " warning"
            << (findings.size() - errors == 1 ? "" : "s") << "\n";
  if (perf.enabled) print_perf(perf);
  return errors ? kExitUser : kExitOk;
}

}  // namespace lockcut::cli
