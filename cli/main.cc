// main.cc: `lockcut COMMAND ...`: dispatch, top-level help and exit codes.

#include <cstdlib>
#include <cstring>
#include <string>
#include <iostream>

#include "cli.h"

namespace {

const char* kUsage =
    "lockcut: the production closure of a Node.js project, exactly as npm decides it\n"
    "\n"
    "usage: lockcut COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  ls [DIR]                 the packages `npm ci --omit=dev` installs (--parseable, --json, --all)\n"
    "  why NAME|LOCATION [DIR]  why a package is there, and whether production keeps it\n"
    "  pack [DIR] --zip FILE    the production closure as a folder (--out), zip or tar, from the\n"
    "                           installed node_modules, without a second npm install;\n"
    "                           --target lambda-x64|lambda-arm64 packs for Lambda from any machine;\n"
    "                           --functions packs every function of lockcut.json (shared layer)\n"
    "  check [DIR] --target T   native binaries that will not load on the target\n"
    "  fetch [DIR] --target T   cache what the target needs and the tree lacks (for --offline)\n"
    "  hash [DIR]               one key for what pack would ship (skip packaging when unchanged)\n"
    "  diff OLD NEW             shipped packages added, removed or changed between two projects,\n"
    "                           lockfiles, zips or git revisions (git:REV[:DIR])\n"
    "  cache                    what lockcut's cache holds; --prune-unused DAYS removes what\n"
    "                           no run has used for DAYS days\n"
    "\n"
    "`lockcut COMMAND --help` lists a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace lockcut::cli;
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? kExitUser : kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "lockcut 0.1.0\n";
    return kExitOk;
  }
  std::string cmd = argv[1];
  if (cmd == "ls") return cmd_ls(argc - 1, argv + 1);
  if (cmd == "check") return cmd_check(argc - 1, argv + 1);
  if (cmd == "fetch") return cmd_fetch(argc - 1, argv + 1);
  if (cmd == "why" || cmd == "explain") return cmd_why(argc - 1, argv + 1);
  if (cmd == "pack") return cmd_pack(argc - 1, argv + 1);
  if (cmd == "hash") return cmd_hash(argc - 1, argv + 1);
  if (cmd == "diff") return cmd_diff(argc - 1, argv + 1);
  if (cmd == "cache") return cmd_cache(argc - 1, argv + 1);
  return report(lockcut::user_error("unknown command '" + cmd + "'",
                                    {"commands: ls, why, pack, check, fetch, hash, diff, cache; run `lockcut --help`"}));
}
