#pragma once

#include "fleetmq/protocol/packets.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fleetmq::broker::detail {

/// A published application message, copied once out of the publisher's read buffer and shared,
/// immutable, by every shard and subscriber that delivers it.
struct message {
    std::string topic;
    std::string payload;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain = false;
    /// The 5.0 properties passed through to subscribers (views into `strings`).
    protocol::properties properties;
    /// Storage for the string values of `properties`.
    std::vector<std::string> strings;
    /// When the broker received it, for the Message Expiry Interval.
    std::chrono::steady_clock::time_point received;

    /// The Message Expiry Interval left now, or nothing if the message has none. A message
    /// whose interval has passed has 0 left and is not delivered [MQTT-3.3.2-5].
    std::optional<std::uint32_t> expiry_left(std::chrono::steady_clock::time_point now) const;

    /// Copies a decoded PUBLISH. `topic` replaces the packet's (after a topic alias).
    static std::shared_ptr<const message> from(const protocol::publish& p, std::string_view topic);
};

using message_ptr = std::shared_ptr<const message>;

} // namespace fleetmq::broker::detail
