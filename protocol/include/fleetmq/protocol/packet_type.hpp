#pragma once

#include <cstdint>
#include <string_view>

namespace fleetmq::protocol {

/// The control packet type, bits 7-4 of the fixed header's first byte.
enum class packet_type : std::uint8_t {
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15, // MQTT 5.0 only; reserved in 3.1.1
};

/// Quality of service of a message or the maximum granted for a subscription.
enum class qos : std::uint8_t {
    at_most_once = 0,
    at_least_once = 1,
    exactly_once = 2,
};

std::string_view to_string(packet_type type) noexcept;

} // namespace fleetmq::protocol
