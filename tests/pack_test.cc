// pack_test.cc: `lockcut pack` against what npm itself puts on disk.
//
// Each corpus project is installed once with a full `npm ci` (dev
// dependencies and all, e2e.h installed_corpus), packed with the options of a
// variant, and the output folder is compared with what `npm ci --omit=dev`
// installed (fixtures/corpus/*/expected/*.manifest.tsv.gz and links.txt):
// the same files and symlinks, with the same sizes, modes and link targets.
// npm's layout keeps workspaces and `file:` folders as symlinks to their
// folders; lockcut ships them as real folders at the link's place, so the
// expected list is mapped the same way before comparing, and the files of
// those folders (and the project's own files) are compared with what
// `npm pack --dry-run` lists, asked live.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "e2e.h"
#include "tree.h"

namespace lockcut::test {
namespace {

namespace fs = std::filesystem;


std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

std::string expected_prefix(const std::string& project, const std::string& variant) {
  return fixtures() + "/corpus/" + project + "/expected/" + project +
         (variant.empty() ? "" : "." + variant);
}

std::string read_expected(const std::string& path) {
  return fs::exists(path) ? read_file(path) : read_maybe_gz(path + ".gz");
}

bool is_bin_path(const std::string& p) {
  return p.rfind("node_modules/.bin/", 0) == 0 || p.find("/node_modules/.bin/") != std::string::npos;
}

// What npm installed, in lockcut's layout: without npm's hidden lockfile,
// `.bin` only when asked for, and every path under a package link's target
// moved under the link. Also returns the package links (link -> target).
Tree expected_tree(const std::string& project, const std::string& variant, bool bin,
                   std::map<std::string, std::string>* package_links) {
  std::string prefix = expected_prefix(project, variant);
  std::map<std::string, std::string> targets;  // link path -> link text
  for (const std::string& l : lines(read_expected(prefix + ".links.txt"))) {
    size_t tab = l.find('\t');
    targets[l.substr(0, tab)] = l.substr(tab + 1);
  }
  std::map<std::string, std::vector<std::string>> links_to;  // target location -> links
  for (const auto& [path, text] : targets) {
    if (is_bin_path(path)) continue;
    std::string t = (fs::path(path).parent_path() / text).lexically_normal().string();
    links_to[t].push_back(path);
    if (package_links) (*package_links)[path] = t;
  }
  Tree tree;
  for (const std::string& l : lines(read_maybe_gz(prefix + ".manifest.tsv.gz"))) {
    std::istringstream in(l);
    FileInfo f;
    std::string type, nlink, path;
    std::getline(in, type, '\t');
    std::getline(in, f.mode, '\t');
    std::string size;
    std::getline(in, size, '\t');
    std::getline(in, nlink, '\t');
    std::getline(in, path);
    f.type = type[0];
    f.size = std::stoull(size);
    if (path == "node_modules/.package-lock.json") continue;
    if (is_bin_path(path) && !bin) continue;
    if (f.type == 'l') {
      if (!is_bin_path(path)) continue;  // a package link: becomes a folder
      f.target = targets[path];
    }
    std::vector<std::string> dests{path};
    for (const auto& [target, links] : links_to) {
      if (path.rfind(target + "/", 0) != 0) continue;
      dests.clear();
      for (const std::string& link : links) dests.push_back(link + path.substr(target.size()));
    }
    for (const std::string& d : dests) tree[d] = f;
  }
  return tree;
}

// The files `npm pack` would put in a tarball of `dir`, asked live, less any
// node_modules (bundled dependencies, a workspace's installed ones): lockcut
// ships dependencies from the lockfile's closure, never as own files.
std::set<std::string> npm_pack_files(const std::string& dir) {
  Outcome r = run({"npm", "pack", "--dry-run", "--json", "--ignore-scripts"}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> files;
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::array packs;
  if (parser.parse(json).get(packs)) {
    ADD_FAILURE() << "npm pack printed no JSON in " << dir << ": " << r.out;
    return files;
  }
  for (simdjson::dom::element pack : packs) {
    simdjson::dom::array list = pack["files"].get_array().value();
    for (simdjson::dom::element f : list) {
      std::string path(f["path"].get_string().value());
      if (path.rfind("node_modules/", 0) != 0 && path.find("/node_modules/") == std::string::npos) {
        files.insert(path);
      }
    }
  }
  return files;
}

struct Variant {
  std::string project, variant;
  std::vector<std::string> args;
};

std::string label(const testing::TestParamInfo<Variant>& info) {
  std::string s = info.param.project + (info.param.variant.empty() ? "" : "_" + info.param.variant);
  for (char& c : s) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

class PackCorpus : public testing::TestWithParam<Variant> {};

// The output folder equals npm's production install, file by file.
TEST_P(PackCorpus, FolderEqualsNpmCiOmitDev) {
  const Variant& v = GetParam();
  std::string project = installed_corpus(v.project);
  for (bool bin : {false, true}) {
    TempDir out;
    std::vector<std::string> args{"pack", project, "--out", out.path() + "/pkg"};
    args.insert(args.end(), v.args.begin(), v.args.end());
    if (bin) args.push_back("--bin");
    Outcome r = lockcut(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("packed "), std::string::npos) << r.err;

    std::map<std::string, std::string> links;
    Tree expected = expected_tree(v.project, v.variant, bin, &links);
    Tree got = read_tree(out.path() + "/pkg");
    // node_modules as npm installed it (link folders' own files apart)
    Tree modules, own;
    for (const auto& [path, f] : got) {
      bool in_link_folder = false;
      for (const auto& [link, target] : links) {
        if (path.rfind(link + "/", 0) == 0 && path.rfind(link + "/node_modules/", 0) != 0) {
          in_link_folder = true;
        }
      }
      if (in_link_folder) continue;
      (path.rfind("node_modules/", 0) == 0 || path.find("/node_modules/") != std::string::npos
           ? modules
           : own)[path] = f;
    }
    expect_same(expected, modules, v.project + " " + v.variant + (bin ? " --bin" : ""));
    if (bin) continue;
    // each link folder holds what `npm pack` of its target lists
    for (const auto& [link, target] : links) {
      if (!fs::exists(out.path() + "/pkg/" + link)) continue;  // not in this variant
      std::set<std::string> want = npm_pack_files(project + "/" + target);
      std::set<std::string> have;
      for (const auto& [path, f] : got) {
        if (path.rfind(link + "/", 0) == 0 && path.rfind(link + "/node_modules/", 0) != 0) {
          have.insert(path.substr(link.size() + 1));
        }
      }
      EXPECT_EQ(have, want) << link << " -> " << target;
    }
    // the project's own files are what `npm pack` lists (none with --workspace)
    std::set<std::string> own_files;
    for (const auto& [path, f] : own) own_files.insert(path);
    bool workspace = std::find(v.args.begin(), v.args.end(), "-w") != v.args.end();
    EXPECT_EQ(own_files, workspace ? std::set<std::string>{} : npm_pack_files(project));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, PackCorpus,
    testing::Values(Variant{"img-thumbnail-lambda", "", {}}, Variant{"orders-api", "", {}},
                    Variant{"acme-monorepo", "", {}},
                    Variant{"acme-monorepo", "ws-thumbnail-fn", {"-w", "@acme/thumbnail-fn"}},
                    Variant{"legacy-v1-service", "", {}}, Variant{"report-worker-v2", "", {}},
                    Variant{"s3-sync-cli", "", {}}, Variant{"storefront-web", "", {}},
                    Variant{"storefront-web", "omit-dev-optional", {"--omit", "optional"}},
                    Variant{"storefront-web", "omit-dev-peer", {"--omit", "peer"}},
                    Variant{"odd-specs-service", "", {}},
                    Variant{"odd-specs-service", "omit-dev-peer", {"--omit", "peer"}}),
    label);

}  // namespace
}  // namespace lockcut::test

namespace lockcut::test {
namespace {

// An archive's entries read back with libarchive (folders end in '/').
Tree read_archive(const std::string& path) {
  Tree tree;
  struct archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << archive_error_string(a);
    archive_read_free(a);
    return tree;
  }
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    FileInfo f;
    mode_t type = archive_entry_filetype(e);
    std::string name = archive_entry_pathname(e);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", archive_entry_perm(e));
    f.mode = mode;
    if (type == AE_IFDIR) {
      if (name.back() != '/') name += '/';
      f.type = 'd';
    } else if (type == AE_IFLNK) {
      f.type = 'l';
      f.target = archive_entry_symlink(e);
      f.size = f.target.size();
      f.mode = "777";
    } else {
      f.size = uint64_t(archive_entry_size(e));
    }
    tree[name] = f;
  }
  archive_read_free(a);
  return tree;
}

// A folder tree as an archive holds it: modes 0644/0755, links 0777.
Tree normalized(const Tree& tree) {
  Tree out;
  for (auto [path, f] : tree) {
    if (f.type == 'f') f.mode = (std::stoi(f.mode, nullptr, 8) & 0111) ? "755" : "644";
    else f.mode = "777";
    out[path] = f;
  }
  return out;
}

Tree files_only(const Tree& tree) {
  Tree out;
  for (const auto& [path, f] : tree) {
    if (f.type != 'd') out[path] = f;
  }
  return out;
}

// zip, tar and folder hold the same entries; unzip gives the folder back.
TEST(PackArchive, ZipAndTarHoldTheFolder) {
  for (std::string name : {"img-thumbnail-lambda", "acme-monorepo"}) {
    std::string project = installed_corpus(name);
    TempDir out;
    for (auto [flag, path] : {std::pair{"--out", "/dir"}, {"--zip", "/p.zip"}, {"--tar", "/p.tar"},
                              {"--tar", "/p.tgz"}}) {
      Outcome r = lockcut({"pack", project, "--bin", flag, out.path() + path});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    Tree folder = normalized(read_tree(out.path() + "/dir"));
    expect_same(folder, files_only(read_archive(out.path() + "/p.zip")), name + " zip");
    expect_same(folder, files_only(read_archive(out.path() + "/p.tar")), name + " tar");
    expect_same(folder, files_only(read_archive(out.path() + "/p.tgz")), name + " tgz");
    // every folder of the tree has its own entry (0755)
    for (const auto& [path, f] : read_archive(out.path() + "/p.zip")) {
      if (f.type == 'd') {
        EXPECT_EQ(f.mode, "755") << path;
      }
    }
    Outcome u = run({"unzip", "-q", out.path() + "/p.zip", "-d", out.path() + "/unzipped"});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    expect_same(folder, normalized(read_tree(out.path() + "/unzipped")), name + " unzipped");
  }
}

uint16_t u16(const std::string& s, size_t at) {
  return uint16_t(uint8_t(s[at]) | uint8_t(s[at + 1]) << 8);
}
uint32_t u32(const std::string& s, size_t at) { return u16(s, at) | uint32_t(u16(s, at + 2)) << 16; }

// Same input, different thread counts, time zones and days: same bytes.
TEST(PackArchive, ZipIsByteIdenticalAndLambdaFriendly) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir out;
  auto pack = [&](const std::string& file, const std::vector<std::string>& env, const std::string& jobs) {
    std::vector<std::string> argv{"env", "-u", "SOURCE_DATE_EPOCH"};
    argv.insert(argv.end(), env.begin(), env.end());
    for (std::string a : {std::string(LOCKCUT_BINARY), std::string("pack"), project, std::string("--zip"),
                          out.path() + "/" + file, std::string("-j"), jobs}) {
      argv.push_back(a);
    }
    Outcome r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_file(out.path() + "/" + file);
  };
  std::string one = pack("a.zip", {"TZ=UTC"}, "1");
  // a later run, another zone, another thread count, the files touched
  ASSERT_EQ(run({"sleep", "1"}).exit_code, 0);
  std::string two = pack("b.zip", {"TZ=Pacific/Kiritimati"}, "2");
  std::string eight = pack("c.zip", {"TZ=America/Los_Angeles"}, "8");
  ASSERT_GT(one.size(), 1000000u);
  EXPECT_TRUE(one == two) << "zips differ between -j1 and -j2";
  EXPECT_TRUE(one == eight) << "zips differ between -j1 and -j8";
  std::string sde1 = pack("d.zip", {"SOURCE_DATE_EPOCH=1767225600"}, "2");
  std::string sde2 = pack("e.zip", {"SOURCE_DATE_EPOCH=1767225600"}, "1");
  EXPECT_TRUE(sde1 == sde2);
  EXPECT_FALSE(sde1 == one) << "SOURCE_DATE_EPOCH is not used";

  // the central directory: made by Unix, version 2.0 needed, no extra
  // fields, 1980-01-01 00:00, modes 0644/0755 (and folders)
  size_t end = one.rfind(std::string("PK\x05\x06", 4));
  ASSERT_NE(end, std::string::npos);
  size_t entries = u16(one, end + 10);
  size_t at = u32(one, end + 16);
  size_t executables = 0;
  for (size_t i = 0; i < entries; ++i) {
    ASSERT_EQ(u32(one, at), 0x02014b50u);
    EXPECT_EQ(u16(one, at + 4) >> 8, 3) << "made by Unix";
    EXPECT_EQ(u16(one, at + 6), 20) << "version needed 2.0";
    EXPECT_EQ(u16(one, at + 12), 0) << "time 00:00:00";
    EXPECT_EQ(u16(one, at + 14), (0 << 9) | (1 << 5) | 1) << "date 1980-01-01";
    size_t name_len = u16(one, at + 28);
    EXPECT_EQ(u16(one, at + 30), 0) << "no extra fields";
    uint32_t mode = u32(one, at + 38) >> 16;
    std::string name = one.substr(at + 46, name_len);
    if (name.back() == '/') {
      EXPECT_EQ(mode, 040755u) << name;
    } else {
      EXPECT_TRUE(mode == 0100644u || mode == 0100755u || mode == 0120777u) << name << " " << std::oct << mode;
    }
    if (mode == 0100755u) ++executables;
    at += 46 + name_len;
  }
  // sharp's libvips and node binary keep their execute bits
  EXPECT_GT(executables, 0u);
}

// A layer: everything under nodejs/node_modules, no project files.
TEST(PackArchive, LayerLayout) {
  std::string project = installed_corpus("img-thumbnail-lambda");
  TempDir out;
  Outcome r = lockcut({"pack", project, "--layer", "--zip", out.path() + "/layer.zip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tree zip = read_archive(out.path() + "/layer.zip");
  ASSERT_GT(zip.size(), 3000u);
  for (const auto& [path, f] : zip) {
    EXPECT_TRUE(path == "nodejs/" || path.rfind("nodejs/node_modules/", 0) == 0) << path;
  }
  EXPECT_TRUE(zip.count("nodejs/node_modules/sharp/package.json"));
}

// The packed folder runs: node loads every production dependency from it.
TEST(PackRuns, NodeLoadsEveryTopLevelDependency) {
  const char* script = R"(
// npm: a name in both dependencies and devDependencies is dev
const pkg = require('./package.json')
const deps = Object.keys(pkg.dependencies || {}).filter(d => !(pkg.devDependencies || {})[d])
;(async () => {
  for (const d of deps) {
    try { require(d); continue } catch (e) {
      if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`'${d}'`)) throw e
      if (!['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE', 'ERR_PACKAGE_PATH_NOT_EXPORTED'].includes(e.code)) {
        // it was found and ran, and threw by design (npm: "programmatic API removed")
        require.resolve(d + '/package.json', { paths: [__dirname] }); continue
      }
    }
    await import(d)
  }
  console.log('loaded ' + deps.length)
})().catch(e => { console.error(e); process.exit(1) })
)";
  for (std::string name : {"img-thumbnail-lambda", "orders-api", "legacy-v1-service",
                           "report-worker-v2", "s3-sync-cli", "storefront-web", "odd-specs-service"}) {
    std::string project = installed_corpus(name);
    TempDir out;
    std::string dir = out.path() + "/fn";
    Outcome r = lockcut({"pack", project, "--out", dir});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    out.write("fn/check-requires.cjs", script);
    Outcome n = run({"node", "check-requires.cjs"}, dir);
    EXPECT_EQ(n.exit_code, 0) << name << ": " << n.err;
    EXPECT_NE(n.out.find("loaded "), std::string::npos) << name;
  }
  // a workspace function, from its folder under node_modules
  std::string project = installed_corpus("acme-monorepo");
  TempDir out;
  Outcome r = lockcut({"pack", project, "-w", "@acme/thumbnail-fn", "--out", out.path() + "/fn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string ws = out.path() + "/fn/node_modules/@acme/thumbnail-fn";
  out.write("fn/node_modules/@acme/thumbnail-fn/check-requires.cjs", script);
  Outcome n = run({"node", "check-requires.cjs"}, ws);
  EXPECT_EQ(n.exit_code, 0) << n.err;
  // its own uuid major, not the root's
  Outcome v = run({"node", "-p", "require('uuid/package.json').version"}, ws);
  EXPECT_EQ(v.out.substr(0, 3), "11.") << v.out;
}

}  // namespace
}  // namespace lockcut::test
