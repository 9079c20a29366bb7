// huge_pages.cc: the lockcut command's memory on transparent huge pages.
//
// On the VMs lockcut runs on (CI, Lambda builders) each first touch of a
// 4 KiB page is a fault of ~23 us; reading a 40 MB lockfile touches ~100 MiB
// of parser index, names and graph arrays, and with small pages over half
// of the run was faults (300 ms -> 55 ms to load 100,000 packages). With THP
// in `madvise` mode (the Debian default) the kernel uses 2 MiB pages only
// for ranges marked MADV_HUGEPAGE, and glibc marks its memory only with a
// tunable read at startup (glibc.malloc.hugetlb=1), which would cost a
// re-exec. So the command marks the memory itself, in operator new (every
// container and simdjson allocate through it), before the caller touches it:
// - a block of 1 MiB or more: the 2 MiB pages it spans (glibc maps such
//   blocks on their own; engine/memory.h sizes big buffers so the mapping is
//   whole 2 MiB pages, which the kernel aligns);
// - the brk heap: whatever it grew since the last call. It grows 64 MiB at
//   a time (M_TOP_PAD) from a 2 MiB boundary (tune_heap), so most of it is
//   still untouched when marked; the first 2 MiB of a growth, whose first
//   page glibc wrote, is collapsed into one huge page;
// - a worker thread's arena: glibc gives each thread that allocates a heap
//   of its own, a 64 MiB mapping aligned to its size, grown in place. The
//   whole of it is marked the first time a thread allocates from it. (The
//   worker threads list packages and read records; unmarked, their arenas
//   took ~1,500 small-page faults in a warm pack of storefront-web.)
// Marking a neighbour or a hole is harmless. LOCKCUT_NO_HUGEPAGES=1 turns
// all of this off. Replacing operator new is a
// program's decision, so this lives in the command, not the engine library;
// sanitizer builds keep their own allocator.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__)

namespace {

constexpr size_t kLarge = size_t{1} << 20;
constexpr uintptr_t kHuge = uintptr_t{2} << 20;
// glibc's HEAP_MAX_SIZE on 64-bit: 2 * DEFAULT_MMAP_THRESHOLD_MAX
constexpr uintptr_t kArenaHeap = uintptr_t{64} << 20;
#ifdef MADV_COLLAPSE
constexpr int kCollapse = MADV_COLLAPSE;
#else
constexpr int kCollapse = 25;  // older headers; an older kernel says EINVAL
#endif

void advise(uintptr_t begin, uintptr_t end) {
  begin &= ~(kHuge - 1);
  end = (end + kHuge - 1) & ~(kHuge - 1);
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// Blocks up to 32 MiB come from the brk heap, which grows 64 MiB at a time
// and is never trimmed: glibc touches only a chunk header of each growth
// before it is marked, where a block it maps on its own gets its first page
// touched (and so its first 2 MiB in small pages) before operator new sees it.
// LOCKCUT_NO_HUGEPAGES=1 leaves glibc and the kernel alone.
bool tune_heap() {
  if (std::getenv("LOCKCUT_NO_HUGEPAGES")) return false;
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TOP_PAD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // The heap starts where address randomization put it, inside a 2 MiB
  // page that the heap's mapping covers only in part, so its first
  // 0 to 2 MiB could only ever be small pages, and they hold what the run
  // allocates first: a warm pack's kept analysis took 116 to 500 faults
  // there, as the heap's start moved from run to run.
  // The break is moved to the next 2 MiB boundary before glibc grows the
  // heap (the libraries' start-up allocations are in it already); glibc
  // takes the gap as another program's sbrk and continues above it. The
  // gap is never touched, so it costs address space only.
  const uintptr_t top = reinterpret_cast<uintptr_t>(::sbrk(0));
  if (const uintptr_t gap = (kHuge - (top & (kHuge - 1))) & (kHuge - 1); gap != 0) {
    ::sbrk(intptr_t(gap));
  }
  return true;
}

const bool enabled = tune_heap();
std::atomic<uintptr_t> heap_advised{0};
thread_local uintptr_t arena_advised = 0;

void* allocate(size_t size) noexcept {
  void* p = std::malloc(size ? size : 1);
  if (!p || !enabled) return p;
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  if (size >= kLarge) advise(at, at + size);
  const uintptr_t top = reinterpret_cast<uintptr_t>(::sbrk(0));
  if (at >= top && size < kLarge) {  // above the brk heap: an arena's mapping
    const uintptr_t heap = at & ~(kArenaHeap - 1);
    if (heap != arena_advised) {
      arena_advised = heap;
      ::madvise(reinterpret_cast<void*>(heap), kArenaHeap, MADV_HUGEPAGE);
      // glibc wrote the heap's header before it was marked, so its first
      // 2 MiB are small pages already: made one huge page now (Linux 6.1)
      ::madvise(reinterpret_cast<void*>(heap), kHuge, kCollapse);
    }
    return p;
  }
  uintptr_t done = heap_advised.load(std::memory_order_relaxed);
  if (top > done && heap_advised.compare_exchange_strong(done, top)) {
    advise(done ? done : at, top);
    // a growth from a 2 MiB boundary (see tune_heap) had its first page
    // written by glibc before it was marked: its first 2 MiB made one page
    if (done != 0 && (done & (kHuge - 1)) == 0) {
      ::madvise(reinterpret_cast<void*>(done), kHuge, kCollapse);
    }
  }
  return p;
}

void* allocate_or_throw(size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(size_t size) { return allocate_or_throw(size); }
void* operator new[](size_t size) { return allocate_or_throw(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

#endif
