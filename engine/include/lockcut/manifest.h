// manifest.h: a package's metadata as npm sees it.
//
// npm treats a lockfile entry as the package's package.json (arborist's
// `#loadNode` passes the entry as `pkg`), so one type serves both: a
// `packages[...]` entry and a package.json read from disk. Strings are views
// into the JSON text (or, rarely, into an arena when the text had escapes);
// lists live in flat pools of the ManifestStore so a 500k-package lockfile
// costs no allocation per package.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "lockcut/result.h"

namespace lockcut {

/// How one package depends on another (arborist `edge.type`).
enum class DepKind : uint8_t { prod, dev, optional, peer, peer_optional, workspace };

/// Name of a DepKind as npm spells it ("peerOptional", ...).
std::string_view dep_kind_name(DepKind kind);

/// A package or folder name interned in a NameTable: resolution and the
/// graph compare these instead of strings.
using NameId = uint32_t;
inline constexpr NameId kNoName = UINT32_MAX;

/// One declared dependency: a key of `dependencies`, `devDependencies`, ...
struct DeclaredDep {
  std::string_view name;
  std::string_view spec;
  DepKind kind;
  /// `name` in ManifestStore::names(), set by add_deps and by
  /// build_graph (which interns the whole pool at once, when the table is
  /// warm); kNoName before.
  NameId name_id = kNoName;
};

/// Interns names (dependency names, lockfile folder names) to dense ids.
/// Open addressing with 8-byte slots (hash, record); a record holds the id,
/// the length and the bytes together, so a hit costs two cache misses, and
/// the names are copied there so lookups never touch the lockfile text.
/// Every block is sized for huge pages (memory.h).
class NameTable {
 public:
  /// Sizes the table for about `n` names, so it does not regrow.
  void reserve(size_t n);
  /// The id of `s`, adding it when new.
  NameId intern(std::string_view s) { return intern(s, hash(s)); }
  /// The same, with `h == hash(s)` computed ahead (see prefetch()).
  NameId intern(std::string_view s, uint32_t h);
  /// The id of `s`, or kNoName when it was never interned.
  NameId find(std::string_view s) const;
  /// The hash intern() and find() use.
  static uint32_t hash(std::string_view s);
  /// Starts loading what a lookup of hash `h` reads first; a loop that
  /// hashes some names ahead of the one it interns hides that latency.
  void prefetch(uint32_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(h)]);
  }
  /// Starts loading the name a lookup of `h` compares with, once the slot
  /// is in cache (a second, shorter distance ahead).
  void prefetch_name(uint32_t h) const {
    if (slots_.empty()) return;
    const Slot& slot = slots_[home(h)];
    if (slot.record != UINT32_MAX) __builtin_prefetch(record(slot.record));
  }
  /// The name behind an id; the view lives as long as the table.
  std::string_view name(NameId id) const { return names_[id]; }
  /// Number of names (ids are 0 .. size()-1).
  uint32_t size() const { return static_cast<uint32_t>(names_.size()); }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t record = UINT32_MAX;  ///< block << kBlockBits | offset
  };
  static constexpr uint32_t kBlockBits = 21;
  // the table's size is no power of two (memory.h): map the hash onto it
  size_t home(uint32_t h) const { return static_cast<size_t>((uint64_t{h} * slots_.size()) >> 32); }
  const char* record(uint32_t r) const {
    return blocks_[r >> kBlockBits].get() + (r & ((1u << kBlockBits) - 1));
  }
  bool matches(uint32_t r, std::string_view s, NameId& id) const;
  void rehash(size_t cap);
  std::vector<Slot> slots_;
  std::vector<std::string_view> names_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_size_ = 0;  ///< of the last block
  size_t used_ = 0;        ///< bytes used in the last block
};

/// A half-open range into one of the ManifestStore pools.
struct PoolRange {
  uint32_t begin = 0;
  uint32_t count = 0;
};

/// Bits of Manifest::flags.
enum ManifestFlag : uint16_t {
  kFlagDev = 1 << 0,            ///< stored `"dev": true`
  kFlagOptional = 1 << 1,       ///< stored `"optional": true`
  kFlagDevOptional = 1 << 2,    ///< stored `"devOptional": true`
  kFlagPeer = 1 << 3,           ///< stored `"peer": true`
  kFlagExtraneous = 1 << 4,     ///< stored `"extraneous": true`
  kFlagLink = 1 << 5,           ///< `"link": true`
  kFlagInBundle = 1 << 6,       ///< `"inBundle": true` (v1: `bundled`)
  kFlagInstallScript = 1 << 7,  ///< `"hasInstallScript": true`
  kFlagShrinkwrap = 1 << 8,     ///< `"hasShrinkwrap": true`
  kFlagHasOs = 1 << 9,          ///< an `os` field is present
  kFlagHasCpu = 1 << 10,        ///< a `cpu` field is present
  kFlagHasLibc = 1 << 11,       ///< a `libc` field is present
  kFlagHasName = 1 << 12,       ///< a `name` field is present
};

/// The fields of a package.json (or lockfile entry) that decide installs.
struct Manifest {
  std::string_view name;          ///< `name`; empty when absent
  std::string_view version;
  std::string_view resolved;
  std::string_view integrity;
  std::string_view engines_node;  ///< `engines.node`, empty when absent
  std::string_view engines_npm;   ///< `engines.npm`, empty when absent
  PoolRange deps;                 ///< into ManifestStore::deps, in file order
  PoolRange os, cpu, libc;        ///< into ManifestStore::strings
  PoolRange bundle;               ///< `bundleDependencies` names, normalized
  PoolRange workspaces;           ///< `workspaces` globs (root only)
  uint32_t offset = 0;            ///< byte offset of the object in its file
  uint16_t flags = 0;             ///< ManifestFlag bits

  bool has(ManifestFlag f) const { return (flags & f) != 0; }
};

/// Owns the JSON texts and the pools that Manifests point into. Views stay
/// valid for the store's lifetime (the containers never relocate elements).
class ManifestStore {
 public:
  /// Keeps a document's text alive; returns a stable reference.
  const simdjson::padded_string& keep(simdjson::padded_string text);
  /// Keeps a read-only file mapping alive (unmapped when the store goes).
  void keep_mapping(void* addr, size_t length);
  /// Copies a string into the arena; the view stays valid.
  std::string_view intern(std::string_view s);

  std::span<const DeclaredDep> deps(PoolRange r) const {
    return {deps_.data() + r.begin, r.count};
  }
  std::span<const std::string_view> strings(PoolRange r) const {
    return {strings_.data() + r.begin, r.count};
  }
  /// Appends dependencies as a new range (used for edges npm synthesizes);
  /// interns the names that have no id yet.
  PoolRange add_deps(std::span<const DeclaredDep> deps);
  /// Appends strings as a new range.
  PoolRange add_strings(std::span<const std::string_view> strings);

  /// Interned names: dependency names and lockfile folder names.
  NameTable& names() { return names_; }
  const NameTable& names() const { return names_; }

  std::vector<DeclaredDep>& dep_pool() { return deps_; }
  const std::vector<DeclaredDep>& dep_pool() const { return deps_; }
  std::vector<std::string_view>& string_pool() { return strings_; }

 private:
  struct Mapping {
    void* addr = nullptr;
    size_t length = 0;
    Mapping(void* a, size_t l) : addr(a), length(l) {}
    Mapping(Mapping&& o) noexcept : addr(o.addr), length(o.length) { o.addr = nullptr; }
    Mapping(const Mapping&) = delete;
    ~Mapping();
  };
  std::deque<simdjson::padded_string> texts_;
  std::deque<Mapping> mappings_;
  std::deque<std::string> arena_;
  std::vector<DeclaredDep> deps_;
  std::vector<std::string_view> strings_;
  NameTable names_;
};

/// Where a JSON value sits, for error messages: the file, a JSON path such as
/// `packages["node_modules/a"].version` and the byte offset.
struct JsonWhere {
  std::string_view file;
  std::string_view path_prefix;  ///< e.g. `packages["node_modules/a"]`
  const char* text_begin = nullptr;
  /// For a lockfile entry, instead of path_prefix: the prefix is then
  /// `packages["<key>"]`, spelled out only when a message needs it (a
  /// lockfile has 100,000 entries and, usually, no error).
  const std::string_view* packages_key = nullptr;
};

/// Reads one JSON object as a package manifest, in a single pass over its
/// fields. `is_lock_entry` accepts the lockfile-only fields (`link`, flags).
/// Unknown fields are skipped; a known field of the wrong type is an error.
Result<Manifest> parse_manifest(simdjson::ondemand::object obj, ManifestStore& store,
                                const JsonWhere& where);

/// Reads a package.json file from disk into the store; `text`, when given,
/// is set to the bytes read (kept by the store).
Result<Manifest> read_package_json(const std::string& path, ManifestStore& store,
                                   std::string_view* text = nullptr);

/// Trims a raw JSON token to the string it holds, unescaping into the store
/// when needed. Returns false when the token is not a string.
bool token_to_string(std::string_view raw, ManifestStore& store, std::string_view& out);

/// The text of an object key as a view into the document (decoded into the
/// store only when it holds an escape).
std::string_view key_view(simdjson::ondemand::raw_json_string key, ManifestStore& store);

/// The byte offset of `p` in the text starting at `begin`.
inline uint32_t offset_of(const char* begin, const char* p) {
  return static_cast<uint32_t>(p - begin);
}

}  // namespace lockcut
