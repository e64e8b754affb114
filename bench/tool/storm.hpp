#pragma once

#include "client_pool.hpp"
#include "device_identities.hpp"
#include "latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace fleetmq::bench {

/// A reconnect storm: N devices connected, then every connection dropped at once (no
/// DISCONNECT, as when a network fails), and every device reconnecting after a random delay
/// in [0, jitter], retrying failures with exponential backoff and full jitter.
struct storm_options {
    target to;
    std::size_t devices = 100;
    double jitter_seconds = 5;
    double retry_seconds = 1;      // first retry ceiling; doubles per failure
    double max_retry_seconds = 30; // up to this
    bool resume = false;           // reconnect with the TLS session of the first connection
    double storm_timeout_seconds = 300;
    int broker_pid = 0;
    bool progress = false;
};

struct storm_result {
    std::map<std::string, std::size_t> connect_failures; // first connection
    std::size_t connected = 0;
    std::size_t back = 0;    // reconnected in time
    std::size_t resumed = 0; // of those, with a resumed session
    std::uint64_t retries = 0;
    std::map<std::string, std::size_t> retry_reasons;
    double seconds_until_all_back = 0;   // from the drop to the last reconnection
    latency_histogram back_after_micros; // from the drop, per device
    latency_histogram handshake_micros;  // of the reconnections
    double broker_cpu_seconds = 0;       // during the storm
};

storm_result run_storm(const storm_options& options, const device_identities& devices);

} // namespace fleetmq::bench
