// overrides.cc: npm's override sets over the graph (see overrides.h).
//
// The rules are a small tree (tens of nodes); the work is one pass over the
// edges with a worklist: a node's set can only become more specific (a
// descendant of the set it had), so each node is revisited at most as many
// times as the rule tree is deep. Two departures from arborist, both where
// npm needs the registry or an ideal tree to decide: a rule whose key has a
// version range (`"debug@2": {...}`) applies to an edge when the node the
// edge reaches satisfies that range (npm intersects the edge's range with
// it), and two unrelated sets meeting at one node keep the first (npm logs
// "Conflicting override sets" and leaves that node's set undefined).
#include "lockcut/overrides.h"

#include <deque>

#include <simdjson.h>

#include "lockcut/semver.h"

namespace lockcut {

namespace {

// npa(key) for an override key: `name`, `@scope/name`, `name@range`.
void split_key(std::string_view key, std::string& name, std::string& spec) {
  size_t at = key.find('@', key.size() > 0 && key[0] == '@' ? 1 : 0);
  if (at == std::string_view::npos) {
    name = key;
    spec = "*";
    return;
  }
  name = key.substr(0, at);
  spec = key.substr(at + 1);
  if (spec.empty()) spec = "*";
}

}  // namespace

Result<Overrides> Overrides::compute(const Graph& graph, const std::string& project_dir) {
  Overrides o;
  o.rules_.push_back(Rule{});
  std::string path = project_dir + "/package.json";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(path).get(doc)) return o;  // no package.json: nothing to override
  simdjson::dom::element overrides;
  if (doc["overrides"].get(overrides)) return o;

  std::optional<Error> error;
  // adds the rules under `parent` from one overrides object (or string)
  auto add = [&](auto&& self, uint32_t parent, simdjson::dom::element value,
                 const std::string& where) -> void {
    if (error) return;
    std::string_view text;
    if (!value.get(text)) {
      o.rules_[parent].value = text.empty() ? "*" : std::string(text);
      return;
    }
    simdjson::dom::object obj;
    if (value.get(obj)) {
      error = user_error("'" + path + "': " + where + ": expected a version string or an object",
                         {"see `npm help package-json` (overrides) for the syntax"});
      return;
    }
    for (auto field : obj) {
      std::string key(field.key);
      if (key == ".") {
        std::string_view v;
        if (field.value.get(v)) {
          error = user_error("'" + path + "': " + where + "[\".\"]: expected a version string");
          return;
        }
        o.rules_[parent].value = v.empty() ? "*" : std::string(v);
        continue;
      }
      Rule rule;
      split_key(key, rule.name, rule.key_spec);
      if (rule.name.empty()) {
        error = user_error("'" + path + "': " + where + ": override without a package name: '" + key + "'");
        return;
      }
      rule.value = rule.key_spec;
      rule.parent = parent;
      o.rules_.push_back(std::move(rule));
      uint32_t id = uint32_t(o.rules_.size() - 1);
      o.rules_[parent].children.push_back(id);
      self(self, id, field.value, where + "[\"" + key + "\"]");
    }
  };
  add(add, 0, overrides, "overrides");
  if (error) return std::move(*error);
  o.rules_[0].value.clear();

  // "$name" values: the root's own spec for name
  o.root_specs_.resize(o.rules_.size());
  for (size_t i = 1; i < o.rules_.size(); ++i) {
    const std::string& v = o.rules_[i].value;
    if (v.empty() || v[0] != '$') continue;
    std::string ref = v.substr(1);
    for (const char* field : {"devDependencies", "optionalDependencies", "dependencies", "peerDependencies"}) {
      std::string_view spec;
      if (!doc[field][ref].get(spec)) {
        o.root_specs_[i] = spec;
        break;
      }
    }
    if (o.root_specs_[i].empty()) {
      return user_error("'" + path + "': overrides: unable to resolve reference " + v,
                        {"a \"$name\" override needs `name` among the root's own dependencies"});
    }
  }

  // follow the sets from the root along the edges
  std::vector<uint32_t> node_set(graph.size(), kNone);
  o.edge_set_.assign(graph.edge_count(), kNone);
  std::deque<NodeId> work{kRoot};
  node_set[kRoot] = 0;
  auto merge = [&](NodeId to, uint32_t set) {
    uint32_t& cur = node_set[to];
    if (cur == set) return;
    if (cur == kNone || o.is_ancestor(cur, set)) {
      cur = set;
      work.push_back(to);
    }
  };
  while (!work.empty()) {
    NodeId from = work.front();
    work.pop_front();
    for (auto e : boost::make_iterator_range(boost::out_edges(from, graph.csr()))) {
      uint32_t set = o.edge_rule(graph, node_set[from], e);
      o.edge_set_[graph.edge_index(e)] = set;
      NodeId to = static_cast<NodeId>(boost::target(e, graph.csr()));
      merge(to, set);
      if (graph.node(to).is_link() && graph.node(to).target != kNoNode) merge(graph.node(to).target, set);
    }
  }
  return o;
}

bool Overrides::is_ancestor(uint32_t ancestor, uint32_t set) const {
  for (uint32_t s = set; s != kNone; s = rules_[s].parent) {
    if (s == ancestor) return true;
  }
  return false;
}

uint32_t Overrides::edge_rule(const Graph& graph, uint32_t set, Graph::EdgeDesc e) const {
  if (set == kNone || empty()) return set;
  const DeclaredDep& dep = graph.dep(e);
  const Node& to = graph.node(static_cast<NodeId>(boost::target(e, graph.csr())));
  // the rule set of `set`: its ancestors' children and the ancestors
  // themselves, nearest first, one rule per key (arborist `ruleset`)
  std::vector<std::pair<std::string_view, std::string_view>> seen;  // (name, key spec)
  auto fresh = [&](const Rule& r) {
    for (const auto& [n, k] : seen) {
      if (n == r.name && k == r.key_spec) return false;
    }
    seen.emplace_back(r.name, r.key_spec);
    return true;
  };
  auto matches = [&](const Rule& r) {
    if (r.name != dep.name) return false;
    if (r.key_spec == "*") return true;
    return !to.version().empty() && satisfies(to.version(), r.key_spec);
  };
  for (uint32_t anc = set; anc != kNone; anc = rules_[anc].parent) {
    for (uint32_t kid : rules_[anc].children) {
      if (fresh(rules_[kid]) && matches(rules_[kid])) return kid;
    }
    if (anc != 0 && fresh(rules_[anc]) && matches(rules_[anc])) return anc;
  }
  return set;
}

std::string_view Overrides::spec(const Graph& graph, Graph::EdgeDesc e) const {
  if (edge_set_.empty()) return {};
  uint32_t set = edge_set_[graph.edge_index(e)];
  if (set == kNone || set == 0) return {};
  const Rule& r = rules_[set];
  if (r.name != graph.dep(e).name || r.value.empty() || r.value == "*") return {};
  return r.value[0] == '$' ? std::string_view(root_specs_[set]) : std::string_view(r.value);
}

bool Overrides::valid(const Graph& graph, Graph::EdgeDesc e) const {
  if (edge_set_.empty()) return graph.edge_valid(e);
  uint32_t set = edge_set_[graph.edge_index(e)];
  const Node& to = graph.node(static_cast<NodeId>(boost::target(e, graph.csr())));
  // npm does not override bundled or shrinkwrapped dependencies
  bool frozen = to.lock_pkg && (to.lock_pkg->has(kFlagInBundle) || to.lock_pkg->has(kFlagShrinkwrap));
  if (set == kNone || set == 0 || frozen) return graph.edge_valid(e);
  std::string_view over = spec(graph, e);
  if (over.empty()) return graph.edge_valid(e);
  if (graph.edge_valid_with(e, over)) return true;
  return graph.edge_valid(e) && !graph.edge_valid_with(e, rules_[set].key_spec);
}

}  // namespace lockcut
