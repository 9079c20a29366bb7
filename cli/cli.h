// cli.h: what the command files share (private to cli/).
#pragma once

#include <cxxopts.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/copy.h"
#include "lockcut/native_check.h"
#include "lockcut/perf.h"
#include "lockcut/plan.h"
#include "lockcut/plan_cache.h"
#include "lockcut/provision.h"
#include "lockcut/result.h"

namespace lockcut::cli {

/// Exit codes (STYLE.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUser = 1;
inline constexpr int kExitSystem = 2;

/// Prints `lockcut: error: ...` and its hints to stderr; returns the exit code.
int report(const Error& error);
/// Ends the process with `code` once everything is written and committed,
/// without freeing: a large pack's plan and mapped records cost ~13 ms to
/// tear down (45,000 files), a tenth of a warm pack, and the kernel takes
/// them back whole. Flushes stdio first. Sanitizer builds return `code`
/// instead, so the leak check still sees the run.
int exit_committed(int code);
/// Prints `lockcut: warning: ...` to stderr.
void warn(const std::string& message);
/// Prints the --perf table to stderr.
void print_perf(const PerfLog& log);

/// Parses a command's arguments. Prints the help (those option groups) for
/// --help, or the parse error; then returns the exit code to stop with.
std::optional<int> parse_command_line(cxxopts::Options& options, int argc, char** argv,
                                      const std::vector<std::string>& help_groups,
                                      cxxopts::ParseResult& r);

/// Adds the flags every analysing command takes.
void add_analysis_options(cxxopts::Options& options);
/// Reads them back; `dir` is the positional project folder.
AnalysisOptions analysis_options(const cxxopts::ParseResult& r, const std::string& dir);
/// Runs the analysis, printing warnings (stale flags, out-of-sync lockfile).
/// Fails on an out-of-sync lockfile unless --no-sync-check.
Result<std::unique_ptr<Analysis>> run_analysis(const cxxopts::ParseResult& r,
                                               const std::string& dir, PerfLog* perf);
/// The same with the options already made (one function of a monorepo).
Result<std::unique_ptr<Analysis>> run_analysis(const cxxopts::ParseResult& r,
                                               const AnalysisOptions& options, PerfLog* perf);

/// --cache and --offline, for the commands that may fetch (target_io.cc).
void add_fetch_options(cxxopts::Options& options);
/// Reads them back, with the project's npm config (registry, credentials).
FetchOptions fetch_options(const cxxopts::ParseResult& r, const Analysis& analysis);
/// Fetches what the target needs and the tree lacks, saying where it came
/// from on stderr; an empty Provision when nothing is missing.
Result<Provision> provision_for_target(const cxxopts::ParseResult& r, const Analysis& analysis,
                                       PerfLog* perf);
/// Where pack keeps its folder listings (--cache DIR/trees, else the
/// default); "" with --no-cache or --verify, which trust no listing.
std::string tree_cache_dir(const cxxopts::ParseResult& r);
/// An analysis that `pack --functions` shares between its functions, and
/// when its reading began (wall_clock_ns()).
struct SharedAnalysis {
  std::unique_ptr<Analysis> analysis;
  uint64_t read_ns = 0;
};
/// What `pack` writes: the plan, from the analysis the last run kept while
/// everything it came from is unchanged (plan_cache.h), else from a fresh
/// analysis (with what the target lacks fetched), which is then kept for
/// the next run; `analysis_kept` says which. The plan is made with pack's
/// flags (--bin, --layer, --no-own-files; `output` is never read as input;
/// `prefetch`, when given, the listings loaded while the lockfile was
/// read), foreign prebuilds left out (--strip-foreign-prebuilds), and the
/// native check passed (or --allow-native-mismatch); findings go to stderr.
/// `shared`, when given, holds an analysis of the same project with the
/// same options but the workspaces (another function of a monorepo): when
/// an analysis is needed, that one is selected again for these workspaces
/// (reselect()) instead of the lockfile being read again; when it is empty,
/// the analysis made here is left in it.
Result<PackPlan> plan_pack(const cxxopts::ParseResult& r, const AnalysisOptions& options,
                           const std::string& output, PerfLog* perf, TreePrefetch* prefetch,
                           bool& analysis_kept, SharedAnalysis* shared = nullptr);
/// What pack puts before every path: "nodejs" for --layer, else "".
std::string pack_prefix(const cxxopts::ParseResult& r);
/// Where pack keeps what it took from the analysis (--cache DIR/plans, else
/// the default); "" with --no-cache or --verify.
std::string plan_cache_dir(const cxxopts::ParseResult& r);
/// Writes the plan as `kind` ("folder", "zip", "tar") with pack's flags
/// (--link, --force), showing progress on a TTY (cmd_pack.cc).
Result<WriteStats> write_plan(const cxxopts::ParseResult& r, const PackPlan& plan,
                              const std::string& output, const std::string& kind);
/// The analysis' target as the native check needs it (--runtime ceilings).
NativeTarget native_target(const Analysis& analysis);
/// "linux-x64 glibc (nodejs22.x: glibc <= 2.34)".
std::string target_label(const NativeTarget& target);
/// Prints the findings, four lines each; returns how many are errors.
size_t print_findings(const std::vector<NativeFinding>& findings, std::ostream& os);

/// 43120 -> "43,120".
std::string with_commas(uint64_t n);

/// 26538441 -> "25.3 MiB".
std::string mib(uint64_t bytes);

/// JSON string literal for `s`.
std::string json_string(std::string_view s);

/// The commands; argv excludes the command name.
int cmd_ls(int argc, char** argv);
int cmd_why(int argc, char** argv);
int cmd_pack(int argc, char** argv);
/// `pack --functions` / `--each` (cmd_pack_functions.cc), after cmd_pack parsed.
int pack_functions(const cxxopts::ParseResult& r);
int cmd_check(int argc, char** argv);
int cmd_fetch(int argc, char** argv);
int cmd_hash(int argc, char** argv);
int cmd_diff(int argc, char** argv);
int cmd_cache(int argc, char** argv);

}  // namespace lockcut::cli
