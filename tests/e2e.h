// e2e.h: running the real `lockcut` binary (and node) from tests.
#pragma once

#include <string>
#include <vector>

namespace lockcut::test {

/// What a command printed and how it exited.
struct Outcome {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs `argv` (no shell), capturing stdout and stderr.
Outcome run(const std::vector<std::string>& argv, const std::string& cwd = {});

/// Runs the lockcut binary under test with these arguments.
Outcome lockcut(const std::vector<std::string>& args);

/// The repository's fixtures folder.
std::string fixtures();

/// Reads a whole file ("" when missing).
std::string read_file(const std::string& path);

/// Reads a file, gunzipping it when the name ends in .gz.
std::string read_maybe_gz(const std::string& path);

/// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// Writes `content` at `rel` (creating folders).
  void write(const std::string& rel, const std::string& content) const;

 private:
  std::string path_;
};

/// Copies a folder tree (cp -a).
void copy_tree(const std::string& from, const std::string& to);

/// A corpus project (fixtures/corpus/NAME) installed with a full
/// `npm ci --ignore-scripts` from its lockfile, the tree `lockcut pack` reads.
/// Cached under $LOCKCUT_INSTALL_CACHE (default: the build tree's
/// corpus-installs/) and reused while the lockfile is unchanged; a lock file
/// keeps parallel tests from installing the same project twice. Throws when
/// npm fails. Tests must not write into the returned folder.
std::string installed_corpus(const std::string& name);

/// fixtures/FIXTURE installed with `npm ci --ignore-scripts NPM_FLAGS...`
/// (`--os=darwin --cpu=arm64`, `--omit=dev`), cached as installed_corpus()
/// does under KEY.
std::string installed_fixture(const std::string& fixture, const std::string& key,
                              const std::vector<std::string>& npm_flags);

}  // namespace lockcut::test
