#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>

namespace fleetmq::bench {

/// Resident set size of process `pid` in bytes (VmRSS of /proc/<pid>/status).
std::size_t resident_bytes(pid_t pid);

/// User plus system CPU time process `pid` has used (/proc/<pid>/stat).
std::chrono::microseconds cpu_time(pid_t pid);

} // namespace fleetmq::bench
