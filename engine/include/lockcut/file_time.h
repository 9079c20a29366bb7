// file_time.h: file timestamps as nanoseconds, and how recent is too recent
// to trust.
//
// Every cache that trusts a timestamp (zip entries, folder listings, --sync)
// has the same blind spot: a file's time comes from a coarse clock, so a
// second write within the same tick can leave it unchanged (git's "racy"
// entries). A timestamp within kRacyWindowNs of the moment it was read is
// therefore never trusted; the content or the folder is checked again.
#pragma once

#include <cstdint>
#include <ctime>

namespace lockcut {

/// A change within this long before it was recorded is not trusted.
inline constexpr uint64_t kRacyWindowNs = 2000000000;

/// Whether something changed at `changed_ns` and read at `read_ns` was read
/// long enough after the change to be trusted.
inline bool trusted_change(uint64_t changed_ns, uint64_t read_ns) {
  return read_ns > kRacyWindowNs && changed_ns < read_ns - kRacyWindowNs;
}

/// A stat time as nanoseconds since the epoch.
inline uint64_t timespec_ns(const timespec& t) {
  return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

/// Now, on the clock file times come from.
inline uint64_t wall_clock_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return timespec_ns(ts);
}

}  // namespace lockcut
