// print.cc: errors, warnings, JSON strings and the --perf table.
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include "cli.h"

namespace lockcut::cli {

int report(const Error& error) {
  std::cerr << "lockcut: error: " << error.message << "\n";
  for (const auto& h : error.hints) std::cerr << "hint: " << h << "\n";
  switch (error.kind) {
    case ErrorKind::user_input: return kExitUser;
    case ErrorKind::system: return kExitSystem;
    case ErrorKind::interrupted: return 130;
  }
  return kExitSystem;
}

int exit_committed(int code) {
#if defined(__SANITIZE_ADDRESS__)
  return code;
#else
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
#endif
}

void warn(const std::string& message) { std::cerr << "lockcut: warning: " << message << "\n"; }

void print_perf(const PerfLog& log) {
  std::fprintf(stderr, "%-10s %10s %10s %10s\n", "phase", "wall ms", "user ms", "sys ms");
  double wall = 0;
  for (const auto& p : log.phases) {
    std::fprintf(stderr, "%-10s %10.2f %10.2f %10.2f\n", p.name.c_str(), p.wall_ms, p.user_ms, p.sys_ms);
    wall += p.wall_ms;
  }
  std::fprintf(stderr, "%-10s %10.2f\n", "total", wall);
}

std::string with_commas(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
  return s;
}

std::string mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / 1048576.0);
  return buf;
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace lockcut::cli
