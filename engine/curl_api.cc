// curl_api.cc: libcurl opened on first use (see curl_api.h).
#include "curl_api.h"

#include <mutex>
#include <string>

#include "dl_library.h"

namespace lockcut::detail {

Result<const CurlApi*> curl_api() {
  static CurlApi api;
  static std::string problem;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = open_library("libcurl.so.4", problem);
    if (!lib) return;
    SymbolLoader load{lib};
    bool ok = load("curl_global_init", api.global_init) && load("curl_easy_init", api.easy_init) &&
              load("curl_easy_setopt", api.easy_setopt) && load("curl_easy_getinfo", api.easy_getinfo) &&
              load("curl_easy_strerror", api.easy_strerror) &&
              load("curl_easy_cleanup", api.easy_cleanup) && load("curl_multi_init", api.multi_init) &&
              load("curl_multi_add_handle", api.multi_add_handle) &&
              load("curl_multi_remove_handle", api.multi_remove_handle) &&
              load("curl_multi_perform", api.multi_perform) && load("curl_multi_poll", api.multi_poll) &&
              load("curl_multi_info_read", api.multi_info_read) &&
              load("curl_multi_cleanup", api.multi_cleanup) &&
              load("curl_slist_append", api.slist_append) &&
              load("curl_slist_free_all", api.slist_free_all);
    if (!ok) {
      problem = std::string("libcurl.so.4 lacks ") + load.missing +
                ", which lockcut needs (curl_multi_poll needs libcurl 7.66 or later)";
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
