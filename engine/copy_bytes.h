// copy_bytes.h: the copy loop copy.cc and sync.cc share (private to the engine).
#pragma once

#include <cstdint>

namespace lockcut::detail {

/// Copies `size` bytes from `in` to `out` (both open, at offset 0) with a
/// reflink, copy_file_range or read/write, the cheapest that works; returns
/// 0 or an errno.
int copy_file_bytes(int in, int out, uint64_t size);

}  // namespace lockcut::detail
