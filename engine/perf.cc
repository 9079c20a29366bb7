// perf.cc: PhaseTimer (see perf.h).
#include "lockcut/perf.h"

#include <sys/resource.h>

namespace lockcut {

namespace {
void cpu_ms(double& user, double& sys) {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  user = static_cast<double>(ru.ru_utime.tv_sec) * 1e3 + static_cast<double>(ru.ru_utime.tv_usec) / 1e3;
  sys = static_cast<double>(ru.ru_stime.tv_sec) * 1e3 + static_cast<double>(ru.ru_stime.tv_usec) / 1e3;
}
}  // namespace

PhaseTimer::PhaseTimer(PerfLog* log, std::string name)
    : log_(log && log->enabled ? log : nullptr), name_(std::move(name)) {
  if (!log_) return;
  wall_ = std::chrono::steady_clock::now();
  cpu_ms(user_, sys_);
}

PhaseTimer::~PhaseTimer() {
  if (!log_) return;
  double user = 0, sys = 0;
  cpu_ms(user, sys);
  double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_).count();
  log_->phases.push_back(PhaseTime{name_, wall, user - user_, sys - sys_});
}

}  // namespace lockcut
