// cmd_pack.cc: `lockcut pack [DIR] --out DIR | --zip FILE | --tar FILE`.
//
// Plan, then write: the plan (make_plan) is printed by --dry-run, as a size
// table by package or, with --json, as the documented schema; otherwise it
// is written by write_folder or write_archive. Progress goes to stderr on a
// TTY, one summary line at the end, Lambda's limits as warnings.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <tbb/global_control.h>

#include "cli.h"
#include "lockcut/archive.h"
#include "lockcut/copy.h"
#include "lockcut/entry_cache.h"
#include "lockcut/native_check.h"
#include "lockcut/output.h"
#include "lockcut/plan.h"
#include "lockcut/sync.h"
#include "lockcut/tree_cache.h"

namespace lockcut::cli {

namespace {

const char* type_name(EntryType t) { return t == EntryType::symlink ? "symlink" : "file"; }

std::vector<const PlanPackage*> by_size(const PackPlan& plan) {
  std::vector<const PlanPackage*> ps;
  for (const PlanPackage& p : plan.packages) {
    if (p.files > 0 || &p != &plan.packages[kOwnFiles]) ps.push_back(&p);
  }
  std::stable_sort(ps.begin(), ps.end(), [](const PlanPackage* a, const PlanPackage* b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->dest < b->dest;
  });
  return ps;
}

void print_plan_json(const PackPlan& plan, const std::string& output, const std::string& kind) {
  std::string out;
  out.reserve(plan.entries.size() * 160);
  out += "{\"schema\":1,\"output\":" + json_string(output) + ",\"format\":" + json_string(kind);
  out += ",\"totals\":{\"packages\":" + std::to_string(plan.packages.size() - 1) +
         ",\"files\":" + std::to_string(plan.files) +
         ",\"links\":" + std::to_string(plan.entries.size() - plan.files) +
         ",\"bytes\":" + std::to_string(plan.bytes) + "}";
  out += ",\"packages\":[";
  bool first = true;
  for (const PlanPackage* p : by_size(plan)) {
    out += first ? "" : ",";
    first = false;
    out += "{\"location\":" + json_string(p->location) + ",\"dest\":" + json_string(p->dest) +
           ",\"name\":" + json_string(p->name) + ",\"version\":" + json_string(p->version) +
           ",\"reason\":" + json_string(plan_reason_name(p->reason)) +
           ",\"files\":" + std::to_string(p->files) + ",\"bytes\":" + std::to_string(p->bytes) + "}";
  }
  out += "],\"entries\":[";
  first = true;
  for (const PlanEntry& e : plan.entries) {
    out += first ? "" : ",";
    first = false;
    const PlanPackage& p = plan.packages[e.package];
    out += "{\"path\":" + json_string(e.dest) + ",\"type\":\"" + type_name(e.type) + "\"";
    if (e.type == EntryType::symlink) out += ",\"target\":" + json_string(e.target);
    if (e.has_source()) out += ",\"source\":" + json_string(plan.source_of(e));
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", e.mode);
    out += ",\"size\":" + std::to_string(e.size) + ",\"mode\":\"" + mode + "\"";
    out += ",\"package\":" + json_string(p.location) + ",\"reason\":" +
           json_string(plan_reason_name(p.reason)) + "}";
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void print_plan_text(const PackPlan& plan) {
  std::printf("%12s %8s  %s\n", "size", "files", "package");
  for (const PlanPackage* p : by_size(plan)) {
    std::string what = p->reason == PlanReason::own ? std::string("(project files)")
                       : p->version.empty()         ? p->name
                                                    : p->name + "@" + p->version;
    std::string where = p->reason == PlanReason::own ? "" : "  " + p->dest;
    if (p->reason == PlanReason::link) where += "  (link made a folder)";
    if (p->reason == PlanReason::hidden) where += "  (hidden folder)";
    if (p->reason == PlanReason::fetched) where += "  (fetched for the target)";
    std::printf("%12s %8s  %s%s\n", mib(p->bytes).c_str(), with_commas(p->files).c_str(),
                what.c_str(), where.c_str());
  }
  std::printf("%12s %8s  total: %zu packages, %s links\n", mib(plan.bytes).c_str(),
              with_commas(plan.files).c_str(), plan.packages.size() - 1,
              with_commas(plan.entries.size() - plan.files).c_str());
}

void on_sigint(int) { interrupt_flag().store(true); }

// A progress line on a TTY, from its own thread so workers never print.
class Progress {
 public:
  Progress(uint64_t total, bool on) : total_(total) {
    if (!on) return;
    thread_ = std::thread([this] {
      while (!done_.load()) {
        std::fprintf(stderr, "\rpacking: %s / %s files", with_commas(count.load()).c_str(),
                     with_commas(total_).c_str());
        std::fflush(stderr);
        for (int i = 0; i < 10 && !done_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      std::fprintf(stderr, "\r\033[K");
    });
  }
  ~Progress() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::atomic<uint64_t> count{0};

 private:
  uint64_t total_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

Result<WriteStats> write_plan(const cxxopts::ParseResult& r, const PackPlan& plan,
                              const std::string& output, const std::string& kind) {
  Progress progress(plan.files, ::isatty(2) && !r.count("json"));
  if (kind == "folder") {
    CopyOptions co;
    co.link = r.count("link") > 0;
    co.replace = r.count("force") > 0;
    co.progress = &progress.count;
    return write_folder(plan, output, co);
  }
  ArchiveOptions ao;
  ao.format = kind == "zip" ? ArchiveFormat::zip : ArchiveFormat::tar;
  ao.mtime = archive_mtime_from_env();
  ao.replace = r.count("force") > 0;
  ao.progress = &progress.count;
  if (ao.format == ArchiveFormat::zip && !r.count("no-cache")) {
    ao.entry_cache = r.count("cache") ? r["cache"].as<std::string>() + "/entries" : EntryCache::default_dir();
  }
  ao.verify = r.count("verify") > 0;
  return write_archive(plan, output, ao);
}

int cmd_pack(int argc, char** argv) {
  cxxopts::Options o("lockcut pack",
                     "the production closure, copied from the installed node_modules into a "
                     "folder, a zip or a tar");
  add_analysis_options(o);
  add_fetch_options(o);
  o.add_options("native binaries")
    ("allow-native-mismatch", "pack even when a native binary will not load on the target")
    ("strip-foreign-prebuilds", "leave out prebuilds/<platform>-<arch>/ folders the target never loads");
  o.add_options("output")
    ("out", "write a folder", cxxopts::value<std::string>())
    ("zip", "write a deterministic zip", cxxopts::value<std::string>())
    ("tar", "write a tar (.tar.gz / .tgz: gzip-compressed)", cxxopts::value<std::string>())
    ("layer", "Lambda layer layout: nodejs/node_modules/..., without the project's files")
    ("no-own-files", "ship node_modules only, not the project's own files")
    ("bin", "rebuild node_modules/.bin links for the shipped packages")
    ("link", "hard-link files instead of copying them (--out on the same filesystem)")
    ("force", "replace an existing output (with --sync: update a folder lockcut did not write)")
    ("sync", "--out: update an existing output folder in place, writing only what changed")
    ("no-cache", "read every package folder and compress every file, neither reading nor "
                 "writing the cache of folder listings and zip entries")
    ("verify", "read every package folder, and reuse a cached zip entry only when the file's "
               "content hash matches, not on size and mtime alone")
    ("functions", "pack every function listed in lockcut.json (or package.json's \"lockcut\" "
                  "field) in one run")
    ("config", "with --functions: read the functions from this file", cxxopts::value<std::string>())
    ("each", "one output per --workspace; {name} in the output path is its name without scope")
    ("layer-shared", "with --functions or --each: the packages every function ships go into this "
                     "Lambda layer zip, and out of the functions", cxxopts::value<std::string>())
    ("dry-run", "print the plan (size by package, largest first) and write nothing")
    ("json", "with --dry-run: the whole plan as JSON; else the summary as JSON")
    ("j,jobs", "threads to use (default: all cores)", cxxopts::value<int>())
    ("dir", "project folder", cxxopts::value<std::string>()->default_value("."))
    ("h,help", "this help");
  o.positional_help("[DIR]");
  o.parse_positional({"dir"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "output", "selection", "native binaries", "fetch"}, r)) return *stop;
  if (r.count("functions") || r.count("config") || r.count("each")) {
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    std::signal(SIGXFSZ, SIG_IGN);
    return pack_functions(r);
  }
  if (r.count("layer-shared")) {
    return report(user_error("--layer-shared needs several functions", {"add --functions or --each"}));
  }
  int outputs = int(r.count("out") + r.count("zip") + r.count("tar"));
  bool dry = r.count("dry-run") > 0;
  if (outputs > 1 || (outputs == 0 && !dry)) {
    return report(user_error(outputs ? "give one output: --out, --zip or --tar"
                                     : "no output given",
                             {"lockcut pack --zip dist/function.zip (or --out DIR, --tar FILE, "
                              "--dry-run)"}));
  }
  const bool sync = r.count("sync") > 0;
  if (sync && (!r.count("out") || r.count("link"))) {
    return report(user_error("--sync works only with --out, without --link",
                             {"lockcut pack --out dist/function --sync"}));
  }
  if (r.count("link") && !r.count("out")) {
    return report(user_error("--link works only with --out", {"hard links cannot go into an archive"}));
  }
  std::optional<tbb::global_control> threads;
  if (r.count("jobs")) {
    int jobs = r["jobs"].as<int>();
    if (jobs < 1) return report(user_error("--jobs must be at least 1"));
    threads.emplace(tbb::global_control::max_allowed_parallelism, size_t(jobs));
  }
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);
  // a file size limit must come back as an error from write(2), not kill us
  std::signal(SIGXFSZ, SIG_IGN);

  std::string output, kind;
  if (r.count("out")) output = r["out"].as<std::string>(), kind = "folder";
  if (r.count("zip")) output = r["zip"].as<std::string>(), kind = "zip";
  if (r.count("tar")) output = r["tar"].as<std::string>(), kind = "tar";
  if (!dry && !output.empty()) {
    if (Status s = check_output(output, r.count("force") > 0 || sync); !s) return report(s.error());
    if (kind == "tar") {
      if (Status s = check_tar_support(); !s) return report(s.error());
    }
  }

  auto started = std::chrono::steady_clock::now();
  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  // the listings of the last run, checked against the disk on the core
  // that reading the lockfile leaves idle
  TreePrefetch prefetch(tree_cache_dir(r), r["dir"].as<std::string>());
  const AnalysisOptions ao = analysis_options(r, r["dir"].as<std::string>());
  bool analysis_kept = false;
  Result<PackPlan> plan = plan_pack(r, ao, output, &perf, &prefetch, analysis_kept);
  if (!plan) return report(plan.error());
  if (!ao.workspaces.empty() && !r.count("layer") && !r.count("no-own-files")) {
    std::cerr << "lockcut: note: with --workspace the project's own files are left out; each "
                 "workspace ships as a folder under node_modules\n";
  }
  if (interrupt_flag().load()) return report(interrupted_error());
  if (dry) {
    PhaseTimer t(&perf, "print");
    if (r.count("json")) print_plan_json(*plan, output, kind.empty() ? "none" : kind);
    else print_plan_text(*plan);
    for (const std::string& w : lambda_limit_warnings(plan->bytes, std::nullopt, plan->entries.size())) warn(w);
    if (perf.enabled) print_perf(perf);
    return kExitOk;
  }

  Result<WriteStats> stats = WriteStats{};
  std::optional<SyncStats> synced;
  {
    PhaseTimer t(&perf, "write");
    if (sync) {
      Result<SyncStats> s = sync_folder(*plan, output, SyncOptions{r.count("force") > 0});
      if (!s) return report(s.error());
      synced = *s;
      stats = written(*plan);
    } else {
      stats = write_plan(r, *plan, output, kind);
    }
  }
  if (!stats) return report(stats.error());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<std::string> warnings = lambda_limit_warnings(
      stats->bytes, kind == "zip" ? std::optional<uint64_t>(stats->output_bytes) : std::nullopt,
      plan->entries.size());
  if (stats->cache_damaged) {
    warn(std::to_string(stats->cache_damaged) + " damaged record" +
         (stats->cache_damaged == 1 ? "" : "s") + " in the entry cache: rebuilt from the sources");
  }
  if (stats->bundle_damaged) {
    warn("the entry cache's bundle for this selection was damaged: removed, its records read "
         "one by one, and written again");
  }
  if (!stats->cache_problem.empty()) warn("the entry cache was not updated: " + stats->cache_problem);
  for (const std::string& w : warnings) warn(w);
  if (r.count("json")) {
    std::string out = "{\"schema\":1,\"output\":" + json_string(output) + ",\"format\":" +
                      json_string(kind) + ",\"packages\":" + std::to_string(plan->packages.size() - 1) +
                      ",\"files\":" + std::to_string(stats->files) + ",\"links\":" +
                      std::to_string(stats->links) + ",\"bytes\":" + std::to_string(stats->bytes) +
                      ",\"outputBytes\":" + std::to_string(stats->output_bytes) +
                      ",\"seconds\":" + std::to_string(seconds);
    if (synced) {
      out += ",\"added\":" + std::to_string(synced->added) + ",\"changed\":" +
             std::to_string(synced->changed) + ",\"removed\":" + std::to_string(synced->removed) +
             ",\"unchanged\":" + std::to_string(synced->unchanged);
    }
    if (kind == "zip") {
      out += ",\"filesRead\":" + std::to_string(stats->files_read) +
             ",\"entriesCompressed\":" + std::to_string(stats->entries_compressed) +
             ",\"entriesReused\":" + std::to_string(stats->entries_reused) +
             ",\"recordsBundled\":" + std::to_string(stats->bundle_records);
    }
    out += ",\"analysisKept\":" + std::string(analysis_kept ? "true" : "false");
    out += ",\"foldersWalked\":" + std::to_string(plan->folders_walked) +
           ",\"foldersReused\":" + std::to_string(plan->folders_reused);
    out += ",\"warnings\":[";
    for (size_t i = 0; i < warnings.size(); ++i) out += (i ? "," : "") + json_string(warnings[i]);
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  if (synced) {
    std::cerr << "synced " << output << ": " << with_commas(synced->added) << " added, "
              << with_commas(synced->changed) << " changed, " << with_commas(synced->removed)
              << " removed, " << with_commas(synced->unchanged) << " unchanged\n";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2fs", seconds);
  std::cerr << "packed " << with_commas(plan->packages.size() - 1) << " packages, "
            << with_commas(stats->files) << " files (" << mib(stats->bytes) << ") into " << output
            << (kind == "folder" ? "" : " (" + mib(stats->output_bytes) + ")") << " in " << secs
            << "\n";
  if (perf.enabled) print_perf(perf);
  return exit_committed(kExitOk);
}

}  // namespace lockcut::cli
