// curl_api.cc: libcurl opened on first use (see curl_api.h).
#include "curl_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace lockcut::detail {

namespace {

template <class F>
bool load(void* lib, const char* name, F& slot) {
  slot = reinterpret_cast<F>(::dlsym(lib, name));
  return slot != nullptr;
}

}  // namespace

Result<const CurlApi*> curl_api() {
  static CurlApi api;
  static std::string problem;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = ::dlerror();
      problem = why ? why : "dlopen failed";
      return;
    }
    bool ok = load(lib, "curl_global_init", api.global_init) && load(lib, "curl_easy_init", api.easy_init) &&
              load(lib, "curl_easy_setopt", api.easy_setopt) && load(lib, "curl_easy_getinfo", api.easy_getinfo) &&
              load(lib, "curl_easy_strerror", api.easy_strerror) &&
              load(lib, "curl_easy_cleanup", api.easy_cleanup) && load(lib, "curl_multi_init", api.multi_init) &&
              load(lib, "curl_multi_add_handle", api.multi_add_handle) &&
              load(lib, "curl_multi_remove_handle", api.multi_remove_handle) &&
              load(lib, "curl_multi_perform", api.multi_perform) && load(lib, "curl_multi_poll", api.multi_poll) &&
              load(lib, "curl_multi_info_read", api.multi_info_read) &&
              load(lib, "curl_multi_cleanup", api.multi_cleanup) &&
              load(lib, "curl_slist_append", api.slist_append) &&
              load(lib, "curl_slist_free_all", api.slist_free_all);
    if (!ok) {
      problem = "libcurl.so.4 lacks a function lockcut needs (curl_multi_poll needs libcurl 7.66 or later)";
      return;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) problem = "curl_global_init failed";
  });
  if (!problem.empty()) {
    return system_error("cannot load libcurl to download packages: " + problem,
                        {"install it (Debian: apt-get install libcurl4), or fill the caches on a machine "
                         "that has it with `lockcut fetch` and pack with --offline"});
  }
  return &api;
}

}  // namespace lockcut::detail
