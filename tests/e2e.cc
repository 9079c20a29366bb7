// e2e.cc: helpers for tests that run programs (see e2e.h).
#include "e2e.h"

#include <fcntl.h>
#include <sys/file.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "lockcut/file_time.h"

namespace lockcut::test {

namespace {

// Every lockcut a test starts, and the engine's own default cache in this
// process, keep their cache in the build tree: a run without --cache must
// not fill the user's ~/.cache/lockcut (a folder snapshot per temporary
// test project). Set before any test runs; inherited by every child.
[[maybe_unused]] const bool cache_in_build_tree = [] {
  ::setenv("XDG_CACHE_HOME", LOCKCUT_BUILD_DIR "/test-cache", 1);
  return true;
}();

}  // namespace

Outcome run(const std::vector<std::string>& argv, const std::string& cwd) {
  int out[2], err[2];
  if (::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close(out[0]);
    ::close(err[0]);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  Outcome r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

Outcome lockcut(const std::vector<std::string>& args) {
  std::vector<std::string> argv{LOCKCUT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string fixtures() { return std::string(LOCKCUT_SOURCE_DIR) + "/fixtures"; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_maybe_gz(const std::string& path) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    return run({"gzip", "-dc", path}).out;
  }
  return read_file(path);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lockcut-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& rel, const std::string& content) const {
  std::filesystem::path p = std::filesystem::path(path_) / rel;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

void copy_tree(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to,
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::copy_symlinks);
}

std::string installed_fixture(const std::string& fixture, const std::string& key,
                              const std::vector<std::string>& npm_flags) {
  namespace fs = std::filesystem;
  const char* env = std::getenv("LOCKCUT_INSTALL_CACHE");
  fs::path cache = env && *env ? fs::path(env) : fs::path(LOCKCUT_BUILD_DIR) / "corpus-installs";
  fs::create_directories(cache);
  fs::path dir = cache / key;
  std::string source = fixtures() + "/" + fixture;
  std::vector<std::string> argv{"npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"};
  argv.insert(argv.end(), npm_flags.begin(), npm_flags.end());
  std::string inputs = read_file(source + "/package-lock.json") + read_file(source + "/npm-shrinkwrap.json") +
                       read_file(source + "/package.json");
  for (const std::string& a : argv) inputs += "\n" + a;
  std::string stamp = std::to_string(std::hash<std::string>{}(inputs));
  int fd = ::open((cache / (key + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) throw std::runtime_error("cannot lock the install cache");
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{fd};
  if (read_file((cache / (key + ".stamp")).string()) == stamp) return dir.string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  // the project without its stored answers
  for (const auto& e : fs::directory_iterator(source)) {
    if (e.path().filename() == "expected" || e.path().filename() == "node_modules") continue;
    fs::copy(e.path(), dir / e.path().filename(),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
  Outcome r = run(argv, dir.string());
  if (r.exit_code != 0) {
    throw std::runtime_error("npm ci failed in " + dir.string() + ":\n" + r.err.substr(0, 4000));
  }
  // npm writes the files with the time of the install: a pack within
  // kRacyWindowNs of it rightly trusts none of them on the next run
  // (file_time.h), which would make what a test counts depend on whether
  // it, or a test before it, installed the project
  std::this_thread::sleep_for(std::chrono::nanoseconds(kRacyWindowNs + 100'000'000));
  std::ofstream(cache / (key + ".stamp")) << stamp;
  return dir.string();
}

std::string installed_corpus(const std::string& name) { return installed_fixture("corpus/" + name, name, {}); }

}  // namespace lockcut::test
