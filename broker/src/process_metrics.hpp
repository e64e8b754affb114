#pragma once

#include <cstdint>

namespace fleetmq::broker::detail {

/// The standard process_* metrics of this process, read from /proc when scraped.
struct process_metrics {
    std::uint64_t resident_bytes = 0;
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;
    double cpu_seconds = 0;
    double start_time_seconds = 0; // unix time

    /// Reads them now. Counting open descriptors asks each slot of the descriptor table (one
    /// fcntl each, no kernel memory); it is the only part of a scrape that grows with
    /// connections.
    static process_metrics read();
};

} // namespace fleetmq::broker::detail
