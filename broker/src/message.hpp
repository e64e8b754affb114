#pragma once

#include "fleetmq/protocol/packets.hpp"

#include <cstdint>
#include <memory>
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

    /// Copies a decoded PUBLISH. `topic` replaces the packet's (after a topic alias).
    static std::shared_ptr<const message> from(const protocol::publish& p, std::string_view topic);
};

using message_ptr = std::shared_ptr<const message>;

} // namespace fleetmq::broker::detail
