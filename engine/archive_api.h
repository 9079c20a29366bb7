// archive_api.h: libarchive, opened when the first tar is written or the
// first tarball unpacked (private to the engine; archive.cc and unpack.cc
// are its users).
//
// libarchive brings about 10 more shared libraries (xml2, icu, nettle, acl,
// lzma, zstd, lz4, bz2, z). Linked normally, the dynamic loader mapped and
// relocated all of them at every start: on a 2-core VM a trivial program
// linked against it starts in 7.3 ms instead of 2.3 ms, and `lockcut
// --version` took 13.5 ms instead of 9.9 (medians of 30). Every run paid it,
// a warm `pack --zip` included, though only tar output and unpacking use
// libarchive. So lockcut compiles against the headers and opens
// libarchive.so.13 with dlopen on first use.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "lockcut/result.h"

namespace lockcut::detail {

/// The libarchive functions archive.cc and unpack.cc call.
struct ArchiveApi {
  decltype(&::archive_errno) error_number;  // `errno` is a macro
  decltype(&::archive_error_string) error_string;
  decltype(&::archive_read_new) read_new;
  decltype(&::archive_read_support_filter_gzip) read_support_filter_gzip;
  decltype(&::archive_read_support_format_tar) read_support_format_tar;
  decltype(&::archive_read_open_filename) read_open_filename;
  decltype(&::archive_read_next_header) read_next_header;
  decltype(&::archive_read_data_block) read_data_block;
  decltype(&::archive_read_free) read_free;
  decltype(&::archive_write_new) write_new;
  decltype(&::archive_write_set_format_pax_restricted) write_set_format_pax_restricted;
  decltype(&::archive_write_add_filter_gzip) write_add_filter_gzip;
  decltype(&::archive_write_set_filter_option) write_set_filter_option;
  decltype(&::archive_write_set_bytes_in_last_block) write_set_bytes_in_last_block;
  decltype(&::archive_write_open_filename) write_open_filename;
  decltype(&::archive_write_header) write_header;
  decltype(&::archive_write_data) write_data;
  decltype(&::archive_write_close) write_close;
  decltype(&::archive_write_free) write_free;
  decltype(&::archive_entry_new) entry_new;
  decltype(&::archive_entry_clear) entry_clear;
  decltype(&::archive_entry_free) entry_free;
  decltype(&::archive_entry_pathname) entry_pathname;
  decltype(&::archive_entry_filetype) entry_filetype;
  decltype(&::archive_entry_perm) entry_perm;
  decltype(&::archive_entry_hardlink) entry_hardlink;
  decltype(&::archive_entry_symlink) entry_symlink;
  decltype(&::archive_entry_set_pathname_utf8) entry_set_pathname_utf8;
  decltype(&::archive_entry_set_mtime) entry_set_mtime;
  decltype(&::archive_entry_set_uid) entry_set_uid;
  decltype(&::archive_entry_set_gid) entry_set_gid;
  decltype(&::archive_entry_set_filetype) entry_set_filetype;
  decltype(&::archive_entry_set_perm) entry_set_perm;
  decltype(&::archive_entry_set_size) entry_set_size;
  decltype(&::archive_entry_set_symlink_utf8) entry_set_symlink_utf8;
};

/// libarchive, loaded once; an error saying what to install when it cannot
/// be loaded.
Result<const ArchiveApi*> archive_api();

}  // namespace lockcut::detail
