// manifest.cc: one JSON object -> Manifest, in a single On-Demand pass.
//
// Both lockfile entries and package.json files go through parse_manifest, so
// the two can never disagree on what a field means. Strings are taken as raw
// tokens that point into the document text (kept alive by the store); only a
// string with a backslash escape is decoded into the arena. This keeps the
// parser's own string buffer out of the picture, so a parser can be dropped
// or reused as soon as a document has been read.
//
// npm's normalizations that matter for edges are applied here:
// `bundledDependencies` is an alias of `bundleDependencies`, `true` means all
// `dependencies`, and `peerDependenciesMeta[name].optional` turns a peer
// dependency into a peerOptional one (arborist node.js `_loadDeps`).
#include "lockcut/manifest.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "lockcut/memory.h"

namespace lockcut {

namespace od = simdjson::ondemand;

std::string_view dep_kind_name(DepKind kind) {
  switch (kind) {
    case DepKind::prod: return "prod";
    case DepKind::dev: return "dev";
    case DepKind::optional: return "optional";
    case DepKind::peer: return "peer";
    case DepKind::peer_optional: return "peerOptional";
    case DepKind::workspace: return "workspace";
  }
  return "prod";
}

const simdjson::padded_string& ManifestStore::keep(simdjson::padded_string text) {
  texts_.push_back(std::move(text));
  return texts_.back();
}

void ManifestStore::keep_mapping(void* addr, size_t length) { mappings_.emplace_back(addr, length); }

ManifestStore::Mapping::~Mapping() {
  if (addr) ::munmap(addr, length);
}

std::string_view ManifestStore::intern(std::string_view s) {
  arena_.emplace_back(s);
  return arena_.back();
}

PoolRange ManifestStore::add_deps(std::span<const DeclaredDep> deps) {
  PoolRange r{static_cast<uint32_t>(deps_.size()), static_cast<uint32_t>(deps.size())};
  deps_.insert(deps_.end(), deps.begin(), deps.end());
  for (size_t i = r.begin; i < deps_.size(); ++i) {
    if (deps_[i].name_id == kNoName) deps_[i].name_id = names_.intern(deps_[i].name);
  }
  return r;
}

PoolRange ManifestStore::add_strings(std::span<const std::string_view> strings) {
  PoolRange r{static_cast<uint32_t>(strings_.size()), static_cast<uint32_t>(strings.size())};
  strings_.insert(strings_.end(), strings.begin(), strings.end());
  return r;
}

// Names are short (a dozen bytes on average): a word-at-a-time multiply-xor
// hash is several times cheaper than std::hash and spreads them as well.
uint32_t NameTable::hash(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return static_cast<uint32_t>(h >> 32);
}

void NameTable::rehash(size_t cap) {
  std::vector<Slot> old = std::move(slots_);
  slots_.clear();
  slots_.reserve(cap);
  slots_.assign(slots_.capacity(), Slot{});
  for (const Slot& s : old) {
    if (s.record == UINT32_MAX) continue;
    size_t i = home(s.hash);
    while (slots_[i].record != UINT32_MAX) i = i + 1 == slots_.size() ? 0 : i + 1;
    slots_[i] = s;
  }
}

void NameTable::reserve(size_t n) {
  // at most 3/4 full keeps linear probing short
  const size_t cap = huge_page_capacity(n + n / 3 + 16, sizeof(Slot));
  if (cap > slots_.size()) rehash(cap);
  reserve_huge(names_, n);
}

// A record: the id (4 bytes), the length (1 byte, or 255 and 4 more for a
// name that long), then the bytes: 100,000 names fit one 2 MiB block.
namespace {
size_t record_header(size_t len) { return len < 255 ? 5 : 9; }
}  // namespace

bool NameTable::matches(uint32_t r, std::string_view s, NameId& id) const {
  const char* p = record(r);
  size_t len = static_cast<unsigned char>(p[4]);
  const char* bytes = p + 5;
  if (len == 255) {
    uint32_t long_len;
    std::memcpy(&long_len, p + 5, 4);
    len = long_len;
    bytes = p + 9;
  }
  if (len != s.size() || std::memcmp(bytes, s.data(), len) != 0) return false;
  std::memcpy(&id, p, 4);
  return true;
}

NameId NameTable::intern(std::string_view s, uint32_t h) {
  if ((names_.size() + 1) * 4 > slots_.size() * 3) reserve(std::max<size_t>(64, names_.size() * 2));
  for (size_t i = home(h);; i = i + 1 == slots_.size() ? 0 : i + 1) {
    Slot& slot = slots_[i];
    NameId id;
    if (slot.record != UINT32_MAX) {
      if (slot.hash == h && matches(slot.record, s, id)) return id;
      continue;
    }
    const size_t header = record_header(s.size()), need = header + s.size();
    if (used_ + need > block_size_) {
      // a record starts inside the first 2 MiB of its block; a name longer
      // than that (never seen from npm) gets a block of its own
      block_size_ = std::max(huge_page_capacity(size_t{1} << 20, 1), need);
      blocks_.push_back(std::unique_ptr<char[]>(new char[block_size_]));
      used_ = 0;
    }
    const uint32_t r = static_cast<uint32_t>(((blocks_.size() - 1) << kBlockBits) | used_);
    char* p = blocks_.back().get() + used_;
    id = static_cast<NameId>(names_.size());
    std::memcpy(p, &id, 4);
    if (header == 5) {
      p[4] = static_cast<char>(s.size());
    } else {
      const uint32_t len = static_cast<uint32_t>(s.size());
      p[4] = static_cast<char>(255);
      std::memcpy(p + 5, &len, 4);
    }
    if (!s.empty()) std::memcpy(p + header, s.data(), s.size());
    used_ += need;
    slot = Slot{h, r};
    if (names_.size() == names_.capacity()) reserve_huge(names_, std::max<size_t>(64, names_.size() * 2));
    names_.emplace_back(p + header, s.size());
    return id;
  }
}

NameId NameTable::find(std::string_view s) const {
  if (slots_.empty()) return kNoName;
  const uint32_t h = hash(s);
  for (size_t i = home(h);; i = i + 1 == slots_.size() ? 0 : i + 1) {
    const Slot& slot = slots_[i];
    if (slot.record == UINT32_MAX) return kNoName;
    NameId id;
    if (slot.hash == h && matches(slot.record, s, id)) return id;
  }
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool parse_hex4(std::string_view s, size_t i, uint32_t& cp) {
  if (i + 4 > s.size()) return false;
  cp = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    cp <<= 4;
    if (c >= '0' && c <= '9') cp |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') cp |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') cp |= static_cast<uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}

// Decodes the inside of a JSON string literal. Returns false on a bad escape.
bool unescape(std::string_view in, std::string& out) {
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= in.size()) return false;
    switch (in[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        if (!parse_hex4(in, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < in.size() + 0 && in[i + 1] == '\\' &&
            in[i + 2] == 'u') {
          uint32_t lo = 0;
          if (parse_hex4(in, i + 3, lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

const char* type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

// Collects what one pass over an object finds before it can be finished.
struct Pending {
  std::vector<std::string_view> peer_optional;  // from peerDependenciesMeta
  bool bundle_all = false;
  bool saw_bundle = false;          // `bundleDependencies` (wins over the alias)
  bool saw_bundled_alias = false;   // `bundledDependencies`
  PoolRange alias_bundle;
};

class ManifestReader {
 public:
  ManifestReader(ManifestStore& store, const JsonWhere& where) : store_(store), where_(where) {}

  Result<Manifest> read(od::object obj);

 private:
  Error type_error(std::string_view key, std::string_view sub, const char* expected,
                   od::value& v);
  Error json_error(std::string_view key, simdjson::error_code code, const char* pos);
  uint32_t offset(const char* p) const {
    if (!p) p = last_key_;
    return where_.text_begin && p ? offset_of(where_.text_begin, p) : 0;
  }
  const char* last_key_ = nullptr;  // for errors the parser reports without a place
  bool string_value(od::value& v, std::string_view& out, bool& is_string,
                    simdjson::error_code& err);
  Result<PoolRange> deps_map(od::value v, std::string_view key, DepKind kind);
  Result<PoolRange> string_list(od::value v, std::string_view key, bool allow_string,
                                bool& present);
  Status peer_meta(od::value v, std::string_view key, Pending& pending);
  Status engines(od::value v, Manifest& m);

  ManifestStore& store_;
  const JsonWhere& where_;
};

std::string describe_path(const JsonWhere& where, std::string_view key, std::string_view sub) {
  std::string path = where.packages_key
                         ? "packages[\"" + std::string(*where.packages_key) + "\"]"
                         : std::string(where.path_prefix);
  if (!key.empty()) {
    if (!path.empty()) path += '.';
    path += key;
  }
  if (!sub.empty()) {
    path += "[\"";
    path += sub;
    path += "\"]";
  }
  return path.empty() ? std::string("(top level)") : path;
}

const char* kDamagedHint =
    "the file is damaged or was edited by hand: restore it from version control, or "
    "regenerate it with `npm install --package-lock-only`";

Error ManifestReader::type_error(std::string_view key, std::string_view sub,
                                 const char* expected, od::value& v) {
  od::json_type t{};
  const char* what = "a value";
  if (!v.type().get(t)) what = type_name(t);
  uint32_t off = offset(v.raw_json_token().data());
  return user_error("'" + std::string(where_.file) + "': " + describe_path(where_, key, sub) +
                        ": expected " + expected + ", found " + what + " (byte " +
                        std::to_string(off) + ")",
                    {kDamagedHint});
}

Error ManifestReader::json_error(std::string_view key, simdjson::error_code code,
                                 const char* pos) {
  return user_error("'" + std::string(where_.file) + "': malformed JSON in " +
                        describe_path(where_, key, {}) + " near byte " +
                        std::to_string(offset(pos)) + ": " + simdjson::error_message(code),
                    {kDamagedHint});
}

// Reads a string value as a view into the text (or arena). `is_string` is
// false when the value is another type; `err` is set on a JSON error.
bool ManifestReader::string_value(od::value& v, std::string_view& out, bool& is_string,
                                  simdjson::error_code& err) {
  err = simdjson::SUCCESS;
  is_string = token_to_string(v.raw_json_token(), store_, out);
  return is_string;
}

Result<PoolRange> ManifestReader::deps_map(od::value v, std::string_view key, DepKind kind) {
  od::object obj;
  if (v.get_object().get(obj)) return type_error(key, {}, "an object", v);
  auto& pool = store_.dep_pool();
  PoolRange r{static_cast<uint32_t>(pool.size()), 0};
  for (auto field : obj) {
    od::raw_json_string rk;
    auto err = field.key().get(rk);
    if (err) return json_error(key, err, nullptr);
    std::string_view name = key_view(rk, store_);
    od::value dv = field.value();
    std::string_view spec;
    bool is_string = false;
    if (!string_value(dv, spec, is_string, err)) {
      if (err) return json_error(key, err, rk.raw());
      return type_error(key, name, "a version range string", dv);
    }
    pool.push_back(DeclaredDep{name, spec, kind});
    ++r.count;
  }
  return r;
}

Result<PoolRange> ManifestReader::string_list(od::value v, std::string_view key,
                                              bool allow_string, bool& present) {
  auto& pool = store_.string_pool();
  PoolRange r{static_cast<uint32_t>(pool.size()), 0};
  od::json_type t{};
  if (auto err = v.type().get(t)) return json_error(key, err, nullptr);
  if (t == od::json_type::null) return r;
  if (t == od::json_type::string && allow_string) {
    std::string_view s;
    bool is_string = false;
    simdjson::error_code err{};
    string_value(v, s, is_string, err);
    if (err) return json_error(key, err, nullptr);
    // npm tests `if (target.os)`: an empty string is no constraint
    if (!s.empty()) {
      present = true;
      pool.push_back(s);
      r.count = 1;
    }
    return r;
  }
  od::array arr;
  if (v.get_array().get(arr)) return type_error(key, {}, "an array of strings", v);
  present = true;
  for (auto item : arr) {
    od::value iv;
    if (auto err = item.get(iv)) return json_error(key, err, nullptr);
    std::string_view s;
    bool is_string = false;
    simdjson::error_code err{};
    if (!string_value(iv, s, is_string, err)) {
      if (err) return json_error(key, err, nullptr);
      return type_error(key, {}, "an array of strings", iv);
    }
    pool.push_back(s);
    ++r.count;
  }
  return r;
}

Status ManifestReader::peer_meta(od::value v, std::string_view key, Pending& pending) {
  od::object obj;
  if (v.get_object().get(obj)) return type_error(key, {}, "an object", v);
  for (auto field : obj) {
    od::raw_json_string rk;
    if (auto err = field.key().get(rk)) return json_error(key, err, nullptr);
    std::string_view name = key_view(rk, store_);
    od::object meta;
    if (field.value().get_object().get(meta)) continue;  // npm ignores non-objects here
    for (auto mf : meta) {
      od::raw_json_string mk;
      if (auto err = mf.key().get(mk)) return json_error(key, err, nullptr);
      if (mk == "optional") {
        bool b = false;
        if (!mf.value().get_bool().get(b) && b) pending.peer_optional.push_back(name);
      }
    }
  }
  return Ok{};
}

Status ManifestReader::engines(od::value v, Manifest& m) {
  od::object obj;
  // Old packages write engines as an array of strings; npm ignores those.
  if (v.get_object().get(obj)) return Ok{};
  for (auto field : obj) {
    od::raw_json_string rk;
    if (auto err = field.key().get(rk)) return json_error("engines", err, nullptr);
    std::string_view* slot = rk == "node" ? &m.engines_node : rk == "npm" ? &m.engines_npm : nullptr;
    if (!slot) continue;
    od::value ev = field.value();
    std::string_view s;
    bool is_string = false;
    simdjson::error_code err{};
    if (string_value(ev, s, is_string, err)) *slot = s;
    else if (err) return json_error("engines", err, nullptr);
  }
  return Ok{};
}

// The keys a manifest can hold that lockcut reads. Anything else is skipped.
enum class Key : uint8_t {
  other, name, version, resolved, integrity, link, dev, optional, dev_optional, peer,
  extraneous, in_bundle, install_script, shrinkwrap, dependencies, optional_dependencies,
  dev_dependencies, peer_dependencies, peer_meta, bundle, bundled_alias, os, cpu, libc,
  engines, workspaces,
};

Key classify_key(std::string_view k) {
  switch (k.size()) {
    case 2: if (k == "os") return Key::os; break;
    case 3:
      if (k == "dev") return Key::dev;
      if (k == "cpu") return Key::cpu;
      break;
    case 4:
      if (k == "name") return Key::name;
      if (k == "link") return Key::link;
      if (k == "peer") return Key::peer;
      if (k == "libc") return Key::libc;
      break;
    case 7:
      if (k == "version") return Key::version;
      if (k == "engines") return Key::engines;
      break;
    case 8:
      if (k == "resolved") return Key::resolved;
      if (k == "optional") return Key::optional;
      if (k == "inBundle") return Key::in_bundle;
      break;
    case 9: if (k == "integrity") return Key::integrity; break;
    case 10:
      if (k == "extraneous") return Key::extraneous;
      if (k == "workspaces") return Key::workspaces;
      break;
    case 11: if (k == "devOptional") return Key::dev_optional; break;
    case 12:
      if (k == "dependencies") return Key::dependencies;
      break;
    case 13: if (k == "hasShrinkwrap") return Key::shrinkwrap; break;
    case 15: if (k == "devDependencies") return Key::dev_dependencies; break;
    case 16:
      if (k == "hasInstallScript") return Key::install_script;
      if (k == "peerDependencies") return Key::peer_dependencies;
      break;
    case 18:
      if (k == "bundleDependencies") return Key::bundle;
      break;
    case 19:
      if (k == "bundledDependencies") return Key::bundled_alias;
      break;
    case 20:
      if (k == "optionalDependencies") return Key::optional_dependencies;
      if (k == "peerDependenciesMeta") return Key::peer_meta;
      break;
    default: break;
  }
  return Key::other;
}

Result<Manifest> ManifestReader::read(od::object obj) {
  Manifest m;
  Pending pending;
  // deps of one manifest are appended contiguously: nested readers below
  // only append to other pools, so the range stays contiguous.
  auto& dep_pool = store_.dep_pool();
  m.deps.begin = static_cast<uint32_t>(dep_pool.size());
  std::string_view key;
  for (auto field : obj) {
    od::raw_json_string rk;
    if (auto err = field.key().get(rk)) return json_error(key, err, nullptr);
    const char* kp = rk.raw();
    last_key_ = kp;
    key = key_view(rk, store_);
    Key k = classify_key(key);
    if (k == Key::other) continue;  // On-Demand skips the unread value
    od::value v;
    if (auto err = field.value().get(v)) return json_error(key, err, kp);
    auto str = [&](std::string_view& slot) -> Status {
      od::json_type t{};
      if (auto err = v.type().get(t)) return json_error(key, err, kp);
      if (t == od::json_type::null) return Ok{};
      bool is_string = false;
      simdjson::error_code err{};
      if (!string_value(v, slot, is_string, err)) {
        if (err) return json_error(key, err, kp);
        return type_error(key, {}, "a string", v);
      }
      return Ok{};
    };
    auto flag = [&](ManifestFlag f) -> Status {
      bool b = false;
      if (v.get_bool().get(b)) return type_error(key, {}, "true or false", v);
      if (b) m.flags |= f;
      return Ok{};
    };
    auto deps = [&](DepKind kind) -> Status {
      auto r = deps_map(v, key, kind);
      if (!r) return r.take_error();
      return Ok{};
    };
    auto list = [&](PoolRange& slot, ManifestFlag present_flag, bool allow_string) -> Status {
      bool present = false;
      auto r = string_list(v, key, allow_string, present);
      if (!r) return r.take_error();
      slot = r.value();
      if (present) m.flags |= present_flag;
      return Ok{};
    };
    Status st = Ok{};
    switch (k) {
      case Key::name:
        st = str(m.name);
        if (!m.name.empty()) m.flags |= kFlagHasName;
        break;
      case Key::version: st = str(m.version); break;
      case Key::resolved: st = str(m.resolved); break;
      case Key::integrity: st = str(m.integrity); break;
      case Key::link: st = flag(kFlagLink); break;
      case Key::dev: st = flag(kFlagDev); break;
      case Key::optional: st = flag(kFlagOptional); break;
      case Key::dev_optional: st = flag(kFlagDevOptional); break;
      case Key::peer: st = flag(kFlagPeer); break;
      case Key::extraneous: st = flag(kFlagExtraneous); break;
      case Key::in_bundle: st = flag(kFlagInBundle); break;
      case Key::install_script: st = flag(kFlagInstallScript); break;
      case Key::shrinkwrap: st = flag(kFlagShrinkwrap); break;
      case Key::dependencies: st = deps(DepKind::prod); break;
      case Key::optional_dependencies: st = deps(DepKind::optional); break;
      case Key::dev_dependencies: st = deps(DepKind::dev); break;
      case Key::peer_dependencies: st = deps(DepKind::peer); break;
      case Key::peer_meta: st = peer_meta(v, key, pending); break;
      case Key::bundle:
      case Key::bundled_alias: {
        od::json_type t{};
        if (auto err = v.type().get(t)) return json_error(key, err, kp);
        PoolRange r;
        if (t == od::json_type::boolean) {
          bool b = false;
          if (v.get_bool().get(b)) b = false;
          if (k == Key::bundle) pending.bundle_all = b;
          else if (!pending.saw_bundle) pending.bundle_all = b;
        } else if (t == od::json_type::object) {
          // an object means its keys (normalize.js)
          od::object o;
          if (v.get_object().get(o)) break;
          auto& pool = store_.string_pool();
          r.begin = static_cast<uint32_t>(pool.size());
          for (auto f : o) {
            od::raw_json_string bk;
            if (auto err = f.key().get(bk)) return json_error(key, err, kp);
            std::string_view name = key_view(bk, store_);
            pool.push_back(name);
            ++r.count;
          }
        } else if (t != od::json_type::null) {
          bool present = false;
          auto rr = string_list(v, key, false, present);
          if (!rr) return rr.take_error();
          r = rr.value();
        }
        if (k == Key::bundle) {
          pending.saw_bundle = true;
          m.bundle = r;
        } else {
          pending.saw_bundled_alias = true;
          pending.alias_bundle = r;
        }
        break;
      }
      case Key::os: st = list(m.os, kFlagHasOs, true); break;
      case Key::cpu: st = list(m.cpu, kFlagHasCpu, true); break;
      case Key::libc: st = list(m.libc, kFlagHasLibc, true); break;
      case Key::engines: st = engines(v, m); break;
      case Key::workspaces: {
        od::json_type t{};
        if (auto err = v.type().get(t)) return json_error(key, err, kp);
        if (t == od::json_type::object) {
          od::object o;
          if (v.get_object().get(o)) break;
          for (auto f : o) {
            od::raw_json_string wk;
            if (auto err = f.key().get(wk)) return json_error(key, err, kp);
            if (wk == "packages") {
              od::value pv;
              if (auto err = f.value().get(pv)) return json_error(key, err, kp);
              bool present = false;
              auto rr = string_list(pv, key, false, present);
              if (!rr) return rr.take_error();
              m.workspaces = rr.value();
            }
          }
        } else {
          st = list(m.workspaces, ManifestFlag{}, false);
        }
        break;
      }
      case Key::other: break;
    }
    if (!st) return st.take_error();
  }
  // the string pool may have been appended to between deps maps, but the dep
  // pool only by our own deps maps, so [begin, end) is this manifest's
  m.deps.count = static_cast<uint32_t>(dep_pool.size()) - m.deps.begin;
  if (!pending.saw_bundle && pending.saw_bundled_alias) m.bundle = pending.alias_bundle;
  if (pending.bundle_all) {
    std::vector<std::string_view> names;
    for (const auto& d : store_.deps(m.deps)) {
      if (d.kind == DepKind::prod) names.push_back(d.name);
    }
    m.bundle = store_.add_strings(names);
  }
  if (!pending.peer_optional.empty()) {
    for (uint32_t i = m.deps.begin; i < m.deps.begin + m.deps.count; ++i) {
      auto& d = dep_pool[i];
      if (d.kind == DepKind::peer &&
          std::find(pending.peer_optional.begin(), pending.peer_optional.end(), d.name) !=
              pending.peer_optional.end()) {
        d.kind = DepKind::peer_optional;
      }
    }
  }
  return m;
}

}  // namespace

// A key's text runs from raw() to the first unescaped quote; the quote is
// always there because simdjson validated the string structure. Keys are
// a third of a lockfile's tokens: find the quote 8 bytes at a time (a byte
// loop mispredicts its exit on every key; measured 14% of the parse). The
// document is padded, so reading up to 7 bytes past the quote is safe.
std::string_view key_view(od::raw_json_string rk, ManifestStore& store) {
  const char* p = rk.raw();
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto bytes_equal = [](uint64_t w, uint64_t c) {
    // the lowest flagged byte is exact; higher ones may be false
    uint64_t x = w ^ c;
    return (x - kOnes) & ~x & kHighs;
  };
  for (size_t n = 0;; n += 8) {
    uint64_t w;
    std::memcpy(&w, p + n, 8);
    const uint64_t quote = bytes_equal(w, kOnes * '"'), slash = bytes_equal(w, kOnes * '\\');
    if (!(quote | slash)) continue;
    const size_t at_quote = quote ? static_cast<size_t>(__builtin_ctzll(quote)) / 8 : 8;
    const size_t at_slash = slash ? static_cast<size_t>(__builtin_ctzll(slash)) / 8 : 8;
    if (at_quote < at_slash) return std::string_view(p, n + at_quote);
    break;  // an escape comes first
  }
  size_t n = 0;
  while (p[n] != '"') n += p[n] == '\\' ? 2 : 1;
  std::string_view key(p, n);
  std::string out;
  if (!unescape(key, out)) return key;
  return store.intern(out);
}

bool token_to_string(std::string_view raw, ManifestStore& store, std::string_view& out) {
  raw = trim_right(raw);
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return false;
  std::string_view inner = raw.substr(1, raw.size() - 2);
  if (inner.find('\\') == std::string_view::npos) {
    out = inner;
    return true;
  }
  std::string decoded;
  if (!unescape(inner, decoded)) return false;
  out = store.intern(decoded);
  return true;
}

Result<Manifest> parse_manifest(od::object obj, ManifestStore& store, const JsonWhere& where) {
  ManifestReader reader(store, where);
  return reader.read(obj);
}

Result<Manifest> read_package_json(const std::string& path, ManifestStore& store,
                                   std::string_view* text_read) {
  simdjson::padded_string text;
  if (auto err = simdjson::padded_string::load(path).get(text)) {
    return user_error("cannot read '" + path + "': " + simdjson::error_message(err));
  }
  const auto& kept = store.keep(std::move(text));
  if (text_read) *text_read = std::string_view(kept.data(), kept.size());
  simdjson::padded_string_view view(kept.data(), kept.size(), kept.size() + simdjson::SIMDJSON_PADDING);
  if (view.size() >= 3 && std::string_view(view.data(), 3) == "\xEF\xBB\xBF") {
    view = simdjson::padded_string_view(view.data() + 3, view.size() - 3, view.capacity() - 3);
  }
  od::parser parser;
  od::document doc;
  JsonWhere where{path, {}, view.data()};
  if (auto err = parser.iterate(view).get(doc)) {
    return user_error("'" + path + "': malformed JSON: " + simdjson::error_message(err),
                      {"fix the JSON syntax of this package.json"});
  }
  od::object obj;
  if (auto err = doc.get_object().get(obj)) {
    return user_error("'" + path + "': expected a JSON object: " + simdjson::error_message(err),
                      {"fix the JSON syntax of this package.json"});
  }
  auto m = parse_manifest(obj, store, where);
  if (!m) return m;
  if (!doc.current_location().error()) {
    return user_error("'" + path + "': malformed JSON: trailing content after the object",
                      {"fix the JSON syntax of this package.json"});
  }
  return m;
}

}  // namespace lockcut
