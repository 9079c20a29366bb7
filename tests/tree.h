// tree.h: a folder as a list of files and symlinks, for comparing outputs
// with what npm put on disk.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace lockcut::test {

/// One file or symlink: what the comparisons look at.
struct FileInfo {
  char type = 'f';     ///< f or l
  std::string mode;    ///< octal permission bits
  uint64_t size = 0;
  std::string target;  ///< symlinks
  bool operator==(const FileInfo&) const = default;
};

std::ostream& operator<<(std::ostream& os, const FileInfo& f);

/// Relative path -> file.
using Tree = std::map<std::string, FileInfo>;

/// Every file and symlink under `root` (folders are implied).
Tree read_tree(const std::string& root);

/// Fails the current test for each difference (at most 10 shown).
void expect_same(const Tree& expected, const Tree& got, const std::string& what);

}  // namespace lockcut::test
