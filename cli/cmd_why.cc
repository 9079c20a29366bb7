// cmd_why.cc: `lockcut why NAME|LOCATION [DIR]`: why a package is there.
//
// For each instance: name@version and its flags, its location, whether the
// selection keeps it (and if not, the reason), its direct dependents as npm
// explain lists them, and the shortest chains back to the root or a
// workspace with the total number of chains.
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "lockcut/explain.h"

namespace lockcut::cli {

namespace {

std::string label(const Graph& g, NodeId id) {
  if (id == kRoot) return "the root project";
  const Node& n = g.node(id);
  return std::string(n.package_name()) + "@" + std::string(n.version());
}

// npm explain's spelling: `overridden ms@"2.1.3" (was "2.0.0")`
std::string edge_text(const Graph& g, uint32_t dep, bool valid, std::string_view override_spec) {
  const DeclaredDep& d = g.dep(dep);
  std::string s;
  if (!override_spec.empty()) s += "overridden ";
  if (d.kind != DepKind::prod) s += std::string(dep_kind_name(d.kind)) + " ";
  if (override_spec.empty()) {
    s += std::string(d.name) + "@\"" + std::string(d.spec) + "\"";
  } else {
    s += std::string(d.name) + "@\"" + std::string(override_spec) + "\" (was \"" + std::string(d.spec) + "\")";
  }
  if (!valid) s += " (invalid)";
  return s;
}

std::string status(const Analysis& a, NodeId id) {
  const Graph& g = a.graph;
  uint8_t f = a.cls.flags[id];
  switch (a.sel.why[id]) {
    case Why::kept: return "kept: npm ci installs it with these options";
    case Why::extraneous: return "left out: nothing reaches it from the root (npm prunes it)";
    case Why::workspace: return "left out: the selected workspaces do not need it";
    case Why::bundler:
      return "left out: bundled inside " + std::string(g.node(a.sel.bundler[id]).location) +
             ", which is left out";
    case Why::platform: {
      NodeId cause = id;
      if (auto it = a.sel.inert_cause.find(id); it != a.sel.inert_cause.end()) cause = it->second;
      std::string reason = a.sel.platform_failures.count(cause) ? a.sel.platform_failures.at(cause) : "";
      if (cause == id) return "left out: optional and does not fit the target (" + reason + ")";
      return "left out: only needed by optional " + label(g, cause) + " (" +
             std::string(g.node(cause).location) + "), which does not fit the target (" + reason + ")";
    }
    case Why::omit: {
      std::string w;
      uint8_t omit = a.select_options.omit;
      if ((f & kDev) && (omit & kOmitDev)) w = "every path from the root goes through a devDependency (--omit=dev)";
      else if ((f & kOptional) && (omit & kOmitOptional)) w = "every path from the root is optional (--omit=optional)";
      else if ((f & kPeer) && (omit & kOmitPeer)) w = "every path from the root is a peer dependency (--omit=peer)";
      else w = "needed only by dev and optional dependencies (--omit=dev --omit=optional)";
      return "left out: " + w;
    }
  }
  return "";
}

void print_text(const Analysis& a, const Explanation& ex) {
  const Graph& g = a.graph;
  const Node& n = g.node(ex.node);
  std::string out = label(g, ex.node);
  std::string words;
  uint8_t f = a.cls.flags[ex.node];
  if (f & kExtraneous) words += " extraneous";
  if (f & kDev) words += " dev";
  if (f & kOptional) words += " optional";
  if (f & kDevOptional) words += " devOptional";
  if (f & kPeer) words += " peer";
  if (a.sel.bundler[ex.node] != kNoNode) words += " bundled";
  if (n.is_link()) words += " link";
  out += words + "\n" + std::string(n.location) + "\n";
  out += "  " + status(a, ex.node) + "\n";
  for (NodeId link : ex.links_in) {
    out += "  linked from " + std::string(g.node(link).location) + "\n";
  }
  if (ex.dependents.empty() && ex.links_in.empty()) {
    out += "  no dependents\n";
  } else if (!ex.dependents.empty()) {
    out += "  dependents:\n";
    for (const auto& d : ex.dependents) {
      out += "    " + edge_text(g, d.dep, d.valid, d.override_spec) + " from " + label(g, d.from);
      if (d.from != kRoot) out += " (" + std::string(g.node(d.from).location) + ")";
      if (d.via_link != kNoNode) out += " via " + std::string(g.node(d.via_link).location);
      out += "\n";
    }
  }
  if (!ex.shortest.empty()) {
    std::string count = (ex.chain_count_capped ? "more than " : "") + std::to_string(ex.chain_count);
    out += "  " + count + " chain" + (ex.chain_count == 1 ? "" : "s") + " from the root";
    if (ex.chain_count > ex.shortest.size() || ex.chain_count_capped) {
      out += ex.shortest.size() == 1 ? std::string("; the shortest")
                                     : "; the " + std::to_string(ex.shortest.size()) + " shortest";
    }
    out += ":\n";
    for (const auto& chain : ex.shortest) {
      out += "    " + (chain.front().from == kRoot ? std::string("root") : label(g, chain.front().from));
      for (const auto& step : chain) out += " > " + edge_text(g, step.dep, step.valid, step.override_spec);
      out += "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

std::string json_explanation(const Analysis& a, const Explanation& ex) {
  const Graph& g = a.graph;
  const Node& n = g.node(ex.node);
  uint8_t f = a.cls.flags[ex.node];
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string out = "{\"location\":" + json_string(n.location) + ",\"name\":" + json_string(n.package_name()) +
                    ",\"version\":" + json_string(n.version());
  out += std::string(",\"dev\":") + b(f & kDev) + ",\"optional\":" + b(f & kOptional) +
         ",\"devOptional\":" + b(f & kDevOptional) + ",\"peer\":" + b(f & kPeer) +
         ",\"extraneous\":" + b(f & kExtraneous) + ",\"bundled\":" + b(a.sel.bundler[ex.node] != kNoNode);
  out += std::string(",\"kept\":") + b(a.sel.is_kept(ex.node)) + ",\"why\":" + json_string(why_name(a.sel.why[ex.node])) +
         ",\"reason\":" + json_string(status(a, ex.node));
  out += ",\"dependents\":[";
  for (size_t i = 0; i < ex.dependents.size(); ++i) {
    const auto& d = ex.dependents[i];
    const DeclaredDep& dd = g.dep(d.dep);
    out += (i ? "," : "") + std::string("{\"type\":") + json_string(dep_kind_name(dd.kind)) +
           ",\"name\":" + json_string(dd.name) + ",\"spec\":" + json_string(dd.spec) +
           ",\"from\":" + json_string(g.node(d.from).location) + ",\"valid\":" + b(d.valid) +
           (d.override_spec.empty() ? "" : ",\"overridden\":" + json_string(d.override_spec)) + "}";
  }
  out += "],\"linksIn\":[";
  for (size_t i = 0; i < ex.links_in.size(); ++i) out += (i ? "," : "") + json_string(g.node(ex.links_in[i]).location);
  out += "],\"chainCount\":" + std::to_string(ex.chain_count) + ",\"chainCountCapped\":" + b(ex.chain_count_capped);
  out += ",\"shortestChains\":[";
  for (size_t i = 0; i < ex.shortest.size(); ++i) {
    out += i ? ",[" : "[";
    for (size_t k = 0; k < ex.shortest[i].size(); ++k) {
      const auto& s = ex.shortest[i][k];
      const DeclaredDep& dd = g.dep(s.dep);
      out += (k ? "," : "") + std::string("{\"from\":") + json_string(g.node(s.from).location) +
             ",\"type\":" + json_string(dep_kind_name(dd.kind)) + ",\"name\":" + json_string(dd.name) +
             ",\"spec\":" + json_string(dd.spec) +
             (s.override_spec.empty() ? "" : ",\"overridden\":" + json_string(s.override_spec)) + "}";
    }
    out += "]";
  }
  out += "]}";
  return out;
}

}  // namespace

int cmd_why(int argc, char** argv) {
  cxxopts::Options o("lockcut why", "Explain why a package is in the tree (like `npm explain`), "
                                    "and whether the production closure keeps it");
  o.positional_help("NAME|LOCATION [DIR]");
  o.add_options()
    ("package", "package name, name@range or lockfile location", cxxopts::value<std::string>())
    ("dir", "project folder", cxxopts::value<std::string>()->default_value("."))
    ("chains", "how many shortest chains to show", cxxopts::value<size_t>()->default_value("5"))
    ("json", "a JSON array, one object per instance")
    ("h,help", "this help");
  add_analysis_options(o);
  o.parse_positional({"package", "dir"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "selection"}, r)) return *stop;
  if (!r.count("package")) {
    return report(user_error("which package? `lockcut why NAME [DIR]`",
                             {"give a package name, name@range or a lockfile location"}));
  }
  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  auto a = run_analysis(r, r["dir"].as<std::string>(), &perf);
  if (!a) return report(a.error());
  const Analysis& an = *a.value();
  auto nodes = find_packages(an.graph, r["package"].as<std::string>());
  if (!nodes) return report(nodes.error());
  auto overrides = Overrides::compute(an.graph, an.project.dir);
  if (!overrides) return report(overrides.error());
  ExplainOptions eo;
  eo.max_chains = r["chains"].as<size_t>();
  eo.overrides = &overrides.value();
  std::string json = "[";
  {
    PhaseTimer t(&perf, "explain");
    bool first = true;
    for (NodeId id : nodes.value()) {
      Explanation ex = explain(an.graph, id, eo);
      if (r.count("json")) {
        json += (first ? "\n" : ",\n") + json_explanation(an, ex);
      } else {
        if (!first) std::fputs("\n", stdout);
        print_text(an, ex);
      }
      first = false;
    }
  }
  if (r.count("json")) std::cout << json << "\n]\n";
  if (perf.enabled) print_perf(perf);
  return kExitOk;
}

}  // namespace lockcut::cli
