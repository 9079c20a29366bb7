// functions.cc: lockcut.json and the shared layer (see functions.h).
#include "lockcut/functions.h"

#include <map>
#include <set>
#include <tuple>

#include <simdjson.h>

namespace lockcut {

namespace {

Error config_error(const std::string& origin, const std::string& what) {
  return user_error(origin + ": " + what,
                    {"write {\"functions\": {\"WORKSPACE\": {\"zip\": \"dist/fn.zip\"}, ...}, "
                     "\"layer\": {\"zip\": \"dist/layer.zip\"}} (layer optional; an output is "
                     "\"zip\", \"out\" or \"tar\")"});
}

// {"zip": PATH} | {"out": PATH} | {"tar": PATH}
Result<std::pair<std::string, std::string>> read_output(simdjson::dom::element value,
                                                        const std::string& origin,
                                                        const std::string& where) {
  simdjson::dom::object obj;
  if (value.get(obj)) return config_error(origin, where + " must be an object like {\"zip\": \"dist/fn.zip\"}");
  std::pair<std::string, std::string> out;
  for (auto [key, v] : obj) {
    std::string_view path;
    const char* kind = key == "zip" ? "zip" : key == "out" ? "folder" : key == "tar" ? "tar" : nullptr;
    if (!kind) return config_error(origin, where + ": unknown key \"" + std::string(key) + "\"");
    if (v.get(path) || path.empty()) return config_error(origin, where + "." + std::string(key) + " must be a path");
    if (!out.first.empty()) return config_error(origin, where + ": give one of zip, out, tar");
    out = {std::string(path), kind};
  }
  if (out.first.empty()) return config_error(origin, where + ": no output (zip, out or tar)");
  return out;
}

}  // namespace

Result<FunctionsConfig> load_functions_config(const std::string& dir, const std::string& file) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  FunctionsConfig config;
  std::vector<std::string> tried;
  for (const std::string& path : file.empty() ? std::vector<std::string>{dir + "/lockcut.json", dir + "/package.json"}
                                              : std::vector<std::string>{file}) {
    simdjson::padded_string text;
    if (simdjson::padded_string::load(path).get(text)) {
      tried.push_back(path);
      continue;
    }
    if (auto err = parser.parse(text).get(doc)) {
      return user_error("'" + path + "' is not valid JSON: " + simdjson::error_message(err),
                        {"fix the file, or pass another with --config FILE"});
    }
    bool is_package_json = file.empty() && path.ends_with("/package.json");
    if (is_package_json && doc["lockcut"].get(doc)) {
      tried.push_back(path + " (no \"lockcut\" field)");
      continue;
    }
    config.origin = path + (is_package_json ? " \"lockcut\"" : "");
    break;
  }
  if (config.origin.empty()) {
    std::string list;
    for (const std::string& t : tried) list += (list.empty() ? "" : ", ") + t;
    return user_error("no functions to pack: found none of " + list,
                      {"write lockcut.json: {\"functions\": {\"WORKSPACE\": {\"zip\": \"dist/fn.zip\"}}}, "
                       "or give each function with --workspace NAME --each --zip 'dist/{name}.zip'"});
  }
  simdjson::dom::object functions;
  if (doc["functions"].get(functions)) return config_error(config.origin, "\"functions\" must be an object");
  for (auto [workspace, value] : functions) {
    auto out = read_output(value, config.origin, "functions[\"" + std::string(workspace) + "\"]");
    if (!out) return out.take_error();
    config.functions.push_back(FunctionSpec{std::string(workspace), out->first, out->second});
  }
  if (config.functions.empty()) return config_error(config.origin, "\"functions\" is empty");
  simdjson::dom::element layer;
  if (!doc["layer"].get(layer)) {
    auto out = read_output(layer, config.origin, "layer");
    if (!out) return out.take_error();
    if (out->second != "zip") return config_error(config.origin, "the layer is a zip: {\"zip\": PATH}");
    config.layer = out->first;
  }
  return config;
}

PackPlan split_shared_layer(const std::vector<PackPlan*>& functions) {
  PackPlan layer;
  layer.packages.push_back(PlanPackage{"", "nodejs", "", "", PlanReason::own, 0, 0, "", ""});
  if (functions.empty()) return layer;
  using Key = std::tuple<std::string, std::string, std::string>;  // dest, name, version
  auto shareable = [](const PlanPackage& p) {
    return p.reason == PlanReason::package || p.reason == PlanReason::fetched || p.reason == PlanReason::link;
  };
  std::map<Key, size_t> count;
  for (const PackPlan* plan : functions) {
    for (const PlanPackage& p : plan->packages) {
      if (shareable(p)) ++count[Key{p.dest, p.name, p.version}];
    }
  }
  std::set<Key> shared;
  for (const auto& [key, n] : count) {
    if (n == functions.size()) shared.insert(key);
  }
  // the layer: the shared packages' entries from the first plan
  const PackPlan& first = *functions.front();
  std::vector<uint32_t> layer_index(first.packages.size(), UINT32_MAX);
  for (size_t i = 0; i < first.packages.size(); ++i) {
    const PlanPackage& p = first.packages[i];
    if (!shareable(p) || !shared.count(Key{p.dest, p.name, p.version})) continue;
    layer_index[i] = uint32_t(layer.packages.size());
    PlanPackage copy = p;
    copy.dest = "nodejs/" + p.dest;
    layer.packages.push_back(std::move(copy));
  }
  for (const PlanEntry& e : first.entries) {
    if (layer_index[e.package] == UINT32_MAX) continue;
    PlanEntry copy = e;
    constexpr std::string_view kLayer = "nodejs/";
    copy.dest = std::string(kLayer) + e.dest;
    if (copy.has_source()) copy.rel += uint32_t(kLayer.size());  // the path in its package stays
    copy.package = layer_index[e.package];
    if (copy.type == EntryType::file) {
      ++layer.files;
      layer.bytes += copy.size;
    }
    layer.entries.push_back(std::move(copy));
  }
  // and out of every function
  for (PackPlan* plan : functions) {
    std::vector<char> in_layer(plan->packages.size(), 0);
    for (size_t i = 0; i < plan->packages.size(); ++i) {
      const PlanPackage& p = plan->packages[i];
      in_layer[i] = shareable(p) && shared.count(Key{p.dest, p.name, p.version});
    }
    remove_entries(*plan, [&](const PlanEntry& e) { return in_layer[e.package] != 0; });
    for (size_t i = 0; i < plan->packages.size(); ++i) {
      if (in_layer[i]) plan->packages[i].files = plan->packages[i].bytes = 0;
    }
  }
  return layer;
}

}  // namespace lockcut
