// lockfile.cc: read package-lock.json / npm-shrinkwrap.json into LockEntries.
//
// One On-Demand pass over the document: each `packages` object is read field
// by field (parse_manifest) in file order, which is also arborist's inventory
// order. A v1 file has no `packages`; its nested `dependencies` tree is
// converted in lockfile_v1.cc. Errors name the file, the JSON path and the
// byte offset, so a damaged lockfile is never half-read silently.
#include "lockcut/lockfile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "lockfile_v1.h"

namespace lockcut {

namespace od = simdjson::ondemand;

namespace {

bool non_empty_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const char* kRegenHint =
    "restore the lockfile from version control, or regenerate it with "
    "`npm install --package-lock-only`";

// Git leaves `<<<<<<<` / `=======` / `>>>>>>>` lines in a conflicted file;
// npm merges them, lockcut asks the user to.
Error conflict_or(Error e, const std::string& name, std::string_view text) {
  size_t at = text.find("\n<<<<<<< ");
  if (text.substr(0, 8) == "<<<<<<< ") at = 0;
  if (at == std::string_view::npos) return e;
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) +
                (at ? 1 : 0);
  return user_error("'" + name + "' has unresolved git merge conflicts (first marker at line " +
                        std::to_string(line) + ")",
                    {"resolve the conflict in the lockfile, or run `npm install` to let npm "
                     "merge it, then run lockcut again"});
}

Error malformed(const std::string& name, simdjson::error_code err, const char* where_text,
                size_t offset) {
  std::string msg = "'" + name + "': malformed JSON";
  if (where_text && *where_text) msg += std::string(" in ") + where_text;
  msg += " near byte " + std::to_string(offset) + ": " + simdjson::error_message(err);
  if (err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || err == simdjson::UNCLOSED_STRING ||
      err == simdjson::EMPTY) {
    msg += " (is the file truncated?)";
  }
  return user_error(std::move(msg), {kRegenHint});
}

}  // namespace

Result<std::string> find_lockfile(const std::string& dir, const std::string& override_path) {
  if (!override_path.empty()) {
    struct stat st {};
    if (::stat(override_path.c_str(), &st) != 0) {
      return user_error("cannot read '" + override_path + "': no such file",
                        {"check the path given to --lockfile"});
    }
    return override_path;
  }
  std::string base = dir.empty() ? "." : dir;
  std::string shrinkwrap = base + "/npm-shrinkwrap.json";
  std::string lock = base + "/package-lock.json";
  // npm reads both and takes the shrinkwrap when it has content
  if (non_empty_file(shrinkwrap)) return shrinkwrap;
  if (non_empty_file(lock)) return lock;
  struct stat st {};
  if (::stat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return user_error("cannot read '" + base + "': no such directory",
                      {"give the folder of an npm project (the one with package.json)"});
  }
  return user_error("no lockfile in '" + base + "': neither npm-shrinkwrap.json nor "
                    "package-lock.json exists (or both are empty)",
                    {"run `npm install --package-lock-only` to create one, or point at "
                     "another file with --lockfile PATH"});
}

namespace {
Result<Lockfile> parse_text(simdjson::padded_string_view text, const std::string& name,
                            ManifestStore& store);
}  // namespace

namespace {

// Reads a regular file into fresh memory backed by 2 MiB pages, zero-padded
// for simdjson; nullptr when that fails (the caller falls back). A mapping
// of the file itself has 4 KiB pages, and on our VMs every pass over 40 MB
// of them pays for it: measured on 100,000 packages, stage 1 of the parse
// took 30 ms on the mapping and 8 ms here, for ~7 ms more to read, and the
// graph's later reads of names and locations get cheaper too.
void* read_to_huge_pages(int fd, size_t size, size_t& length) {
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // a length of whole huge pages gets an aligned address; then give back
  // what the text does not need, so the tail is small pages, not 2 MiB
  const size_t mapped = (size + simdjson::SIMDJSON_PADDING + kHuge - 1) / kHuge * kHuge;
  void* addr = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED) return nullptr;
  length = (size + simdjson::SIMDJSON_PADDING + page - 1) / page * page;
  if (length < mapped) ::munmap(static_cast<char*>(addr) + length, mapped - length);
  ::madvise(addr, length, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
  // one call instead of a fault per page (kernels before 5.14 say EINVAL)
  ::madvise(addr, length, MADV_POPULATE_WRITE);
#endif
  size_t got = 0;
  while (got < size) {
    ssize_t r = ::read(fd, static_cast<char*>(addr) + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  if (got != size) {
    ::munmap(addr, length);
    return nullptr;
  }
  return addr;
}

}  // namespace

Result<Lockfile> load_lockfile(const std::string& path, ManifestStore& store) {
  // Read the file into memory backed by huge pages (read_to_huge_pages);
  // else map it when its last page leaves the padding simdjson reads past
  // the end (the kernel zero-fills the rest of that page); else read it
  // into a padded buffer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    const size_t size = static_cast<size_t>(st.st_size);
    size_t length = 0;
    if (void* addr = read_to_huge_pages(fd, size, length)) {
      ::close(fd);
      store.keep_mapping(addr, length);
      return parse_text(simdjson::padded_string_view(static_cast<const char*>(addr), size, length),
                        path, store);
    }
    if (::lseek(fd, 0, SEEK_SET) != 0) {
      ::close(fd);
      fd = -1;
    }
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t tail = size % page;
    if (fd >= 0 && tail != 0 && page - tail >= simdjson::SIMDJSON_PADDING) {
      void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      ::close(fd);
      if (addr != MAP_FAILED) {
        store.keep_mapping(addr, size);
        return parse_text(simdjson::padded_string_view(static_cast<const char*>(addr), size,
                                                       size + (page - tail)),
                          path, store);
      }
      fd = -1;
    }
  }
  if (fd >= 0) ::close(fd);
  simdjson::padded_string text;
  if (auto err = simdjson::padded_string::load(path).get(text)) {
    return user_error("cannot read '" + path + "': " + simdjson::error_message(err),
                      {"check that the file exists and is readable"});
  }
  return parse_lockfile(std::move(text), path, store);
}

Result<Lockfile> parse_lockfile(simdjson::padded_string text_in, const std::string& name,
                                ManifestStore& store) {
  const simdjson::padded_string& text = store.keep(std::move(text_in));
  return parse_text(simdjson::padded_string_view(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING),
                    name, store);
}

namespace {

Result<Lockfile> parse_text_inner(simdjson::padded_string_view text, const std::string& name,
                                  ManifestStore& store);

Result<Lockfile> parse_text(simdjson::padded_string_view text, const std::string& name,
                            ManifestStore& store) {
  // npm strips a UTF-8 byte order mark (json-parse-even-better-errors)
  if (text.size() >= 3 && std::string_view(text.data(), 3) == "\xEF\xBB\xBF") {
    text = simdjson::padded_string_view(text.data() + 3, text.size() - 3, text.capacity() - 3);
  }
  auto r = parse_text_inner(text, name, store);
  if (!r) return conflict_or(r.take_error(), name, text);
  return r;
}

Result<Lockfile> parse_text_inner(simdjson::padded_string_view text, const std::string& name,
                                  ManifestStore& store) {
  Lockfile lock;
  lock.path = name;
  lock.bytes = text.size();
  if (ends_with(name, "npm-shrinkwrap.json")) lock.kind = LockfileKind::shrinkwrap;
  else if (ends_with(name, "package-lock.json")) lock.kind = LockfileKind::package_lock;
  else lock.kind = LockfileKind::other;

  const char* begin = text.data();
  if (text.size() == 0) {
    return user_error("'" + name + "' is empty", {kRegenHint});
  }
  od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(text).get(doc)) return malformed(name, err, nullptr, 0);
  od::object top;
  if (auto err = doc.get_object().get(top)) {
    if (err != simdjson::INCORRECT_TYPE) return malformed(name, err, nullptr, 0);
    return user_error("'" + name + "': expected a JSON object at the top level (" +
                          simdjson::error_message(err) + ")",
                      {kRegenHint});
  }

  bool have_packages = false;
  bool requires_flag = false;
  bool have_version = false;
  std::string_view top_name;
  V1Tree v1;  // filled only when `dependencies` comes without `packages`
  // Reserve from the file size so the pools never regrow while parsing:
  // regrowth copies and page-faults every element again (measured: a fifth
  // of the time on a 40 MB lockfile). Untouched reserve costs nothing.
  lock.entries.reserve(text.size() / 200 + 16);
  store.dep_pool().reserve(store.dep_pool().size() + text.size() / 40 + 64);
  store.string_pool().reserve(store.string_pool().size() + text.size() / 400 + 64);

  const char* last_pos = begin;
  for (auto field : top) {
    od::raw_json_string rk;
    if (auto err = field.key().get(rk)) return malformed(name, err, nullptr, static_cast<size_t>(last_pos - begin));
    last_pos = rk.raw();
    if (rk == "lockfileVersion") {
      od::value v = field.value();
      int64_t ver = 0;
      if (v.get_int64().get(ver)) {
        std::string_view raw = v.raw_json_token();
        return user_error("'" + name + "': lockfileVersion: expected a number, found " +
                              std::string(raw.substr(0, 40)) + " (byte " +
                              std::to_string(last_pos - begin) + ")",
                          {kRegenHint});
      }
      if (ver < 1 || ver > 3) {
        return user_error("'" + name + "': unsupported lockfileVersion " + std::to_string(ver) +
                              " (byte " + std::to_string(last_pos - begin) + ")",
                          {"lockcut reads lockfileVersion 1, 2 and 3, as npm 7 to 11 write them",
                           "if a newer npm wrote this file, upgrade lockcut"});
      }
      lock.version = static_cast<int>(ver);
      have_version = true;
    } else if (rk == "requires") {
      bool b = false;
      if (!field.value().get_bool().get(b)) requires_flag = b;
    } else if (rk == "name") {
      od::value v;
      if (!field.value().get(v)) token_to_string(v.raw_json_token(), store, top_name);
    } else if (rk == "packages") {
      od::object packages;
      if (field.value().get_object().get(packages)) {
        return user_error("'" + name + "': packages: expected an object (byte " +
                              std::to_string(last_pos - begin) + ")",
                          {kRegenHint});
      }
      have_packages = true;
      lock.entries.clear();
      for (auto entry : packages) {
        od::raw_json_string lk;
        if (auto err = entry.key().get(lk)) {
          return malformed(name, err, "packages", last_pos - begin);
        }
        last_pos = lk.raw();
        std::string_view location = key_view(lk, store);
        od::object obj;
        if (auto err = entry.value().get_object().get(obj)) {
          const std::string prefix = "packages[\"" + std::string(location) + "\"]";
          if (err == simdjson::INCORRECT_TYPE) {
            return user_error("'" + name + "': " + prefix + ": expected an object (byte " +
                                  std::to_string(last_pos - begin) + ")",
                              {kRegenHint});
          }
          return malformed(name, err, prefix.c_str(), last_pos - begin);
        }
        JsonWhere where{name, {}, begin, &location};
        auto m = parse_manifest(obj, store, where);
        if (!m) return m.take_error();
        m->offset = static_cast<uint32_t>(last_pos - begin);
        lock.entries.push_back(LockEntry{location, m.value()});
      }
    } else if (rk == "dependencies" && !have_packages) {
      od::object deps;
      if (field.value().get_object().get(deps)) {
        return user_error("'" + name + "': dependencies: expected an object (byte " +
                              std::to_string(last_pos - begin) + ")",
                          {kRegenHint});
      }
      auto st = read_v1_tree(deps, name, begin, store, v1);
      if (!st) return st.take_error();
    }
  }
  if (!doc.current_location().error()) {
    return user_error("'" + name + "': malformed JSON: content after the top-level object",
                      {kRegenHint});
  }
  (void)have_version;

  if (have_packages) {
    // the root entry comes first in every npm-written file; make sure of it
    size_t root = lock.entries.size();
    for (size_t i = 0; i < lock.entries.size(); ++i) {
      if (lock.entries[i].location.empty()) {
        root = i;
        break;
      }
    }
    if (root == lock.entries.size()) {
      lock.entries.insert(lock.entries.begin(), LockEntry{{}, Manifest{}});
    } else if (root != 0) {
      LockEntry r = lock.entries[root];
      lock.entries.erase(lock.entries.begin() + static_cast<long>(root));
      lock.entries.insert(lock.entries.begin(), r);
    }
    if (lock.version == 0) lock.version = 2;
    return lock;
  }

  // v1 (or no tree at all): build `packages` from the dependencies tree
  lock.from_v1_tree = v1.present;
  if (lock.version == 0) lock.version = 1;
  lock.ancient = lock.version < 2 && !requires_flag;
  convert_v1_tree(v1, top_name, store, lock.entries);
  return lock;
}

}  // namespace

}  // namespace lockcut
