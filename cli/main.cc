// main.cc: `lockcut COMMAND ...`: dispatch, top-level help and exit codes.
#include <unistd.h>

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
    "                           installed node_modules, without a second npm install\n"
    "\n"
    "`lockcut COMMAND --help` lists a command's flags.\n";

// glibc hands large allocations (the parser's index, the graph's arrays)
// to 4 KiB pages unless told otherwise, and each first touch of a page is a
// fault; on the VMs our CI and Lambda builds run on that was over half of the
// time to read a 40 MB lockfile (300 ms -> 55 ms with huge pages). glibc
// reads its tunables only at startup, so lockcut re-executes itself once with
// `glibc.malloc.hugetlb=1` added. LOCKCUT_NO_HUGEPAGES=1 turns this off.
void use_huge_pages(char** argv) {
  if (std::getenv("LOCKCUT_NO_HUGEPAGES")) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  std::string tunables = current ? current : "";
  if (tunables.find("glibc.malloc.hugetlb") != std::string::npos) return;
  tunables += std::string(tunables.empty() ? "" : ":") + "glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // not fatal: carry on with small pages
  if (current) ::setenv("GLIBC_TUNABLES", current, 1);
  else ::unsetenv("GLIBC_TUNABLES");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lockcut::cli;
  use_huge_pages(argv);
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
  if (cmd == "why" || cmd == "explain") return cmd_why(argc - 1, argv + 1);
  if (cmd == "pack") return cmd_pack(argc - 1, argv + 1);
  return report(lockcut::user_error("unknown command '" + cmd + "'",
                                    {"commands: ls, why, pack; run `lockcut --help`"}));
}
