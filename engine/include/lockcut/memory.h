// memory.h: sizing large buffers so the kernel backs them with huge pages.
//
// On the VMs lockcut runs on (CI, Lambda builders) a first touch of a 4 KiB
// page costs about 23 us (measured: 64 MiB in 370 ms), a 2 MiB transparent
// huge page about 0.2 ms for 512 times the memory. glibc (with the
// `glibc.malloc.hugetlb=1` tunable the CLI sets) asks for huge pages only on
// a block of at least 2 MiB, and the kernel aligns an anonymous mapping to
// 2 MiB only when its length is a multiple of 2 MiB; so a block of k * 2 MiB
// minus malloc's header is all huge pages, and one of 1.9 MiB is all small.
// Buffers from 256 KiB up are rounded so; the rest stay as they are (they
// come from the heap).
#pragma once

#include <cstddef>
#include <vector>

namespace lockcut {

/// A capacity of at least `n` elements of `size` bytes whose block is whole
/// 2 MiB pages (less malloc's 32 bytes of header), or `n` for small blocks.
inline size_t huge_page_capacity(size_t n, size_t size) {
  constexpr size_t kHuge = size_t{2} << 20, kHeader = 32;
  const size_t bytes = n * size;
  if (size == 0 || bytes < (size_t{256} << 10)) return n;
  const size_t block = (bytes + kHeader + kHuge - 1) / kHuge * kHuge - kHeader;
  return block / size;
}

/// Reserves room for `n` elements, rounded as huge_page_capacity().
template <class T>
void reserve_huge(std::vector<T>& v, size_t n) {
  if (n > v.capacity()) v.reserve(huge_page_capacity(n, sizeof(T)));
}

/// `v.assign(n, value)` into a block rounded as huge_page_capacity().
template <class T>
void assign_huge(std::vector<T>& v, size_t n, const T& value) {
  v.clear();
  reserve_huge(v, n);
  v.assign(n, value);
}

}  // namespace lockcut
