#pragma once

#include "client_pool.hpp"
#include "device_identities.hpp"
#include "latency_histogram.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace fleetmq::bench {

/// Who publishes to whom, in the seed system's topics (the broker's ACL allows exactly these):
/// fan-in: P devices publish on device/<id>/responses, S controller connections share
///         $share/bench/device/+/responses (each message reaches one of them);
/// fan-out: P controller connections publish on device/<id>/commands over S devices in turn.
enum class pubsub_mode { fan_in, fan_out };

struct pubsub_options {
    target to;
    pubsub_mode mode = pubsub_mode::fan_in;
    std::size_t publishers = 10;
    std::size_t subscribers = 10;
    protocol::qos qos = protocol::qos::at_most_once;
    std::size_t payload_bytes = 64; // at least 16: the send time and the publisher travel in it
    /// Messages per second over all publishers (open loop); 0: closed loop with `window`.
    double rate = 0;
    /// Closed loop: messages of one publisher sent and not yet received, at most.
    std::size_t window = 100;
    double seconds = 10;
    /// After publishing stops: how long to wait for what is still on its way.
    double drain_seconds = 5;
    int broker_pid = 0;
    bool progress = false;
};

struct pubsub_result {
    std::map<std::string, std::size_t> connect_failures;
    std::uint64_t connections_lost = 0; // established, then closed by the broker
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    double publish_seconds = 0; // from the first publish to the last receipt
    latency_histogram latency_micros;
    double bench_cpu_seconds = 0;
    double broker_cpu_seconds = 0;
    std::uint64_t broker_rss_after = 0;
};

/// Runs the publishers and subscribers; `devices` and `controller` are the identities (the
/// controller's certificate is shared by its connections, with distinct client ids).
pubsub_result run_pubsub(const pubsub_options& options, const device_identities& devices,
                         const device_identities& controller);

} // namespace fleetmq::bench
