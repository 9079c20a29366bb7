// cmd_diff.cc: `lockcut diff OLD NEW`: shipped packages added, removed or
// changed between two projects, lockfiles, zips or git revisions.
//
// Text: one line per difference (`+`, `-`, `~`) and a total line, on stdout.
// --json: the schema documented in README.md. Notes (sizes unknown) go to
// stderr. The selection flags apply to both sides.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli.h"
#include "lockcut/closure_diff.h"

namespace lockcut::cli {

namespace {

std::string human(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", double(bytes) / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / 1048576.0);
  return buf;
}

std::string signed_human(int64_t delta) {
  return (delta < 0 ? "-" : "+") + human(uint64_t(delta < 0 ? -delta : delta));
}

std::optional<int64_t> delta(std::optional<uint64_t> a, std::optional<uint64_t> b) {
  if (!a || !b) return std::nullopt;
  return int64_t(*b) - int64_t(*a);
}

std::string json_number(std::optional<int64_t> n) { return n ? std::to_string(*n) : "null"; }
std::string json_number(std::optional<uint64_t> n) { return n ? std::to_string(*n) : "null"; }

Result<Closure> read_state(const cxxopts::ParseResult& r, const std::string& arg) {
  auto spec = parse_state(arg);
  if (!spec) return spec.take_error();
  if (spec->kind == StateKind::zip) return closure_of_zip(spec->path);
  std::optional<GitSnapshot> snapshot;
  AnalysisOptions ao = analysis_options(r, spec->path);
  if (spec->kind == StateKind::git) {
    auto snap = GitSnapshot::take(spec->rev, spec->path);
    if (!snap) return snap.take_error();
    snapshot.emplace(std::move(snap.value()));
    ao.dir = snapshot->dir();
  } else if (spec->kind == StateKind::lockfile) {
    std::string parent = std::filesystem::path(spec->path).parent_path().string();
    ao.dir = parent.empty() ? "." : parent;
    ao.lockfile = spec->path;
  }
  auto a = run_analysis(r, ao, nullptr);
  if (!a) return a.take_error();
  auto closure = closure_of_analysis(*a.value());
  // a revision is never installed: no sizes, and nothing to say about it
  if (closure && snapshot) closure->notes.clear();
  return closure;
}

void print_text(const ClosureDiff& d) {
  std::string out;
  auto size = [](std::optional<uint64_t> b) { return b ? "  " + human(*b) : std::string(); };
  for (const PackageChange& c : d.changes) {
    if (c.change == Change::added) {
      out += "+ " + c.new_name + "@" + c.new_version + "  " + c.location + size(c.new_bytes);
    } else if (c.change == Change::removed) {
      out += "- " + c.old_name + "@" + c.old_version + "  " + c.location + size(c.old_bytes);
    } else {
      out += "~ " + c.new_name + " " + (c.old_name == c.new_name ? "" : c.old_name + "@") +
             c.old_version + " -> " + c.new_version;
      if (c.old_version == c.new_version && c.old_name == c.new_name) out += " (integrity)";
      out += "  " + c.location;
      if (auto dd = delta(c.old_bytes, c.new_bytes)) out += "  " + signed_human(*dd);
    }
    out += '\n';
  }
  out += std::to_string(d.added) + " added, " + std::to_string(d.removed) + " removed, " +
         std::to_string(d.changed) + " changed (" + std::to_string(d.old_packages) + " -> " +
         std::to_string(d.new_packages) + " packages)";
  if (auto dd = delta(d.old_bytes, d.new_bytes)) {
    out += "; size " + signed_human(*dd) + " (" + human(*d.old_bytes) + " -> " + human(*d.new_bytes) + ")";
  } else {
    out += "; size change unknown";
  }
  if (auto dd = delta(d.old_compressed, d.new_compressed)) out += ", compressed " + signed_human(*dd);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void print_json(const ClosureDiff& d, const std::string& old_arg, const std::string& new_arg) {
  auto side = [](const std::string& arg, size_t packages, std::optional<uint64_t> bytes,
                 std::optional<uint64_t> compressed) {
    return "{\"source\":" + json_string(arg) + ",\"packages\":" + std::to_string(packages) +
           ",\"bytes\":" + json_number(bytes) + ",\"compressedBytes\":" + json_number(compressed) + "}";
  };
  std::string out = "{\"schema\":1,\"old\":" + side(old_arg, d.old_packages, d.old_bytes, d.old_compressed) +
                    ",\"new\":" + side(new_arg, d.new_packages, d.new_bytes, d.new_compressed) +
                    ",\"changes\":[";
  for (size_t i = 0; i < d.changes.size(); ++i) {
    const PackageChange& c = d.changes[i];
    out += i ? ",\n" : "\n";
    out += "{\"change\":";
    out += c.change == Change::added ? "\"added\"" : c.change == Change::removed ? "\"removed\"" : "\"changed\"";
    out += ",\"location\":" + json_string(c.location) +
           ",\"name\":" + json_string(c.change == Change::removed ? c.old_name : c.new_name);
    if (c.change == Change::changed && c.old_name != c.new_name) out += ",\"oldName\":" + json_string(c.old_name);
    if (c.change != Change::added) {
      out += ",\"oldVersion\":" + json_string(c.old_version) + ",\"oldIntegrity\":" + json_string(c.old_integrity) +
             ",\"oldBytes\":" + json_number(c.old_bytes);
    }
    if (c.change != Change::removed) {
      out += ",\"newVersion\":" + json_string(c.new_version) + ",\"newIntegrity\":" + json_string(c.new_integrity) +
             ",\"newBytes\":" + json_number(c.new_bytes);
    }
    out += "}";
  }
  out += "],\"summary\":{\"added\":" + std::to_string(d.added) + ",\"removed\":" + std::to_string(d.removed) +
         ",\"changed\":" + std::to_string(d.changed) +
         ",\"bytesDelta\":" + json_number(delta(d.old_bytes, d.new_bytes)) +
         ",\"compressedBytesDelta\":" + json_number(delta(d.old_compressed, d.new_compressed)) + "}}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

int cmd_diff(int argc, char** argv) {
  cxxopts::Options o("lockcut diff", "shipped packages added, removed or changed between two states: "
                                     "project folders, lockfiles, zips written by `lockcut pack`, or "
                                     "git:REV[:DIR]");
  add_analysis_options(o);
  o.add_options()
    ("json", "the differences as JSON (schema in README.md)")
    ("old", "the old state", cxxopts::value<std::string>())
    ("new", "the new state", cxxopts::value<std::string>())
    ("h,help", "this help");
  o.positional_help("OLD NEW");
  o.parse_positional({"old", "new"});
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {"", "selection"}, r)) return *stop;
  if (!r.count("old") || !r.count("new")) {
    return report(user_error("give two states to compare",
                             {"lockcut diff git:HEAD~1 git:HEAD, or two folders, lockfiles or zips"}));
  }
  std::string old_arg = r["old"].as<std::string>(), new_arg = r["new"].as<std::string>();
  auto old_state = read_state(r, old_arg);
  if (!old_state) return report(old_state.error());
  auto new_state = read_state(r, new_arg);
  if (!new_state) return report(new_state.error());
  for (const Closure* c : {&old_state.value(), &new_state.value()}) {
    for (const std::string& n : c->notes) std::cerr << "lockcut: note: " << n << "\n";
  }
  ClosureDiff d = diff_closures(*old_state, *new_state);
  if (r.count("json")) print_json(d, old_arg, new_arg);
  else print_text(d);
  return kExitOk;
}

}  // namespace lockcut::cli
