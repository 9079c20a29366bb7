// curl_api.h: libcurl, opened when the first download starts (private to
// the engine; fetch.cc is its one user).
//
// libcurl brings about 27 more shared libraries (TLS, Kerberos, LDAP, SSH,
// IDN...). Linked normally, the dynamic loader mapped and relocated all of
// them at every start: ~18 ms per run, an eighth of `lockcut ls` on
// 100,000 packages, for a library only a pack that lacks packages uses. So
// lockcut compiles against the headers and opens libcurl.so.4 with dlopen
// on first use.
#pragma once

#include <curl/curl.h>

#include "lockcut/result.h"

namespace lockcut::detail {

/// The libcurl functions fetch.cc calls.
struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

/// libcurl, loaded and initialised once; an error saying what to install
/// when it cannot be loaded.
Result<const CurlApi*> curl_api();

}  // namespace lockcut::detail
