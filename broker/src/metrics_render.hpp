#pragma once

#include "process_metrics.hpp"
#include "shard_metrics.hpp"

#include <chrono>
#include <span>
#include <string>
#include <vector>

namespace fleetmq::broker::detail {

/// The names that label values come from: a fixed set, never one per device.
struct metrics_names {
    std::vector<std::string> listeners; // "address:port", in configuration order
    std::vector<std::string> trusts;    // trust entry names, in configuration order
    std::string version;
    std::uint64_t max_connections = 0;
};

/// How reloads went since the start. The configuration loaded at start counts as the first
/// successful load (as Prometheus' own config_last_reload_success_timestamp_seconds does).
struct reload_counts {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    double last_success_seconds = 0; // unix time
};

/// The whole /metrics page from every shard's snapshot: sums and per-shard gauges. Costs
/// O(shards x metrics), whatever the number of connections (the certificate expiry histogram
/// walks one entry per distinct expiry day).
std::string render_metrics(std::span<const shard_snapshot> shards, const metrics_names& names,
                           const process_metrics& process,
                           std::chrono::system_clock::time_point now,
                           const reload_counts& reloads = {});

/// "Not authorized" -> "not_authorized": reason codes and packet types as label values.
std::string label_value(std::string_view text);

} // namespace fleetmq::broker::detail
