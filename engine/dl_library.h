// dl_library.h: a shared library opened with dlopen on first use, and the
// functions looked up in it (private to the engine).
//
// curl_api.cc and archive_api.cc open libcurl and libarchive this way so
// that a run that needs neither does not pay for loading them at start.
#pragma once

#include <dlfcn.h>

#include <string>

namespace lockcut::detail {

/// Opens `soname` with RTLD_NOW | RTLD_LOCAL; nullptr, with `problem` set to
/// the loader's reason, when it cannot.
inline void* open_library(const char* soname, std::string& problem) {
  void* lib = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    problem = why ? why : "dlopen failed";
  }
  return lib;
}

/// Looks functions up into their slots: `load("name", slot)` is false when
/// the library lacks it, and `missing` keeps the first name that was lacking.
struct SymbolLoader {
  void* lib;
  const char* missing = nullptr;
  template <class F>
  bool operator()(const char* name, F& slot) {
    slot = reinterpret_cast<F>(::dlsym(lib, name));
    if (!slot && !missing) missing = name;
    return slot != nullptr;
  }
};

}  // namespace lockcut::detail
