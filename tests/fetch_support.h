// fetch_support.h: helpers for the fetch, cache and unpack tests.
//
// Throwaway folders, tarballs built in the test with libarchive (evil ones
// included), a local registry (tests/registry_server.js on 127.0.0.1) and
// shell commands run with an isolated HOME, so no test reads the user's
// npm config or cache, or the network.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace lockcut::test {

/// A fresh folder under $TMPDIR, removed with the object.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

/// One entry of a tarball built by make_tarball.
struct TarEntry {
  enum Type { file, dir, symlink, hardlink, fifo } type = file;
  std::string path;
  std::string content = {};  ///< files: the bytes; links: the target
  unsigned mode = 0644;
};

/// Writes a gzipped ustar tarball with exactly these entries.
void make_tarball(const std::string& path, const std::vector<TarEntry>& entries);

/// The bytes of a file ("" when missing).
std::string read_text(const std::string& path);
/// Writes a file, creating folders.
void write_text(const std::string& path, const std::string& content);

/// Runs `command` with sh; returns stdout; `status` gets the exit status.
std::string run(const std::string& command, int* status = nullptr);

/// tests/registry_server.js, serving `root`, for the object's lifetime.
class RegistryServer {
 public:
  /// `options` is the JSON body after root and log (`"token": "t", ...`).
  explicit RegistryServer(const std::string& root, const std::string& options = "");
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  /// `http://127.0.0.1:<port>`
  const std::string& origin() const { return origin_; }
  /// The requests seen so far, one `<path> <authorization or ->` per line.
  std::vector<std::string> log() const;

 private:
  Scratch dir_;
  std::string origin_;
  pid_t pid_ = -1;
  int stdin_ = -1;
};

}  // namespace lockcut::test
