// location.cc: string helpers for lockfile locations (see location.h).
#include "lockcut/location.h"

#include <vector>

namespace lockcut {

std::string_view folder_name(std::string_view location) {
  size_t slash = location.rfind('/');
  if (slash == std::string_view::npos) return location;
  std::string_view last = location.substr(slash + 1);
  if (slash == 0) return last;
  size_t prev = location.rfind('/', slash - 1);
  std::string_view before =
      prev == std::string_view::npos ? location.substr(0, slash) : location.substr(prev + 1, slash - prev - 1);
  if (!before.empty() && before[0] == '@') {
    return prev == std::string_view::npos ? location : location.substr(prev + 1);
  }
  return last;
}

bool parent_folder(std::string_view location, std::string_view& parent) {
  if (location.empty()) return false;
  size_t slash = location.rfind('/');
  std::string_view last = slash == std::string_view::npos ? location : location.substr(slash + 1);
  // `..` segments lead out of the project: their lexical parent is not the root
  if (last == "..") return false;
  parent = slash == std::string_view::npos ? std::string_view() : location.substr(0, slash);
  return true;
}

std::string child_location(std::string_view parent, std::string_view name) {
  std::string out;
  out.reserve(parent.size() + name.size() + 14);
  if (!parent.empty()) {
    out.append(parent);
    out += '/';
  }
  out += "node_modules/";
  out.append(name);
  return out;
}

std::string normalize_location(std::string_view path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg.empty() || seg == ".") {
    } else if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!absolute) parts.push_back(seg);
    } else {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out.append(parts[k]);
  }
  return out;
}

}  // namespace lockcut
