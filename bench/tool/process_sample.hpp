#pragma once

#include <sys/types.h>

#include <cstdint>

namespace fleetmq::bench {

/// Resident memory of process `pid` (VmRSS), 0 if it cannot be read.
std::uint64_t resident_bytes(pid_t pid);
/// User and system CPU time process `pid` has used.
double cpu_seconds(pid_t pid);
/// This process's CPU time, all threads.
double own_cpu_seconds();

/// CPU time used since it was made, by this process and by the broker (pid 0: none).
class cpu_meter {
public:
    explicit cpu_meter(pid_t broker_pid)
        : broker_pid_{broker_pid}, broker_before_{broker_pid != 0 ? cpu_seconds(broker_pid) : 0},
          own_before_{own_cpu_seconds()} {}
    double broker() const {
        return broker_pid_ != 0 ? cpu_seconds(broker_pid_) - broker_before_ : 0;
    }
    double own() const { return own_cpu_seconds() - own_before_; }

private:
    pid_t broker_pid_;
    double broker_before_;
    double own_before_;
};

} // namespace fleetmq::bench
