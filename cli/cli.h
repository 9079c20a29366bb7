// cli.h: what the command files share (private to cli/).
#pragma once

#include <cxxopts.hpp>
#include <string>
#include <vector>

#include "lockcut/analysis.h"
#include "lockcut/perf.h"
#include "lockcut/result.h"

namespace lockcut::cli {

/// Exit codes (STYLE.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUser = 1;
inline constexpr int kExitSystem = 2;

/// Prints `lockcut: error: ...` and its hints to stderr; returns the exit code.
int report(const Error& error);
/// Prints `lockcut: warning: ...` to stderr.
void warn(const std::string& message);
/// Prints the --perf table to stderr.
void print_perf(const PerfLog& log);

/// Adds the flags every analysing command takes.
void add_analysis_options(cxxopts::Options& options);
/// Reads them back; `dir` is the positional project folder.
AnalysisOptions analysis_options(const cxxopts::ParseResult& r, const std::string& dir);
/// Runs the analysis, printing warnings (stale flags, out-of-sync lockfile).
/// Fails on an out-of-sync lockfile unless --no-sync-check.
Result<std::unique_ptr<Analysis>> run_analysis(const cxxopts::ParseResult& r,
                                               const std::string& dir, PerfLog* perf);

/// JSON string literal for `s`.
std::string json_string(std::string_view s);

/// The commands; argv excludes the command name.
int cmd_ls(int argc, char** argv);
int cmd_why(int argc, char** argv);
int cmd_pack(int argc, char** argv);

}  // namespace lockcut::cli
