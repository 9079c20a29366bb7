// target_io.cc: what `pack`, `check` and `fetch` share for a target: the
// cache and network flags, fetching what the tree lacks, the plan checked
// for the target, and printing the native binary check.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "lockcut/file_time.h"
#include "lockcut/npm_config.h"
#include "lockcut/plan.h"
#include "lockcut/plan_cache.h"
#include "lockcut/tree_cache.h"

namespace lockcut::cli {

void add_fetch_options(cxxopts::Options& o) {
  o.add_options("fetch")
    ("cache", "lockcut's cache: verified tarballs, and for pack zip entries and folder "
              "listings (default: $XDG_CACHE_HOME/lockcut or ~/.cache/lockcut)",
     cxxopts::value<std::string>())
    ("offline", "no network: take what the target needs from npm's and lockcut's caches only");
}

FetchOptions fetch_options(const cxxopts::ParseResult& r, const Analysis& analysis) {
  FetchOptions fo;
  fo.config = load_npm_config(NpmConfigSources{analysis.project.dir, {}, true});
  if (r.count("cache")) fo.store_dir = r["cache"].as<std::string>();
  fo.offline = r.count("offline") > 0 || fo.config.flag("offline").value_or(false);
  return fo;
}

Result<Provision> provision_for_target(const cxxopts::ParseResult& r, const Analysis& analysis,
                                       PerfLog* perf) {
  if (missing_packages(analysis).empty()) return Provision{};
  PhaseTimer t(perf, "fetch");
  auto p = provision(analysis, fetch_options(r, analysis));
  if (!p) return p;
  size_t from[3] = {0, 0, 0};
  for (const ProvisionedPackage& pkg : p->packages) ++from[size_t(pkg.source)];
  std::string where;
  for (TarballSource s : {TarballSource::lockcut_cache, TarballSource::npm_cache, TarballSource::registry}) {
    if (!from[size_t(s)]) continue;
    where += (where.empty() ? "" : ", ") + std::to_string(from[size_t(s)]) + " from " +
             std::string(source_name(s));
  }
  std::cerr << "lockcut: " << p->packages.size() << " package" << (p->packages.size() == 1 ? "" : "s")
            << " the target needs " << (p->packages.size() == 1 ? "is" : "are")
            << " not installed: taken from their tarballs (" << where << ")\n";
  return p;
}

NativeTarget native_target(const Analysis& analysis) {
  NativeTarget t;
  const Target& sel = analysis.select_options.target;
  t.os = sel.os;
  t.cpu = sel.cpu;
  t.libc = sel.os == "linux" ? sel.libc : "";
  if (const LambdaRuntime* rt = analysis.target.runtime) {
    t.glibc_max = std::string(rt->glibc);
    t.glibcxx_max = std::string(rt->glibcxx);
    t.runtime = std::string(rt->id);
  }
  return t;
}

std::string target_label(const NativeTarget& t) {
  std::string s = t.os + "-" + t.cpu + (t.libc.empty() ? "" : " " + t.libc);
  if (!t.runtime.empty()) s += " (" + t.runtime + ": glibc <= " + t.glibc_max + ")";
  return s;
}

size_t print_findings(const std::vector<NativeFinding>& findings, std::ostream& os) {
  size_t errors = 0;
  for (const NativeFinding& f : findings) {
    bool error = f.severity == Severity::error;
    errors += error;
    os << (error ? "error" : "warning") << ": " << f.file << "\n"
       << "  package: " << (f.package.empty() ? "(the project's own files)" : f.package)
       << (f.location.empty() ? "" : "  " + f.location) << "\n"
       << "  problem: " << f.problem << "\n"
       << "  fix:     " << f.hint << "\n";
  }
  return errors;
}

std::string tree_cache_dir(const cxxopts::ParseResult& r) {
  // the last run's listings of the package folders, unless no cache is trusted
  if (r.count("no-cache") || r.count("verify")) return "";
  return r.count("cache") ? r["cache"].as<std::string>() + "/trees" : TreeCache::default_dir();
}

std::string plan_cache_dir(const cxxopts::ParseResult& r) {
  // kept with the listings: the same flags turn both off
  if (r.count("no-cache") || r.count("verify")) return "";
  return r.count("cache") ? r["cache"].as<std::string>() + "/plans" : PlanCache::default_dir();
}

std::string pack_prefix(const cxxopts::ParseResult& r) { return r.count("layer") ? "nodejs" : ""; }

namespace {

PlanOptions plan_options(const cxxopts::ParseResult& r, const std::string& output,
                         bool workspaces, TreePrefetch* prefetch) {
  PlanOptions po;
  po.bin = r.count("bin") > 0;
  po.own_files = !r.count("no-own-files") && !r.count("layer") && !workspaces;
  po.prefix = pack_prefix(r);
  if (!output.empty()) po.output = std::filesystem::absolute(output).lexically_normal().string();
  while (po.output.size() > 1 && po.output.back() == '/') po.output.pop_back();
  po.tree_cache = tree_cache_dir(r);
  po.prefetch = prefetch;
  return po;
}

Result<PackPlan> timed_plan(Placement placement, const PlanOptions& po, PerfLog* perf) {
  PhaseTimer t(perf, "plan");
  return make_plan(std::move(placement), po);
}

// A plan made: its notes said, foreign prebuilds left out and the native
// binaries checked; findings go to stderr.
Result<PackPlan> checked_plan(const cxxopts::ParseResult& r, Result<PackPlan> plan,
                              const NativeTarget& target, PerfLog* perf) {
  if (!plan) return plan;
  for (const std::string& note : plan->notes) warn(note);

  // the binaries must load where the package will run
  if (r.count("strip-foreign-prebuilds")) {
    size_t dropped = remove_entries(*plan, [&](const PlanEntry& e) { return is_foreign_prebuild(e.dest, target); });
    if (dropped) std::cerr << "lockcut: left out " << dropped << " files of prebuilds for other platforms\n";
  }
  PhaseTimer t(perf, "check");
  std::vector<NativeFinding> findings = check_native(*plan, target);
  size_t errors = print_findings(findings, std::cerr);
  if (errors && !r.count("allow-native-mismatch")) {
    return user_error(std::to_string(errors) + " native binar" + (errors == 1 ? "y" : "ies") +
                          " will not load on " + target_label(target) + " (listed above)",
                      {"fix what each finding says, or pass --allow-native-mismatch to pack anyway",
                       "`lockcut check` prints the same list without packing"});
  }
  return plan;
}

Result<PackPlan> plan_for_pack(const cxxopts::ParseResult& r, const Analysis& analysis,
                               const std::string& output, PerfLog* perf,
                               TreePrefetch* prefetch, const PlanCache* keep, uint64_t read_ns) {
  PlanOptions po = plan_options(r, output, !analysis.select_options.workspaces.empty(), prefetch);
  auto fetched = provision_for_target(r, analysis, perf);
  if (!fetched) return fetched.take_error();
  po.sources = fetched->sources();
  PackInput input{place_packages(analysis, po), native_target(analysis)};
  Result<PackPlan> plan = checked_plan(r, timed_plan(input.placement, po, perf), input.target, perf);
  // what came from tarballs depends on more than the lockfile: not kept
  if (plan && keep && po.sources.empty()) {
    if (Status s = keep->store(input, analysis, read_ns); !s) {
      warn("the analysis was not kept for the next run: " + s.error().message);
    }
  }
  return plan;
}

std::optional<Result<PackPlan>> plan_from_kept(const cxxopts::ParseResult& r, PackInput kept,
                                               bool workspaces, const std::string& output,
                                               PerfLog* perf, TreePrefetch* prefetch) {
  Result<PackPlan> plan =
      timed_plan(std::move(kept.placement), plan_options(r, output, workspaces, prefetch), perf);
  // a package gone or changed since: the analysis says what to do (it may
  // fetch what the target lacks, or it names what differs)
  if (!plan) return std::nullopt;
  return checked_plan(r, std::move(plan), kept.target, perf);
}

// What a kept analysis depends on besides its files and its options
// (PlanCache adds those): this build of lockcut, which may analyse
// differently from the last, the folder it runs in (relative paths), and
// the prefix place_packages() puts before every package. The rest of the
// command line (the output, --json, --bin...) only acts on the plan, which
// is made anew each run. "" when the build cannot be told apart: nothing
// is kept then.
std::string plan_key(const cxxopts::ParseResult& r) {
  struct stat st;
  char cwd[4096];
  if (::stat("/proc/self/exe", &st) != 0 || !::getcwd(cwd, sizeof cwd)) return "";
  return "build " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(timespec_ns(st.st_mtim)) + " " + std::to_string(timespec_ns(st.st_ctim)) +
         "\ncwd " + cwd + "\nprefix " + pack_prefix(r);
}

}  // namespace

Result<PackPlan> plan_pack(const cxxopts::ParseResult& r, const AnalysisOptions& ao,
                           const std::string& output, PerfLog* perf, TreePrefetch* prefetch,
                           bool& analysis_kept, SharedAnalysis* shared) {
  analysis_kept = false;
  // the last run's answer while its lockfile and package.json files are
  // unchanged, else the analysis (which keeps its answer for the next run)
  std::optional<PlanCache> plans;
  if (std::string dir = plan_cache_dir(r), key = plan_key(r); !dir.empty() && !key.empty()) {
    plans.emplace(dir, key, ao);
    std::optional<PackInput> kept = [&] {
      PhaseTimer t(perf, "kept analysis");
      return plans->load();
    }();
    if (kept) {
      auto plan = plan_from_kept(r, std::move(*kept), !ao.workspaces.empty(), output, perf, prefetch);
      if (plan) {
        analysis_kept = true;
        return std::move(*plan);
      }
    }
  }
  const PlanCache* keep = plans ? &*plans : nullptr;
  if (shared && shared->analysis) {
    if (Status s = reselect(*shared->analysis, ao.workspaces, perf); !s) return s.take_error();
    return plan_for_pack(r, *shared->analysis, output, perf, prefetch, keep, shared->read_ns);
  }
  const uint64_t read_ns = wall_clock_ns();
  auto a = run_analysis(r, ao, perf);
  if (!a) return a.take_error();
  auto plan = plan_for_pack(r, *a.value(), output, perf, prefetch, keep, read_ns);
  if (shared) *shared = SharedAnalysis{std::move(a).value(), read_ns};
  return plan;
}

}  // namespace lockcut::cli
