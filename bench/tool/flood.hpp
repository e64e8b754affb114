#pragma once

#include "device_identities.hpp"
#include "latency_histogram.hpp"
#include "target.hpp"

#include "fleetmq/protocol/protocol_version.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace fleetmq::bench {

struct flood_options {
    target to; // where, as which protocol versions, how many threads and set-ups at once
    std::size_t connections = 100;
    /// New connections per second; 0: as fast as the window allows.
    double rate = 0;
    /// Seconds to hold every connection once all are up (keep-alive pings meanwhile).
    double hold_seconds = 0;
    /// The broker's pid, for its resident memory before and after.
    int broker_pid = 0;
    bool progress = false;
    /// The devices of this run are numbers first_device ... first_device + connections - 1
    /// (--procs gives each process its slice), and its source addresses start that many
    /// addresses further.
    std::size_t first_device = 0;
    unsigned source_offset = 0;
    /// Called once every connection settled, and before the held connections are closed
    /// (--procs: the parent samples the broker in between).
    std::function<void()> on_all_settled;
    std::function<void()> before_release;
};

struct flood_result {
    std::size_t attempted = 0;
    std::size_t established = 0;
    std::size_t lost_while_held = 0;
    std::map<std::string, std::size_t> failures;
    double connect_seconds = 0; // from the first attempt to the last one settled
    latency_histogram tls_micros;
    latency_histogram connack_micros;
    std::uint64_t broker_rss_before = 0;
    std::uint64_t broker_rss_after = 0;
    double bench_cpu_seconds = 0;
    double broker_cpu_seconds = 0;
};

/// Opens `options.connections` mTLS MQTT connections as `devices`, each subscribing to
/// device/<id>/commands, holds them, then closes them. Loopback addresses only (checked by the
/// caller).
flood_result run_flood(const flood_options& options, const device_identities& devices);

} // namespace fleetmq::bench
