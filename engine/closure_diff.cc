// closure_diff.cc: two states' shipped packages, compared (closure_diff.h).
//
// Each state becomes a Closure, a sorted list of (output location, name,
// version, integrity, sizes), then one merge walk compares them. A project
// or lockfile goes through the same pipeline as `pack` (shipped_packages for
// the locations, make_plan for the sizes); a zip is read through its central
// directory only, inflating just the package.json files, so a 50 MB
// function zip costs a few reads; a git revision is materialized as the
// files npm reads (the lockfile and every package.json) in a temporary
// folder, which is enough for the analysis and needs no checkout.
#include "lockcut/closure_diff.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <libdeflate.h>
#include <simdjson.h>

#include "lockcut/plan.h"

extern char** environ;

namespace lockcut {

namespace fs = std::filesystem;

std::string_view state_kind_name(StateKind kind) {
  switch (kind) {
    case StateKind::project: return "project";
    case StateKind::lockfile: return "lockfile";
    case StateKind::zip: return "zip";
    case StateKind::git: return "git";
  }
  return "";
}

Result<StateSpec> parse_state(std::string_view arg) {
  StateSpec s;
  if (arg.substr(0, 4) == "git:") {
    s.kind = StateKind::git;
    std::string_view rest = arg.substr(4);
    size_t colon = rest.find(':');
    s.rev = std::string(rest.substr(0, colon));
    s.path = colon == std::string_view::npos ? "." : std::string(rest.substr(colon + 1));
    if (s.path.empty()) s.path = ".";
    if (s.rev.empty() || s.rev[0] == '-') {
      return user_error("'" + std::string(arg) + "' names no git revision",
                        {"write git:REV or git:REV:DIR, e.g. git:HEAD~1 or git:main:services/api"});
    }
    return s;
  }
  s.path = std::string(arg);
  std::error_code ec;
  fs::file_status st = fs::status(s.path, ec);
  if (!fs::exists(st)) {
    return user_error("cannot read '" + s.path + "': no such file or folder",
                      {"give a project folder, a lockfile, a zip written by `lockcut pack`, or git:REV"});
  }
  if (fs::is_directory(st)) s.kind = StateKind::project;
  else if (s.path.size() > 4 && s.path.ends_with(".zip")) s.kind = StateKind::zip;
  else s.kind = StateKind::lockfile;
  return s;
}

Result<Closure> closure_of_analysis(const Analysis& analysis) {
  const Graph& graph = analysis.graph;
  Closure c;
  for (auto& [id, dest] : shipped_packages(graph, analysis.sel)) {
    const Node& n = graph.node(id);
    ClosurePackage p{std::move(dest), std::string(n.package_name()), std::string(n.version()),
                     {}, {}, {}};
    if (!n.is_link() && n.lock_pkg) p.integrity = n.lock_pkg->integrity;
    c.packages.push_back(std::move(p));
  }
  std::sort(c.packages.begin(), c.packages.end(),
            [](const ClosurePackage& a, const ClosurePackage& b) { return a.location < b.location; });

  // sizes: what pack would write for each package, when the tree is there
  std::error_code ec;
  if (!fs::is_directory(fs::path(analysis.project.dir) / "node_modules", ec)) {
    c.notes.push_back("sizes unknown for '" + analysis.project.dir + "': nothing is installed");
    return c;
  }
  PlanOptions po;
  po.own_files = false;
  Result<PackPlan> plan = make_plan(analysis, po);
  if (!plan) {
    c.notes.push_back("sizes unknown for '" + analysis.project.dir + "': " + plan.error().message);
    return c;
  }
  std::map<std::string_view, uint64_t> bytes;
  for (const PlanPackage& p : plan->packages) {
    if (p.reason != PlanReason::own && p.reason != PlanReason::hidden) bytes[p.dest] = p.bytes;
  }
  for (ClosurePackage& p : c.packages) {
    if (auto it = bytes.find(p.location); it != bytes.end()) p.bytes = it->second;
  }
  return c;
}

namespace {

uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const unsigned char* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

// The package folder an archive path belongs to: the deepest
// `node_modules/<name>` (or `@scope/<name>`) folder above it; empty for
// the project's own files and for npm's and tools' hidden folders.
std::string_view package_folder(std::string_view path) {
  std::string_view folder;
  size_t at = 0;
  while (true) {
    size_t nm = path.find("node_modules/", at);
    if (nm == std::string_view::npos) return folder;
    if (nm != 0 && path[nm - 1] != '/') {
      at = nm + 1;
      continue;
    }
    size_t name = nm + 13;
    size_t end = path.find('/', name);
    if (end != std::string_view::npos && path[name] == '@') end = path.find('/', end + 1);
    // a file directly in node_modules, or a hidden folder: no package
    if (end == std::string_view::npos || path[name] == '.') return path[name] == '.' ? std::string_view() : folder;
    folder = path.substr(0, end);
    at = end + 1;
  }
}

struct ZipFile {
  int fd = -1;
  ~ZipFile() {
    if (fd >= 0) ::close(fd);
  }
  bool read_at(uint64_t offset, void* buf, size_t n) const {
    return ::pread(fd, buf, n, off_t(offset)) == ssize_t(n);
  }
};

}  // namespace

Result<Closure> closure_of_zip(const std::string& path) {
  ZipFile z;
  z.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (z.fd < 0) return system_error("cannot read '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(z.fd, &st) != 0) return system_error("cannot stat '" + path + "': " + std::strerror(errno));
  auto bad = [&](const std::string& why) {
    return user_error("'" + path + "' is not a zip lockcut can read: " + why,
                      {"give a zip written by `lockcut pack --zip` (zip64 is not read)"});
  };
  // the end record is in the last 22 + 65535 bytes (its comment)
  uint64_t size = uint64_t(st.st_size);
  size_t tail = size_t(std::min<uint64_t>(size, 22 + 65535));
  std::vector<unsigned char> end(tail);
  if (tail < 22 || !z.read_at(size - tail, end.data(), tail)) return bad("too short");
  size_t eocd = tail - 22 + 1;
  while (eocd-- > 0 && le32(&end[eocd]) != 0x06054b50) {}
  if (eocd == size_t(-1)) return bad("no end of central directory");
  uint64_t cd_size = le32(&end[eocd + 12]), cd_offset = le32(&end[eocd + 16]);
  if (cd_offset == 0xFFFFFFFFu || cd_offset + cd_size > size) return bad("central directory out of range");
  std::vector<unsigned char> cd(cd_size);
  if (!z.read_at(cd_offset, cd.data(), cd.size())) return bad("cannot read the central directory");

  struct Member {
    uint64_t bytes = 0, compressed = 0;
    uint16_t method = 0;
    uint64_t local = 0, json_compressed = 0, json_size = 0;
    bool has_json = false;
  };
  std::map<std::string, Member, std::less<>> packages;
  for (size_t at = 0; at + 46 <= cd.size();) {
    const unsigned char* h = &cd[at];
    if (le32(h) != 0x02014b50) return bad("corrupt central directory");
    uint16_t method = le16(h + 10);
    uint32_t compressed = le32(h + 20), bytes = le32(h + 24);
    size_t name_len = le16(h + 28), extra = le16(h + 30), comment = le16(h + 32);
    uint32_t local = le32(h + 42);
    if (at + 46 + name_len > cd.size()) return bad("corrupt central directory");
    std::string_view name(reinterpret_cast<const char*>(h + 46), name_len);
    at += 46 + name_len + extra + comment;
    if (name.ends_with('/')) continue;
    // a layer's zip: the same packages under nodejs/
    if (name.starts_with("nodejs/node_modules/")) name.remove_prefix(7);
    std::string_view folder = package_folder(name);
    if (folder.empty()) continue;
    Member& m = packages[std::string(folder)];
    m.bytes += bytes;
    m.compressed += compressed;
    if (name.size() == folder.size() + 13 && name.ends_with("/package.json")) {
      m.method = method;
      m.local = local;
      m.json_compressed = compressed;
      m.json_size = bytes;
      m.has_json = true;
    }
  }

  Closure c;
  simdjson::dom::parser parser;
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
  std::string failure;
  for (auto& [folder, m] : packages) {
    ClosurePackage p{folder, {}, {}, {}, m.bytes, m.compressed};
    std::string_view fname = folder;
    fname.remove_prefix(fname.rfind("node_modules/") + 13);
    p.name = fname;
    if (m.has_json && m.json_size < (64u << 20)) {
      unsigned char lh[30];
      std::vector<unsigned char> data(m.json_compressed);
      std::string json(m.json_size, '\0');
      bool ok = z.read_at(m.local, lh, 30) && le32(lh) == 0x04034b50 &&
                z.read_at(m.local + 30 + le16(lh + 26) + le16(lh + 28), data.data(), data.size());
      if (ok && m.method == 0 && data.size() == json.size()) {
        std::memcpy(json.data(), data.data(), data.size());
      } else if (ok && m.method == 8) {
        ok = libdeflate_deflate_decompress(inflater, data.data(), data.size(), json.data(),
                                           json.size(), nullptr) == LIBDEFLATE_SUCCESS;
      } else {
        ok = false;
      }
      simdjson::dom::element doc;
      std::string_view v;
      if (!ok || parser.parse(json).get(doc)) {
        failure = folder + "/package.json";
        break;
      }
      if (!doc["name"].get(v)) p.name = v;
      if (!doc["version"].get(v)) p.version = v;
    }
    c.packages.push_back(std::move(p));
  }
  libdeflate_free_decompressor(inflater);
  if (!failure.empty()) return bad("cannot read " + failure);
  return c;
}

namespace {

// Runs git with `args` in the current folder; its stdout, or an error with
// what it printed on stderr.
Result<std::string> run_git(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return system_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return system_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<char*> argv{const_cast<char*>("git")};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  std::string text[2];
  if (rc == 0) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    char buf[65536];
    for (int open = 2; open > 0;) {
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          text[i].append(buf, size_t(n));
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;
          --open;
        }
      }
    }
  }
  ::close(out[0]);
  ::close(err[0]);
  if (rc != 0) return system_error(std::string("cannot run git: ") + std::strerror(rc), {"install git"});
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string what = text[1].substr(0, text[1].find('\n'));
    return user_error("git " + args[0] + " failed" + (what.empty() ? "" : ": " + what));
  }
  return std::move(text[0]);
}

}  // namespace

Result<GitSnapshot> GitSnapshot::take(const std::string& rev, const std::string& dir) {
  std::string base = fs::path(dir).lexically_normal().string();
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base == ".") base.clear();
  auto listing = run_git({"ls-tree", "-r", "-z", "--name-only", rev + ":./" + base});
  if (!listing) {
    Error e = listing.take_error();
    e.hints.push_back("git:REV[:DIR] reads the repository of the current folder; is '" + rev +
                      "' a revision there, with a folder '" + dir + "'?");
    return e;
  }
  std::vector<std::string> wanted;
  for (size_t at = 0; at < listing->size();) {
    size_t end = listing->find('\0', at);
    std::string name = listing->substr(at, end - at);
    at = end == std::string::npos ? listing->size() : end + 1;
    bool manifest = name == "package.json" || name.ends_with("/package.json");
    bool lock = name == "package-lock.json" || name == "npm-shrinkwrap.json";
    bool installed = name.starts_with("node_modules/") || name.find("/node_modules/") != std::string::npos;
    if ((manifest || lock) && !installed) wanted.push_back(std::move(name));
  }
  if (std::find(wanted.begin(), wanted.end(), "package.json") == wanted.end()) {
    return user_error("no package.json in '" + dir + "' at git revision '" + rev + "'");
  }
  GitSnapshot snap;
  std::string tmpl = (fs::temp_directory_path() / "lockcut-git-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return system_error(std::string("mkdtemp: ") + std::strerror(errno));
  snap.dir_ = tmpl;
  for (const std::string& name : wanted) {
    auto text = run_git({"show", rev + ":./" + (base.empty() ? name : base + "/" + name)});
    if (!text) return text.take_error();
    fs::path to = fs::path(snap.dir_) / name;
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    std::ofstream f(to, std::ios::binary);
    f << *text;
    if (!f.flush()) return system_error("cannot write '" + to.string() + "'");
  }
  return snap;
}

GitSnapshot::GitSnapshot(GitSnapshot&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }

GitSnapshot::~GitSnapshot() {
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

ClosureDiff diff_closures(const Closure& old_state, const Closure& new_state) {
  ClosureDiff d;
  const auto& a = old_state.packages;
  const auto& b = new_state.packages;
  d.old_packages = a.size();
  d.new_packages = b.size();
  auto total = [](const std::vector<ClosurePackage>& ps, auto field) -> std::optional<uint64_t> {
    uint64_t sum = 0;
    for (const ClosurePackage& p : ps) {
      if (!(p.*field)) return std::nullopt;
      sum += *(p.*field);
    }
    return sum;
  };
  d.old_bytes = total(a, &ClosurePackage::bytes);
  d.new_bytes = total(b, &ClosurePackage::bytes);
  d.old_compressed = total(a, &ClosurePackage::compressed);
  d.new_compressed = total(b, &ClosurePackage::compressed);
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const ClosurePackage* o = i < a.size() ? &a[i] : nullptr;
    const ClosurePackage* n = j < b.size() ? &b[j] : nullptr;
    // the smaller location goes first; the other side waits for its turn
    if (o && n && o->location < n->location) n = nullptr;
    else if (o && n && n->location < o->location) o = nullptr;
    i += o != nullptr;
    j += n != nullptr;
    PackageChange c;
    c.location = (o ? o : n)->location;
    c.change = !o ? Change::added : !n ? Change::removed : Change::changed;
    if (o && n && o->name == n->name && o->version == n->version &&
        (o->integrity.empty() || n->integrity.empty() || o->integrity == n->integrity)) {
      continue;
    }
    if (o) c.old_name = o->name, c.old_version = o->version, c.old_integrity = o->integrity, c.old_bytes = o->bytes;
    if (n) c.new_name = n->name, c.new_version = n->version, c.new_integrity = n->integrity, c.new_bytes = n->bytes;
    ++(c.change == Change::added ? d.added : c.change == Change::removed ? d.removed : d.changed);
    d.changes.push_back(std::move(c));
  }
  return d;
}

}  // namespace lockcut
