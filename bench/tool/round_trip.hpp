#pragma once

#include "client_pool.hpp"
#include "device_identities.hpp"
#include "latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace fleetmq::bench {

/// The seed's command flow: every device subscribes to device/<id>/commands and answers each
/// command on device/<id>/responses with its correlation data; controller connections send
/// one command to each device (MQTT 5.0 response topic and correlation data) and read the
/// answers through $share/bench/device/+/responses.
struct round_trip_options {
    target to;
    std::size_t devices = 100;
    std::size_t controllers = 1;
    protocol::qos qos = protocol::qos::at_least_once;
    std::size_t payload_bytes = 32; // of a command; the answer echoes its size
    /// Commands per second over all controllers (open loop); 0: closed loop with `inflight`.
    double rate = 0;
    std::size_t inflight = 100; // closed loop: commands sent and not answered, all controllers
    double answer_timeout_seconds = 30; // after the last command is sent
    int broker_pid = 0;
    bool progress = false;
};

struct round_trip_result {
    std::map<std::string, std::size_t> connect_failures;
    std::uint64_t connections_lost = 0;
    std::uint64_t sent = 0;
    std::uint64_t answered = 0;
    double seconds = 0; // from the first command to the last answer
    latency_histogram round_trip_micros;
    double connect_seconds = 0;
    double bench_cpu_seconds = 0;
    double broker_cpu_seconds = 0;
};

round_trip_result run_round_trip(const round_trip_options& options,
                                 const device_identities& devices,
                                 const device_identities& controller);

} // namespace fleetmq::bench
