// analysis.cc: the pipeline to the selection (see analysis.h).
//
// Settings are resolved here the way npm resolves them, lowest to highest:
// lockcut's default (`--omit=dev`: the production closure), the user's and
// the project's .npmrc, npm_config_* variables, then the command line;
// `include` always wins over `omit` for the same type (npm's buildOmitList).
#include "lockcut/analysis.h"

#include <algorithm>
#include <memory>

#include "lockcut/semver.h"

namespace lockcut {

Result<uint8_t> parse_omit(const std::vector<std::string>& values, const char* flag) {
  uint8_t bits = 0;
  for (const auto& v : values) {
    if (v == "dev") bits |= kOmitDev;
    else if (v == "optional") bits |= kOmitOptional;
    else if (v == "peer") bits |= kOmitPeer;
    else {
      return user_error(std::string("unknown value '") + v + "' for " + flag,
                        {std::string(flag) + " takes dev, optional or peer"});
    }
  }
  return bits;
}

namespace {

void check_sync(Analysis& a) {
  const Graph& g = a.graph;
  std::vector<NodeId> tops{kRoot};
  for (const auto& w : g.workspaces()) {
    NodeId id = g.find(w.location);
    if (id != kNoNode) tops.push_back(id);
  }
  for (NodeId top : tops) {
    for (const auto& m : g.missing()) {
      if (m.from != top) continue;
      const DeclaredDep& d = g.dep(m.dep);
      // npm ci skips missing peerOptional edges (#problemEdges)
      if (d.kind == DepKind::peer_optional) continue;
      a.out_of_sync.push_back(SyncProblem{top, std::string(d.name), std::string(d.spec), {}});
    }
    for (auto e : boost::make_iterator_range(boost::out_edges(top, g.csr()))) {
      const DeclaredDep& d = g.dep(e);
      if (g.edge_valid(e) || d.kind == DepKind::peer_optional) continue;
      // a dist-tag (`latest`) is re-resolved by npm ci against the registry:
      // the lockfile alone cannot tell whether it still holds
      std::string_view spec = d.spec.substr(0, 4) == "npm:" ? d.spec.substr(d.spec.rfind('@') + 1) : d.spec;
      if (!is_valid_range(spec)) continue;
      NodeId to = static_cast<NodeId>(boost::target(e, g.csr()));
      a.out_of_sync.push_back(
          SyncProblem{top, std::string(d.name), std::string(d.spec), std::string(g.node(to).version())});
    }
  }
}

// The select step, with the installed package.json files at hand.
Status run_select(Analysis& a, PerfLog* perf) {
  SelectOptions& so = a.select_options;
  Project* project = &a.project;
  so.installed_manifest = [project](std::string_view location) {
    return project->folder_manifest(location);
  };
  PhaseTimer t(perf, "select");
  auto s = select(a.graph, a.cls, so);
  so.installed_manifest = nullptr;
  if (!s) return s.take_error();
  a.sel = std::move(s).value();
  return Ok{};
}

}  // namespace

std::string settings_fingerprint(const AnalysisOptions& o) {
  std::string s;
  auto add = [&s](std::string_view key, std::string_view value) {
    s += key;
    s += '=';
    s += value;
    s += '\n';
  };
  auto add_list = [&add](std::string_view key, const std::vector<std::string>& values) {
    for (const std::string& v : values) add(key, v);
  };
  add("dir", o.dir);
  add("lockfile", o.lockfile);
  add_list("omit", o.omit);
  add_list("include", o.include);
  add_list("workspace", o.workspaces);
  add("os", o.os);
  add("cpu", o.cpu);
  add("libc", o.libc);
  add("target", o.target);
  add("runtime", o.runtime);
  add("node-version", o.node_version);
  add("legacy-peer-deps", std::to_string(o.legacy_peer_deps));
  add("read", std::to_string(o.read_npm_config) + std::to_string(o.read_disk));
  // all of npm's settings, not only the ones analyze() reads today: a
  // setting it starts to read can never be forgotten here
  if (o.read_npm_config) {
    NpmConfig config = load_npm_config(NpmConfigSources{o.dir, {}, true});
    for (const auto& [key, value] : config.values) add("npm:" + key, value);
    for (const auto& [key, values] : config.lists) add_list("npm[]:" + key, values);
    for (const auto& [key, from] : config.source) add("from:" + key, from);
  }
  Target host = host_target();
  add("host", host.os + "-" + host.cpu + "-" + host.libc);
  return s;
}

Result<std::unique_ptr<Analysis>> analyze(const AnalysisOptions& o, PerfLog* perf) {
  NpmConfig config;
  if (o.read_npm_config) config = load_npm_config(NpmConfigSources{o.dir, {}, true});

  // the graph points into the project: the analysis never moves once built
  auto holder = std::make_unique<Analysis>();
  Analysis& a = *holder;
  auto spec = parse_target(o.target, o.runtime);
  if (!spec) return spec.take_error();
  a.target = std::move(spec).value();
  {
    PhaseTimer t(perf, "load");
    auto p = load_project(ProjectOptions{o.dir, o.lockfile, o.read_disk});
    if (!p) return p.take_error();
    a.project = std::move(p).value();
  }

  a.legacy_peer_deps = o.legacy_peer_deps >= 0 ? o.legacy_peer_deps == 1
                                               : config.flag("legacy-peer-deps").value_or(false);
  if (a.legacy_peer_deps && o.legacy_peer_deps < 0) {
    a.notes.push_back("legacy-peer-deps=true from " + config.source["legacy-peer-deps"]);
  }
  {
    PhaseTimer t(perf, "graph");
    auto g = build_graph(a.project, GraphOptions{a.legacy_peer_deps});
    if (!g) return g.take_error();
    a.graph = std::move(g).value();
  }
  {
    PhaseTimer t(perf, "classify");
    a.cls = classify(a.graph);
  }

  // omit / include
  std::vector<std::string> omit{"dev"}, include;
  // npm ignores an invalid config value (with a warning); so do we
  auto valid = [](const std::string& v) { return v == "dev" || v == "optional" || v == "peer"; };
  for (const auto& v : config.list("omit")) {
    if (valid(v)) omit.push_back(v);
    else a.notes.push_back("ignoring omit=" + v + " from " + config.source["omit"] + " (npm ignores it too)");
  }
  for (const auto& v : config.list("include")) {
    if (valid(v)) include.push_back(v);
    else a.notes.push_back("ignoring include=" + v + " from " + config.source["include"] + " (npm ignores it too)");
  }
  omit.insert(omit.end(), o.omit.begin(), o.omit.end());
  include.insert(include.end(), o.include.begin(), o.include.end());
  auto omit_bits = parse_omit(omit, "--omit");
  if (!omit_bits) return omit_bits.take_error();
  auto include_bits = parse_omit(include, "--include");
  if (!include_bits) return include_bits.take_error();
  SelectOptions& so = a.select_options;
  so.omit = static_cast<uint8_t>(omit_bits.value() & ~include_bits.value());
  so.workspaces = o.workspaces;

  // the target: --os/--cpu/--libc, then --target/--runtime, then npm config
  // (`os`, `cpu`, `libc`), then this machine
  Target host = host_target();
  auto pick = [&](const std::string& flag, const std::string& preset, const char* key,
                  const std::string& fallback) {
    return !flag.empty() ? flag : !preset.empty() ? preset : config.get(key).value_or(fallback);
  };
  so.target.os = pick(o.os, a.target.os, "os", host.os);
  so.target.cpu = pick(o.cpu, a.target.cpu, "cpu", host.cpu);
  so.target.libc = pick(o.libc, a.target.libc, "libc", host_libc(so.target.os));
  // engines matter only for optional packages that declare them: ask node
  // and npm for their versions only then
  bool need_node = false, need_npm = false;
  for (NodeId id = 1; id < a.graph.size(); ++id) {
    if (!a.cls.has(id, kOptional) || !a.graph.node(id).pkg) continue;
    need_node = need_node || !a.graph.node(id).pkg->engines_node.empty();
    need_npm = need_npm || !a.graph.node(id).pkg->engines_npm.empty();
  }
  if (!o.node_version.empty()) {
    so.target.node_version = o.node_version;
  } else if (a.target.runtime) {
    so.target.node_version = a.target.node_version();
  } else if (need_node) {
    std::optional<std::string> configured = config.get("node-version");
    if (!configured) a.detected_node = detect_node_version();
    so.target.node_version = configured ? *configured : *a.detected_node;
  }
  if (!so.target.node_version.empty() && so.target.node_version[0] == 'v') {
    so.target.node_version.erase(0, 1);
  }
  if (need_npm) so.target.npm_version = *(a.detected_npm = detect_npm_version());
  if (!o.target.empty() || !o.runtime.empty()) {
    bool records_libc = false;
    for (NodeId id = 1; id < a.graph.size() && !records_libc; ++id) {
      records_libc = a.graph.node(id).pkg && a.graph.node(id).pkg->has(kFlagHasLibc);
    }
    so.infer_libc = !records_libc;
    if (so.infer_libc) {
      a.notes.push_back("'" + a.graph.lockfile().path + "' records no libc (npm before 11.11): " +
                        "libc of linux packages taken from their package.json or name");
    }
  }
  if (Status s = run_select(a, perf); !s) return s.take_error();
  check_sync(a);
  return holder;
}

Status reselect(Analysis& a, std::vector<std::string> workspaces, PerfLog* perf) {
  a.select_options.workspaces = std::move(workspaces);
  return run_select(a, perf);
}

}  // namespace lockcut
