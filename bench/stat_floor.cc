// stat_floor.cc: the least a warm `lockcut pack` has to do, timed alone.
//
//   lockcut_stat_floor PROJECT_DIR [--runs N] < FOLDERS
//
// A package's kept listing and zip entries are trusted only while each of
// its folders and files has the stat it had (tree_cache.h, entry_cache.h),
// so a warm pack stats every folder and file of every shipped package: on
// the generated 5,000-package tree, about 28,800 stat calls. This program
// makes exactly those calls and nothing else: per package folder (one path
// per line on stdin, relative to PROJECT_DIR, as `lockcut pack --dry-run
// --json` lists them) it opens the folder, fstats it and fstatats each of
// its folders and files, spread over all cores as a warm pack spreads them
// (tbb::parallel_for over the folders, a large one in slices). The folders
// are walked once first (not timed). It prints the median seconds of N
// rounds after one warm-up round, then the number of stat calls per round,
// so compare-incremental.sh can put a warm pack beside the floor that its
// trust rule sets.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <tbb/parallel_for.h>

#include "lockcut/tree_cache.h"

namespace {

using lockcut::FolderListing;

struct Folder {
  std::string path;  // relative to the project
  FolderListing listing;
};

// Stats [begin, end) of a folder's folders-then-files; returns how many.
uint64_t stat_slice(int fd, const FolderListing& l, size_t begin, size_t end) {
  struct stat st;
  uint64_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    if (i < l.dirs.size()) {
      const std::string& d = l.dirs[i].path;
      n += d.empty() ? ::fstat(fd, &st) == 0
                     : ::fstatat(fd, d.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    } else {
      const std::string& f = l.files[i - l.dirs.size()].path;
      n += ::fstatat(fd, f.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    }
  }
  return n;
}

// One round: every stat a warm pack's check makes; returns how many. A
// large folder is split into slices of 1,024 as revalidate_at() splits it
// (one package can hold most of a project's files).
uint64_t stat_all(int root, const std::vector<Folder>& folders) {
  constexpr size_t kSlice = 1024;
  std::atomic<uint64_t> calls{0};
  tbb::parallel_for(size_t(0), folders.size(), [&](size_t i) {
    const Folder& f = folders[i];
    int fd = ::openat(root, f.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
    if (fd < 0) return;
    const size_t total = f.listing.dirs.size() + f.listing.files.size();
    if (total <= kSlice) {
      calls.fetch_add(stat_slice(fd, f.listing, 0, total), std::memory_order_relaxed);
    } else {
      tbb::parallel_for(size_t(0), total, kSlice, [&](size_t at) {
        calls.fetch_add(stat_slice(fd, f.listing, at, std::min(at + kSlice, total)),
                        std::memory_order_relaxed);
      });
    }
    ::close(fd);
  });
  return calls.load();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: lockcut_stat_floor PROJECT_DIR [--runs N] < FOLDERS\n");
    return 2;
  }
  const std::string project = argv[1];
  int runs = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
  }
  int root = ::open(project.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
  if (root < 0) {
    std::fprintf(stderr, "lockcut_stat_floor: cannot open '%s'\n", project.c_str());
    return 1;
  }
  std::vector<Folder> folders;
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    Folder f{line, {}};
    // a package's own node_modules holds packages of their own, as in a pack
    if (!lockcut::list_folder(project + "/" + line, true, f.listing)) continue;
    folders.push_back(std::move(f));
  }
  if (folders.empty()) {
    std::fprintf(stderr, "lockcut_stat_floor: no package folders on stdin\n");
    return 1;
  }
  uint64_t calls = stat_all(root, folders);  // warm-up: the dentries in memory
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    calls = stat_all(root, folders);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("%.3f %llu\n", seconds[seconds.size() / 2], static_cast<unsigned long long>(calls));
  ::close(root);
  return 0;
}
