// tarball_store.h: lockcut's own cache of verified tarballs.
//
// Content-addressed like npm's cacache, but holding only tarballs that
// matched their lockfile integrity: `<dir>/<algo>/<hex[0:2]>/<hex[2:]>.tgz`,
// keyed by the lockfile's own (strongest) hash. An entry is written under a
// temporary name inside the store and renamed into place once its digest is
// known, so readers never see half a file, and two lockcut processes filling
// the same store at once only ever rename identical bytes over each other.
#pragma once

#include <optional>
#include <string>

#include "lockcut/integrity.h"
#include "lockcut/result.h"

namespace lockcut {

class TarballWriter;

/// A folder of verified tarballs.
class TarballStore {
 public:
  /// A store rooted at `dir` (created on the first write).
  explicit TarballStore(std::string dir) : dir_(std::move(dir)) {}

  /// $XDG_CACHE_HOME/lockcut, else $HOME/.cache/lockcut; "" when neither is set.
  static std::string default_dir();

  /// The store's folder.
  const std::string& dir() const { return dir_; }
  /// Where the tarball with this digest lives (whether or not it is there).
  std::string path_for(const Integrity& integrity) const;
  /// The path of the tarball with this digest when present and its bytes
  /// still match; an entry that no longer matches is removed.
  std::optional<std::string> find(const Integrity& integrity) const;
  /// Starts a new entry whose digest is computed in `algo` as it is written.
  Result<TarballWriter> create(HashAlgo algo) const;

 private:
  std::string dir_;
};

/// A tarball being written into the store: a temporary file removed unless
/// committed.
class TarballWriter {
 public:
  TarballWriter(TarballWriter&& other) noexcept;
  TarballWriter& operator=(TarballWriter&&) = delete;
  ~TarballWriter();

  /// Appends bytes; a system error (a full disk) when they cannot be written.
  Status write(const void* data, size_t size);
  /// The digest of everything written; call once, after the last write.
  Integrity digest();
  /// Moves the file to its place for `key` and returns that path.
  Result<std::string> commit(const Integrity& key);
  /// The temporary file.
  const std::string& temp_path() const { return temp_; }

 private:
  friend class TarballStore;
  TarballWriter(const TarballStore& store, std::string temp, int fd, HashAlgo algo);
  TarballStore store_;
  std::string temp_;
  int fd_ = -1;
  IntegrityChecker checker_;
};

}  // namespace lockcut
