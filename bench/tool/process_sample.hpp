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

} // namespace fleetmq::bench
