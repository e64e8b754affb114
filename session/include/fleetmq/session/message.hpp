#pragma once

#include "fleetmq/protocol/packets.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fleetmq::session {

using shared_bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

/// A published application message, copied once out of the publisher's read buffer and shared,
/// immutable, by every shard and subscriber that delivers it.
struct message {
    message() = default;
    message(const message&) = delete;
    message& operator=(const message&) = delete;
    ~message();

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

    /// Copies a decoded PUBLISH received at `received`. `topic` replaces the packet's (after a
    /// topic alias).
    static std::shared_ptr<const message> from(const protocol::publish& p, std::string_view topic,
                                               std::chrono::steady_clock::time_point received);

    /// The whole PUBLISH for `version`, `qos` and `retain`, without Subscription Identifier,
    /// encoded once for every receiver that takes this variant (any thread, without a lock: two
    /// threads asking at once may both encode it, and one keeps its copy) with packet id 0:
    /// a QoS 1/2 receiver copies it and writes its own (see `packet_id_offset`). Nothing for a
    /// message with a Message Expiry Interval (each receiver is told what is left of it) or
    /// one that cannot be encoded.
    shared_bytes encoded(protocol::protocol_version version, protocol::qos as_qos,
                         bool as_retain) const;

    /// Where the packet id sits in an encoding of a QoS 1/2 PUBLISH.
    static std::size_t packet_id_offset(std::span<const std::uint8_t> encoding,
                                        std::size_t topic_size) noexcept;

private:
    struct variants;
    /// Made by the first receiver that asks; most messages are never encoded twice.
    mutable std::atomic<variants*> variants_{nullptr};
};

using message_ptr = std::shared_ptr<const message>;

} // namespace fleetmq::session
