// cmd_cache.cc: `lockcut cache [--cache DIR] [--prune-unused DAYS]`: what
// lockcut's cache holds, and removing what no run used for DAYS days.
//
// The table goes to stdout; with --prune-unused, one summary line to
// stderr. --json: the same numbers (schema in README.md).
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "lockcut/cache_prune.h"
#include "lockcut/tarball_store.h"

namespace lockcut::cli {

namespace {

void print_json(const std::string& dir, const std::vector<CachePart>& parts,
                std::optional<int64_t> days) {
  std::string out = "{\"schema\":1,\"cache\":" + json_string(dir) + ",\"pruneUnusedDays\":" +
                    (days ? std::to_string(*days) : "null") + ",\"parts\":[";
  for (size_t i = 0; i < parts.size(); ++i) {
    const CachePart& p = parts[i];
    out += (i ? ",\n" : "\n") + std::string("{\"kind\":") + json_string(cache_kind_name(p.kind)) +
           ",\"items\":" + std::to_string(p.items) + ",\"bytes\":" + std::to_string(p.bytes) +
           ",\"removedItems\":" + std::to_string(p.removed_items) +
           ",\"removedBytes\":" + std::to_string(p.removed_bytes) + "}";
  }
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void print_text(const std::string& dir, const std::vector<CachePart>& parts, bool pruned) {
  std::printf("%s\n", dir.c_str());
  std::printf("%-10s %8s %12s", "kind", "items", "size");
  if (pruned) std::printf(" %8s %12s", "removed", "freed");
  std::printf("\n");
  CachePart total;
  for (const CachePart& p : parts) {
    std::printf("%-10s %8s %12s", std::string(cache_kind_name(p.kind)).c_str(),
                with_commas(p.items).c_str(), mib(p.bytes).c_str());
    if (pruned) {
      std::printf(" %8s %12s", with_commas(p.removed_items).c_str(), mib(p.removed_bytes).c_str());
    }
    std::printf("\n");
    total.items += p.items;
    total.bytes += p.bytes;
    total.removed_items += p.removed_items;
    total.removed_bytes += p.removed_bytes;
  }
  std::printf("%-10s %8s %12s", "total", with_commas(total.items).c_str(), mib(total.bytes).c_str());
  if (pruned) {
    std::printf(" %8s %12s", with_commas(total.removed_items).c_str(),
                mib(total.removed_bytes).c_str());
  }
  std::printf("\n");
}

}  // namespace

int cmd_cache(int argc, char** argv) {
  cxxopts::Options o("lockcut cache",
                     "what lockcut's cache holds (zip entries, folder listings, tarballs), and "
                     "removing what no run has used for a while");
  o.add_options()
    ("cache", "the cache folder (default: $XDG_CACHE_HOME/lockcut or ~/.cache/lockcut)",
     cxxopts::value<std::string>(), "DIR")
    ("prune-unused", "remove what no run has used for DAYS days (0: all of it)",
     cxxopts::value<int64_t>(), "DAYS")
    ("json", "the numbers as JSON (schema in README.md)")
    ("h,help", "this help");
  cxxopts::ParseResult r;
  if (auto stop = parse_command_line(o, argc, argv, {""}, r)) return *stop;
  std::string dir = r.count("cache") ? r["cache"].as<std::string>() : TarballStore::default_dir();
  if (dir.empty()) {
    return report(user_error("no cache folder: neither XDG_CACHE_HOME nor HOME is set",
                             {"name one: lockcut cache --cache DIR"}));
  }
  std::optional<int64_t> days;
  PruneOptions po;
  if (r.count("prune-unused")) {
    days = r["prune-unused"].as<int64_t>();
    if (*days < 0 || *days > 100000) {
      return report(user_error("--prune-unused takes a number of days from 0 to 100000",
                               {"lockcut cache --prune-unused 30"}));
    }
    po.unused_for_s = *days * 86400;
  }
  Result<std::vector<CachePart>> parts = prune_cache(dir, po);
  if (!parts) return report(parts.error());
  if (r.count("json")) {
    print_json(dir, *parts, days);
  } else {
    print_text(dir, *parts, days.has_value());
  }
  if (days) {
    uint64_t items = 0, bytes = 0;
    for (const CachePart& p : *parts) items += p.removed_items, bytes += p.removed_bytes;
    std::cerr << "removed " << with_commas(items) << " item" << (items == 1 ? "" : "s") << " ("
              << mib(bytes) << ") not used for " << *days << " day" << (*days == 1 ? "" : "s")
              << " from " << dir << "\n";
  }
  return kExitOk;
}

}  // namespace lockcut::cli
