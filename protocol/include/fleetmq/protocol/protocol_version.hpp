#pragma once

#include <cstdint>
#include <string_view>

namespace fleetmq::protocol {

/// The protocol level byte of CONNECT: 4 for MQTT 3.1.1, 5 for MQTT 5.0.
enum class protocol_version : std::uint8_t {
    v3_1_1 = 4,
    v5 = 5,
};

constexpr std::string_view to_string(protocol_version version) noexcept {
    return version == protocol_version::v5 ? "5.0" : "3.1.1";
}

} // namespace fleetmq::protocol
