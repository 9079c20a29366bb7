// tree.cc: folders as file lists (see tree.h).
#include "tree.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

namespace lockcut::test {

namespace fs = std::filesystem;

std::ostream& operator<<(std::ostream& os, const FileInfo& f) {
  return os << f.type << " " << f.mode << " " << f.size << (f.type == 'l' ? " -> " + f.target : "");
}

Tree read_tree(const std::string& root) {
  Tree tree;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st;
    ::lstat(it->path().c_str(), &st);
    if (S_ISDIR(st.st_mode)) continue;
    FileInfo f;
    f.type = S_ISLNK(st.st_mode) ? 'l' : 'f';
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", st.st_mode & 07777);
    f.mode = mode;
    f.size = uint64_t(st.st_size);
    if (f.type == 'l') f.target = fs::read_symlink(it->path()).string();
    tree[it->path().lexically_relative(root).string()] = f;
  }
  return tree;
}

void expect_same(const Tree& expected, const Tree& got, const std::string& what) {
  size_t shown = 0;
  for (const auto& [path, f] : expected) {
    auto it = got.find(path);
    if (it == got.end()) {
      if (shown++ < 10) ADD_FAILURE() << what << ": missing " << path;
    } else if (!(it->second == f)) {
      if (shown++ < 10) ADD_FAILURE() << what << ": " << path << " is " << it->second << ", npm: " << f;
    }
  }
  for (const auto& [path, f] : got) {
    if (!expected.count(path) && shown++ < 10) ADD_FAILURE() << what << ": extra " << path;
  }
  EXPECT_EQ(shown, 0u) << what << ": " << shown << " differences";
}

}  // namespace lockcut::test
