// archive_api.cc: libarchive opened on first use (see archive_api.h).
#include "archive_api.h"

#include <mutex>
#include <string>

#include "dl_library.h"

namespace lockcut::detail {

Result<const ArchiveApi*> archive_api() {
  static ArchiveApi api;
  static std::string problem;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = open_library("libarchive.so.13", problem);
    if (!lib) return;
    SymbolLoader load{lib};
    bool ok = load("archive_errno", api.error_number) &&
        load("archive_error_string", api.error_string) &&
        load("archive_read_new", api.read_new) &&
        load("archive_read_support_filter_gzip", api.read_support_filter_gzip) &&
        load("archive_read_support_format_tar", api.read_support_format_tar) &&
        load("archive_read_open_filename", api.read_open_filename) &&
        load("archive_read_next_header", api.read_next_header) &&
        load("archive_read_data_block", api.read_data_block) &&
        load("archive_read_free", api.read_free) &&
        load("archive_write_new", api.write_new) &&
        load("archive_write_set_format_pax_restricted", api.write_set_format_pax_restricted) &&
        load("archive_write_add_filter_gzip", api.write_add_filter_gzip) &&
        load("archive_write_set_filter_option", api.write_set_filter_option) &&
        load("archive_write_set_bytes_in_last_block", api.write_set_bytes_in_last_block) &&
        load("archive_write_open_filename", api.write_open_filename) &&
        load("archive_write_header", api.write_header) &&
        load("archive_write_data", api.write_data) &&
        load("archive_write_close", api.write_close) &&
        load("archive_write_free", api.write_free) &&
        load("archive_entry_new", api.entry_new) &&
        load("archive_entry_clear", api.entry_clear) &&
        load("archive_entry_free", api.entry_free) &&
        load("archive_entry_pathname", api.entry_pathname) &&
        load("archive_entry_filetype", api.entry_filetype) &&
        load("archive_entry_perm", api.entry_perm) &&
        load("archive_entry_hardlink", api.entry_hardlink) &&
        load("archive_entry_symlink", api.entry_symlink) &&
        load("archive_entry_set_pathname_utf8", api.entry_set_pathname_utf8) &&
        load("archive_entry_set_mtime", api.entry_set_mtime) &&
        load("archive_entry_set_uid", api.entry_set_uid) &&
        load("archive_entry_set_gid", api.entry_set_gid) &&
        load("archive_entry_set_filetype", api.entry_set_filetype) &&
        load("archive_entry_set_perm", api.entry_set_perm) &&
        load("archive_entry_set_size", api.entry_set_size) &&
        load("archive_entry_set_symlink_utf8", api.entry_set_symlink_utf8);
    if (!ok) problem = std::string("libarchive.so.13 lacks ") + load.missing + ", which lockcut needs";
  });
  if (!problem.empty()) {
    return system_error("cannot load libarchive to write a tar or unpack a package: " + problem,
                        {"install it (Debian: apt-get install libarchive13)"});
  }
  return &api;
}

}  // namespace lockcut::detail
