#pragma once

#include "client_pool.hpp"
#include "device_identities.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace fleetmq::bench {

/// Bulk transfer through one device connection in both directions: the device publishes
/// `bytes` on device/<id>/responses while a controller publishes `bytes` on
/// device/<id>/commands, each in messages of `payload_bytes`, and each side checks every byte
/// and the order of what it receives (bulk_pattern). For the record layer's long-run checks
/// (sequence numbers, buffers, key updates) and for throughput of large messages.
struct bulk_options {
    target to;
    std::uint64_t bytes = std::uint64_t{64} << 20; // each way
    std::size_t payload_bytes = 64 * 1024;
    protocol::qos qos = protocol::qos::at_least_once;
    double stall_seconds = 30; // give up when nothing arrives for this long
    int broker_pid = 0;
    bool progress = false;
};

/// What one direction delivered.
struct bulk_direction {
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t bytes_verified = 0; // payload bytes equal to what was sent, in order
    std::uint64_t corrupt = 0;        // payloads that differ from what was sent
    std::uint64_t out_of_order = 0;   // an index other than the next one expected
};

struct bulk_result {
    std::map<std::string, std::size_t> connect_failures;
    std::uint64_t connections_lost = 0;
    bulk_direction to_device;   // controller -> broker -> device
    bulk_direction from_device; // device -> broker -> controller
    double seconds = 0;         // from the first publish until both directions are complete
    double bench_cpu_seconds = 0;
    double broker_cpu_seconds = 0;
    bool complete = false; // every byte both ways arrived, verified and in order
};

bulk_result run_bulk(const bulk_options& options, const device_identities& devices,
                     const device_identities& controller);

} // namespace fleetmq::bench
