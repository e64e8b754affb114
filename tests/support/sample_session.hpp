#pragma once

// A session holding one of everything its format carries (will, subscriptions, QoS 2 in flight
// released and not, waiting messages with properties and subscription ids, QoS 2 ids awaiting
// PUBREL, offline deadlines), for the codec's tests, the fuzzer's seeds and the memory bench.
#include "fleetmq/session/session.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

namespace fleetmq::testing {

inline session::message_ptr sample_message(std::string_view topic, std::string_view payload,
                                           std::uint64_t received_ms, bool with_properties) {
    protocol::publish p;
    p.payload = payload;
    p.qos = protocol::qos::at_least_once;
    if (with_properties) {
        p.properties.content_type = "application/json";
        p.properties.message_expiry_interval = 120;
        p.properties.user_properties.push_back({"k", "v"});
        p.properties.correlation_data = "\x01\x02";
    }
    return session::message::from(
        p, topic, std::chrono::steady_clock::time_point{std::chrono::milliseconds{received_ms}});
}

/// Packet ids 1 (QoS 2, PUBREC received) and 2 (QoS 2, sent) in flight, two QoS 1 messages
/// waiting, ids 4 and 9 awaiting PUBREL; offline since `now_ms`.
inline session::session sample_session(std::uint64_t now_ms) {
    session::session s{"dev-42", auth::identity{"dev-42", auth::role::device, "vendor-a"}};
    s.set_expiry_interval(3600);
    s.set_will(sample_message("device/dev-42/status", "offline", now_ms, false), 30);
    s.subscribe("device/dev-42/commands", 16);
    s.subscribe("$share/ops/device/+/alerts", 16);
    const session::queue_bounds bounds{100, 1 << 20};
    for (int i = 0; i < 2; ++i) {
        s.enqueue({sample_message("device/dev-42/commands", "reboot", now_ms, false),
                   protocol::qos::exactly_once,
                   false,
                   {}},
                  bounds);
        s.take_next_waiting();
    }
    s.on_pubrec(1, false);
    session::subscription_ids ids{7};
    ids.add(11);
    s.enqueue({sample_message("device/dev-42/commands", R"({"set":1})", now_ms, true),
               protocol::qos::at_least_once, true, ids},
              bounds);
    s.enqueue({sample_message("device/dev-42/commands", "ping", now_ms, false),
               protocol::qos::at_least_once,
               false,
               {}},
              bounds);
    s.await_release(4, 16);
    s.await_release(9, 16);
    s.went_offline(now_ms);
    return s;
}

} // namespace fleetmq::testing
