// fetch_support.cc: see fetch_support.h.
#include "fetch_support.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lockcut::test {

namespace fs = std::filesystem;

Scratch::Scratch() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lockcut-fetch-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

Scratch::~Scratch() {
  std::error_code ec;
  // unpack tests may leave read-only folders behind
  fs::remove_all(path_, ec);
}

void make_tarball(const std::string& path, const std::vector<TarEntry>& entries) {
  fs::create_directories(fs::path(path).parent_path());
  struct archive* a = archive_write_new();
  archive_write_set_format_ustar(a);
  archive_write_add_filter_gzip(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    throw std::runtime_error("cannot write " + path);
  }
  for (const TarEntry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_mtime(entry, 499162500, 0);
    switch (e.type) {
      case TarEntry::file:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, la_int64_t(e.content.size()));
        break;
      case TarEntry::dir: archive_entry_set_filetype(entry, AE_IFDIR); break;
      case TarEntry::symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.content.c_str());
        break;
      case TarEntry::hardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.content.c_str());
        break;
      case TarEntry::fifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
    }
    archive_write_header(a, entry);
    if (e.type == TarEntry::file) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string run(const std::string& command, int* status) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

RegistryServer::RegistryServer(const std::string& root, const std::string& options) {
  std::string config = dir_ / "config.json";
  write_text(config, "{\"root\": \"" + root + "\", \"log\": \"" + (dir_ / "log") + "\"" +
                         (options.empty() ? "" : ", " + options) + "}");
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string script = std::string(LOCKCUT_SOURCE_DIR) + "/tests/registry_server.js";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[1]);
    ::close(out[0]);
    ::execlp("node", "node", script.c_str(), config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdin_ = in[1];
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  if (!line.starts_with("PORT ")) throw std::runtime_error("registry_server.js did not start");
  origin_ = "http://127.0.0.1:" + line.substr(5);
}

RegistryServer::~RegistryServer() {
  if (stdin_ >= 0) ::close(stdin_);
  if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
}

std::vector<std::string> RegistryServer::log() const {
  std::vector<std::string> lines;
  std::istringstream in(read_text(dir_ / "log"));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace lockcut::test
