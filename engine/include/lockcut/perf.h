// perf.h: per-phase timing for `--perf` (wall, user and system time).
//
// A PhaseTimer at the top of a phase records into a PerfLog when the log is
// enabled; when it is not, the timer reads no clocks, so `--perf` costs
// nothing unless asked for.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace lockcut {

/// One measured phase.
struct PhaseTime {
  std::string name;
  double wall_ms = 0, user_ms = 0, sys_ms = 0;
};

/// Collected phase times.
struct PerfLog {
  bool enabled = false;
  std::vector<PhaseTime> phases;
};

/// Records the time from construction to destruction as one phase.
class PhaseTimer {
 public:
  PhaseTimer(PerfLog* log, std::string name);
  ~PhaseTimer();
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  PerfLog* log_;
  std::string name_;
  std::chrono::steady_clock::time_point wall_;
  double user_ = 0, sys_ = 0;
};

}  // namespace lockcut
