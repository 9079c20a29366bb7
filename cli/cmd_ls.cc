// cmd_ls.cc: `lockcut ls [DIR]`: the packages npm ci would install.
//
// Text: one line per kept package (with --all, every package and why it is
// left out) and a summary on stderr. --parseable: locations only, sorted
// byte-wise, the format of the corpus `packages.txt` files. --json: the
// schema documented in README.md (one object per lockfile location).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli.h"

namespace lockcut::cli {

namespace {

void flags_json(std::string& out, uint8_t f) {
  out += "\"dev\":";
  out += (f & kDev) ? "true" : "false";
  out += ",\"optional\":";
  out += (f & kOptional) ? "true" : "false";
  out += ",\"devOptional\":";
  out += (f & kDevOptional) ? "true" : "false";
  out += ",\"peer\":";
  out += (f & kPeer) ? "true" : "false";
  out += ",\"extraneous\":";
  out += (f & kExtraneous) ? "true" : "false";
}

std::string flag_words(uint8_t f) {
  std::string s;
  auto add = [&](const char* w) {
    if (!s.empty()) s += ' ';
    s += w;
  };
  if (f & kDev) add("dev");
  if (f & kOptional) add("optional");
  if (f & kDevOptional) add("devOptional");
  if (f & kPeer) add("peer");
  if (f & kExtraneous) add("extraneous");
  return s;
}

std::string omit_list(uint8_t omit) {
  std::string s;
  for (auto [bit, name] : {std::pair{kOmitDev, "dev"}, {kOmitOptional, "optional"}, {kOmitPeer, "peer"}}) {
    if (omit & bit) s += std::string(s.empty() ? "" : ",") + name;
  }
  return s;
}

std::vector<NodeId> by_location(const Graph& g) {
  std::vector<NodeId> ids;
  ids.reserve(g.size());
  for (NodeId id = 1; id < g.size(); ++id) ids.push_back(id);
  // npm writes `packages` almost in byte order already: check before sorting
  auto less = [&](NodeId a, NodeId b) { return g.node(a).location < g.node(b).location; };
  if (!std::is_sorted(ids.begin(), ids.end(), less)) std::sort(ids.begin(), ids.end(), less);
  return ids;
}

void print_json(const Analysis& a) {
  const Graph& g = a.graph;
  const auto& so = a.select_options;
  std::string out;
  out.reserve(g.size() * 320);
  out += "{\"lockfile\":" + json_string(g.lockfile().path);
  out += ",\"lockfileVersion\":" + std::to_string(g.lockfile().version);
  out += ",\"target\":{\"os\":" + json_string(so.target.os) + ",\"cpu\":" + json_string(so.target.cpu) +
         ",\"libc\":" + json_string(so.target.libc) + ",\"node\":" + json_string(so.target.node_version) + "}";
  out += ",\"omit\":[";
  bool first = true;
  for (auto [bit, name] : {std::pair{kOmitDev, "dev"}, {kOmitOptional, "optional"}, {kOmitPeer, "peer"}}) {
    if (!(so.omit & bit)) continue;
    out += first ? "" : ",";
    out += json_string(name);
    first = false;
  }
  out += "],\"legacyPeerDeps\":";
  out += a.legacy_peer_deps ? "true" : "false";
  out += ",\"workspaces\":[";
  for (size_t i = 0; i < so.workspaces.size(); ++i) out += (i ? "," : "") + json_string(so.workspaces[i]);
  uint32_t counts[6] = {};
  for (NodeId id = 1; id < g.size(); ++id) ++counts[static_cast<int>(a.sel.why[id])];
  out += "],\"summary\":{\"packages\":" + std::to_string(g.size() - 1) +
         ",\"kept\":" + std::to_string(counts[0]) + ",\"omitted\":{";
  for (int w = 1; w < 6; ++w) {
    out += (w > 1 ? "," : "") + json_string(why_name(static_cast<Why>(w))) + ":" + std::to_string(counts[w]);
  }
  out += "},\"storedFlagsStale\":" + std::to_string(a.cls.stale) + "},\"packages\":[";
  first = true;
  for (NodeId id : by_location(g)) {
    const Node& n = g.node(id);
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"location\":" + json_string(n.location);
    out += ",\"name\":" + json_string(n.package_name());
    out += ",\"version\":" + json_string(n.version()) + ",";
    flags_json(out, a.cls.flags[id]);
    out += ",\"link\":";
    out += n.is_link() ? "true" : "false";
    if (n.is_link()) out += ",\"target\":" + json_string(g.node(n.target).location);
    out += ",\"omitted\":";
    out += a.sel.why[id] == Why::kept ? "false" : "true";
    out += ",\"why\":" + json_string(why_name(a.sel.why[id]));
    if (a.sel.bundler[id] != kNoNode) out += ",\"bundler\":" + json_string(g.node(a.sel.bundler[id]).location);
    if (auto it = a.sel.platform_failures.find(id); it != a.sel.platform_failures.end()) {
      out += ",\"platform\":" + json_string(it->second);
    }
    out += ",\"lock\":{";
    flags_json(out, a.cls.stored[id]);
    out += "}}";
  }
  out += "\n]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int cmd_ls(int argc, char** argv) {
  cxxopts::Options o("lockcut ls", "List the packages `npm ci` installs (by default the production "
                                   "closure, as `npm ci --omit=dev`)");
  o.positional_help("[DIR]");
  o.add_options()
    ("dir", "project folder", cxxopts::value<std::string>()->default_value("."))
    ("parseable", "lockfile locations only, one per line, sorted")
    ("all", "every lockfile location, kept or not")
    ("json", "a JSON object (schema in README.md)")
    ("h,help", "this help");
  add_analysis_options(o);
  o.parse_positional({"dir"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "selection"}, r)) return *stop;
  PerfLog perf;
  perf.enabled = r.count("perf") > 0;
  auto a = run_analysis(r, r["dir"].as<std::string>(), &perf);
  if (!a) return report(a.error());
  const Analysis& an = *a.value();
  const Graph& g = an.graph;
  bool all = r.count("all") > 0;
  {
    PhaseTimer t(&perf, "print");
    if (r.count("json")) {
      print_json(an);
    } else if (r.count("parseable")) {
      std::string out;
      for (NodeId id : by_location(g)) {
        if (!all && !an.sel.is_kept(id)) continue;
        out.append(g.node(id).location);
        out += '\n';
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
    } else {
      std::string out;
      for (NodeId id : by_location(g)) {
        Why why = an.sel.why[id];
        if (!all && why != Why::kept) continue;
        const Node& n = g.node(id);
        out.append(n.location);
        out += "  ";
        out.append(n.package_name());
        out += '@';
        out.append(n.is_link() ? std::string_view("link:") : n.version());
        if (n.is_link()) out.append(g.node(n.target).location);
        std::string words = flag_words(an.cls.flags[id]);
        if (!words.empty()) out += "  (" + words + ")";
        if (all && why != Why::kept) out += "  [left out: " + std::string(why_name(why)) + "]";
        out += '\n';
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
  }
  if (!r.count("json") && !r.count("parseable")) {
    uint32_t counts[6] = {};
    for (NodeId id = 1; id < g.size(); ++id) ++counts[static_cast<int>(an.sel.why[id])];
    std::string s = std::to_string(counts[0]) + " of " + std::to_string(g.size() - 1) +
                    " packages kept (--omit=" + omit_list(an.select_options.omit) + ")";
    std::string left;
    for (int w = 1; w < 6; ++w) {
      if (!counts[w]) continue;
      left += (left.empty() ? "" : ", ") + std::to_string(counts[w]) + " " +
              std::string(why_name(static_cast<Why>(w)));
    }
    if (!left.empty()) s += "; left out: " + left;
    std::cerr << s << "\n";
  }
  if (perf.enabled) print_perf(perf);
  return kExitOk;
}

}  // namespace lockcut::cli
