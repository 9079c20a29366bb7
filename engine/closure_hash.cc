// closure_hash.cc: the key of what `pack` would ship (closure_hash.h).
//
// The parts are collected first (a plain value that `--json` prints), then
// fed to one sha256 as netstrings (`<length>:<bytes>`), so no field can run
// into the next whatever characters a path holds. Packages go in output
// location order, files in byte order: the key depends on neither the
// lockfile's order nor the folder the project sits in.
#include "lockcut/closure_hash.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "lockcut/integrity.h"
#include "lockcut/packlist.h"
#include "lockcut/plan.h"

namespace lockcut {

std::string_view content_kind_name(ContentKind kind) {
  switch (kind) {
    case ContentKind::integrity: return "integrity";
    case ContentKind::files: return "files";
    case ContentKind::bundled: return "bundledIn";
    case ContentKind::resolved: return "resolved";
  }
  return "";
}

namespace {

bool in_node_modules(std::string_view loc) {
  return loc.substr(0, 13) == "node_modules/" || loc.find("/node_modules/") != std::string_view::npos;
}

// The packed files of `dir` with their content digests.
Result<std::vector<HashedFile>> hash_packed(const std::string& dir, const PackOptions& options) {
  auto list = pack_list(dir, options);
  if (!list) return list.take_error();
  std::vector<HashedFile> files;
  files.reserve(list->size());
  for (std::string& rel : list.value()) {
    std::string path = dir + "/" + rel;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      return system_error("cannot stat '" + path + "': " + std::strerror(errno));
    }
    HashedFile f{std::move(rel), (st.st_mode & S_IXUSR) != 0, {}};
    if (S_ISLNK(st.st_mode)) {
      std::string text(4096, '\0');
      ssize_t n = ::readlink(path.c_str(), text.data(), text.size());
      if (n < 0) return system_error("cannot read link '" + path + "': " + std::strerror(errno));
      IntegrityChecker c(HashAlgo::sha256);
      c.update(text.data(), size_t(n));
      f.sha256 = c.finish().hex();
    } else {
      auto digest = hash_file(path, HashAlgo::sha256);
      if (!digest) return digest.take_error();
      f.sha256 = digest->hex();
    }
    files.push_back(std::move(f));
  }
  return files;
}

// Netstrings into one digest.
class KeyWriter {
 public:
  void field(std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    c_.update(len.data(), len.size());
    c_.update(s.data(), s.size());
  }
  void files(const std::vector<HashedFile>& files) {
    field(std::to_string(files.size()));
    for (const HashedFile& f : files) {
      field(f.path);
      field(f.executable ? "x" : "-");
      field(f.sha256);
    }
  }
  std::string finish() { return c_.finish().hex(); }

 private:
  IntegrityChecker c_{HashAlgo::sha256};
};

}  // namespace

Result<ClosureHash> closure_hash(const Analysis& analysis, const HashOptions& options) {
  const Graph& graph = analysis.graph;
  std::string root_dir =
      std::filesystem::absolute(analysis.project.dir).lexically_normal().string();
  while (root_dir.size() > 1 && root_dir.back() == '/') root_dir.pop_back();

  ClosureHash h;
  const Target& target = analysis.select_options.target;
  h.os = target.os;
  h.cpu = target.cpu;
  h.libc = target.libc;
  if (analysis.target.runtime) h.runtime = analysis.target.runtime->id;
  h.options = options;

  for (auto& [id, dest] : shipped_packages(graph, analysis.sel)) {
    const Node& n = graph.node(id);
    HashedPackage p{std::move(dest), std::string(n.package_name()), std::string(n.version()),
                    ContentKind::integrity, {}, {}};
    // a link ships its target: a folder of the repository, or (rarely) an
    // installed package that has a lockfile entry of its own
    const Node& src = n.is_link() ? graph.node(n.target) : n;
    const Manifest* lock = src.lock_pkg ? src.lock_pkg : src.pkg;
    if (n.is_link() && !in_node_modules(src.location)) {
      PackOptions po;
      // `npm pack` in a workspace folder also reads the root's ignore files
      if (graph.is_workspace(n.target)) po.workspace_root = root_dir;
      auto files = hash_packed(root_dir + "/" + std::string(src.location), po);
      if (!files) return files.take_error();
      p.kind = ContentKind::files;
      p.files = std::move(files.value());
    } else if (lock && !lock->integrity.empty()) {
      p.content = lock->integrity;
    } else if (NodeId b = analysis.sel.bundler[id]; b != kNoNode) {
      p.kind = ContentKind::bundled;
      p.content = graph.node(b).location;
    } else if (lock && !lock->resolved.empty()) {
      p.kind = ContentKind::resolved;
      p.content = lock->resolved;
    } else {
      return user_error("cannot hash '" + std::string(src.location) + "': " + graph.lockfile().path +
                            " records neither its integrity nor where it was resolved from",
                        {"run `npm install` to rewrite the lockfile with integrity values"});
    }
    h.packages.push_back(std::move(p));
  }
  std::sort(h.packages.begin(), h.packages.end(),
            [](const HashedPackage& a, const HashedPackage& b) { return a.location < b.location; });

  if (options.own_files) {
    auto files = hash_packed(root_dir, {});
    if (!files) return files.take_error();
    h.own_files = std::move(files.value());
  }

  KeyWriter w;
  w.field("lockcut closure");
  w.field(std::to_string(kClosureHashFormat));
  w.field(h.os);
  w.field(h.cpu);
  w.field(h.libc);
  w.field(h.runtime);
  w.field(options.prefix);
  w.field(options.own_files ? "own" : "-");
  w.field(options.bin ? "bin" : "-");
  w.field(options.strip_foreign_prebuilds ? "strip" : "-");
  w.field(std::to_string(h.packages.size()));
  for (const HashedPackage& p : h.packages) {
    w.field(p.location);
    w.field(p.name);
    w.field(p.version);
    w.field(content_kind_name(p.kind));
    if (p.kind == ContentKind::files) w.files(p.files);
    else w.field(p.content);
  }
  w.files(h.own_files);
  h.key = "lockcut-" + std::to_string(kClosureHashFormat) + ":" + w.finish();
  return h;
}

}  // namespace lockcut
