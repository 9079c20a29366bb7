// options.cc: the flags shared by `ls` and `why`, and the warnings every
// analysis prints (stale lockfile flags, a lockfile out of sync).
#include <iostream>

#include "cli.h"

namespace lockcut::cli {

void add_analysis_options(cxxopts::Options& o) {
  o.add_options("selection")
    ("lockfile", "read this lockfile instead of the project's", cxxopts::value<std::string>())
    ("omit", "leave out a dependency type: dev, optional, peer (repeatable; dev is always "
             "left out unless --include=dev)", cxxopts::value<std::vector<std::string>>())
    ("include", "keep a dependency type even if omitted elsewhere (repeatable)",
     cxxopts::value<std::vector<std::string>>())
    ("w,workspace", "only the closure of this workspace, by name or folder (repeatable)",
     cxxopts::value<std::vector<std::string>>())
    ("target", "the machine to pack for: lambda-x64, lambda-arm64, or os-cpu[-libc] "
               "(linux-arm64-musl, darwin-arm64)", cxxopts::value<std::string>())
    ("runtime", "the Lambda runtime: nodejs18.x, nodejs20.x, nodejs22.x (default for lambda "
                "targets), nodejs24.x", cxxopts::value<std::string>())
    ("os", "target os for optional packages (linux, darwin, win32)", cxxopts::value<std::string>())
    ("cpu", "target cpu for optional packages (x64, arm64)", cxxopts::value<std::string>())
    ("libc", "target libc for optional packages (glibc, musl)", cxxopts::value<std::string>())
    ("node-version", "node version for engines checks (default: node --version)",
     cxxopts::value<std::string>())
    ("legacy-peer-deps", "peer dependencies are not edges (as npm's setting)",
     cxxopts::value<bool>()->implicit_value("true"))
    ("no-sync-check", "analyse a lockfile that does not satisfy package.json")
    ("perf", "print the time of each phase to stderr");
}

std::optional<int> parse_command_line(cxxopts::Options& o, int argc, char** argv,
                                      const std::vector<std::string>& help_groups,
                                      cxxopts::ParseResult& r) {
  try {
    r = o.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    return report(user_error(e.what(), {"run `" + o.program() + " --help` for the flags"}));
  }
  if (r.count("help")) {
    std::cout << o.help(help_groups);
    return kExitOk;
  }
  return std::nullopt;
}

AnalysisOptions analysis_options(const cxxopts::ParseResult& r, const std::string& dir) {
  AnalysisOptions a;
  a.dir = dir;
  auto list = [&](const char* k) {
    std::vector<std::string> out;
    if (!r.count(k)) return out;
    for (const auto& v : r[k].as<std::vector<std::string>>()) {
      // `--omit dev,peer` and `--omit dev --omit peer` both work
      std::string item;
      for (char ch : v + ",") {
        if (ch == ',') {
          if (!item.empty()) out.push_back(item);
          item.clear();
        } else {
          item += ch;
        }
      }
    }
    return out;
  };
  if (r.count("lockfile")) a.lockfile = r["lockfile"].as<std::string>();
  a.omit = list("omit");
  a.include = list("include");
  a.workspaces = list("workspace");
  if (r.count("target")) a.target = r["target"].as<std::string>();
  if (r.count("runtime")) a.runtime = r["runtime"].as<std::string>();
  if (r.count("os")) a.os = r["os"].as<std::string>();
  if (r.count("cpu")) a.cpu = r["cpu"].as<std::string>();
  if (r.count("libc")) a.libc = r["libc"].as<std::string>();
  if (r.count("node-version")) a.node_version = r["node-version"].as<std::string>();
  if (r.count("legacy-peer-deps")) a.legacy_peer_deps = r["legacy-peer-deps"].as<bool>() ? 1 : 0;
  return a;
}

Result<std::unique_ptr<Analysis>> run_analysis(const cxxopts::ParseResult& r,
                                               const std::string& dir, PerfLog* perf) {
  return run_analysis(r, analysis_options(r, dir), perf);
}

Result<std::unique_ptr<Analysis>> run_analysis(const cxxopts::ParseResult& r,
                                               const AnalysisOptions& options, PerfLog* perf) {
  auto a = analyze(options, perf);
  if (!a) return a;
  const Analysis& an = *a.value();
  const Graph& g = an.graph;
  if (!an.out_of_sync.empty() && !r.count("no-sync-check")) {
    Error e = user_error("'" + g.lockfile().path + "' does not satisfy package.json: " +
                         std::to_string(an.out_of_sync.size()) +
                         " dependenc" + (an.out_of_sync.size() == 1 ? "y" : "ies") +
                         " of the project would make `npm ci` fail");
    size_t shown = 0;
    for (const auto& p : an.out_of_sync) {
      if (++shown > 5) break;
      std::string who = p.from == kRoot ? "package.json" : std::string(g.node(p.from).location) + "/package.json";
      e.hints.push_back(who + " wants " + p.name + "@\"" + p.spec + "\", " +
                        (p.found.empty() ? "which the lockfile lacks"
                                         : "but the lockfile has " + p.found));
    }
    e.hints.push_back("run `npm install` to update the lockfile, or pass --no-sync-check "
                      "to analyse it as it is");
    return e;
  }
  if (an.cls.stale && !an.cls.stored_recomputed) {
    warn(std::to_string(an.cls.stale) + " package" + (an.cls.stale == 1 ? " has" : "s have") +
         " stale dev/optional/peer flags in '" + g.lockfile().path +
         "': npm ci recomputes them (as lockcut does), `npm ls --package-lock-only` believes "
         "the file");
  }
  for (const auto& n : an.notes) std::cerr << "lockcut: " << n << "\n";
  return a;
}

}  // namespace lockcut::cli
