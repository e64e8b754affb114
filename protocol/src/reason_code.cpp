#include "fleetmq/protocol/reason_code.hpp"

#include <array>
#include <initializer_list>
#include <string>

namespace fleetmq::protocol {
namespace {

struct reason_code_info {
    std::uint8_t value;
    std::string_view name;
};

// MQTT 5.0 section 2.4, table 2-6.
constexpr std::array reason_codes{
    reason_code_info{0x00, "Success"},
    reason_code_info{0x01, "Granted QoS 1"},
    reason_code_info{0x02, "Granted QoS 2"},
    reason_code_info{0x04, "Disconnect with Will Message"},
    reason_code_info{0x10, "No matching subscribers"},
    reason_code_info{0x11, "No subscription existed"},
    reason_code_info{0x18, "Continue authentication"},
    reason_code_info{0x19, "Re-authenticate"},
    reason_code_info{0x80, "Unspecified error"},
    reason_code_info{0x81, "Malformed Packet"},
    reason_code_info{0x82, "Protocol Error"},
    reason_code_info{0x83, "Implementation specific error"},
    reason_code_info{0x84, "Unsupported Protocol Version"},
    reason_code_info{0x85, "Client Identifier not valid"},
    reason_code_info{0x86, "Bad User Name or Password"},
    reason_code_info{0x87, "Not authorized"},
    reason_code_info{0x88, "Server unavailable"},
    reason_code_info{0x89, "Server busy"},
    reason_code_info{0x8A, "Banned"},
    reason_code_info{0x8B, "Server shutting down"},
    reason_code_info{0x8C, "Bad authentication method"},
    reason_code_info{0x8D, "Keep Alive timeout"},
    reason_code_info{0x8E, "Session taken over"},
    reason_code_info{0x8F, "Topic Filter invalid"},
    reason_code_info{0x90, "Topic Name invalid"},
    reason_code_info{0x91, "Packet Identifier in use"},
    reason_code_info{0x92, "Packet Identifier not found"},
    reason_code_info{0x93, "Receive Maximum exceeded"},
    reason_code_info{0x94, "Topic Alias invalid"},
    reason_code_info{0x95, "Packet too large"},
    reason_code_info{0x96, "Message rate too high"},
    reason_code_info{0x97, "Quota exceeded"},
    reason_code_info{0x98, "Administrative action"},
    reason_code_info{0x99, "Payload format invalid"},
    reason_code_info{0x9A, "Retain not supported"},
    reason_code_info{0x9B, "QoS not supported"},
    reason_code_info{0x9C, "Use another server"},
    reason_code_info{0x9D, "Server moved"},
    reason_code_info{0x9E, "Shared Subscriptions not supported"},
    reason_code_info{0x9F, "Connection rate exceeded"},
    reason_code_info{0xA0, "Maximum connect time"},
    reason_code_info{0xA1, "Subscription Identifiers not supported"},
    reason_code_info{0xA2, "Wildcard Subscriptions not supported"},
};

bool contains(std::initializer_list<std::uint8_t> values, std::uint8_t value) noexcept {
    for (auto v : values) {
        if (v == value) {
            return true;
        }
    }
    return false;
}

class mqtt_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "mqtt"; }
    std::string message(int value) const override {
        return std::string{to_string(static_cast<reason_code>(value))};
    }
};

} // namespace

bool is_defined_reason_code(std::uint8_t value) noexcept {
    for (const auto& info : reason_codes) {
        if (info.value == value) {
            return true;
        }
    }
    return false;
}

bool is_allowed_in(reason_code code, packet_type type) noexcept {
    const auto v = static_cast<std::uint8_t>(code);
    // The reason code tables of MQTT 5.0 sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1,
    // 3.9.3, 3.11.3, 3.14.2.1 and 3.15.2.1.
    switch (type) {
    case packet_type::connack:
        return contains({0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                         0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F},
                        v);
    case packet_type::puback:
    case packet_type::pubrec:
        return contains({0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}, v);
    case packet_type::pubrel:
    case packet_type::pubcomp:
        return contains({0x00, 0x92}, v);
    case packet_type::suback:
        return contains({0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2},
                        v);
    case packet_type::unsuback:
        return contains({0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91}, v);
    case packet_type::disconnect:
        return contains({0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                         0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                         0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2},
                        v);
    case packet_type::auth:
        return contains({0x00, 0x18, 0x19}, v);
    default:
        return false;
    }
}

std::string_view to_string(reason_code code) noexcept {
    const auto value = static_cast<std::uint8_t>(code);
    for (const auto& info : reason_codes) {
        if (info.value == value) {
            return info.name;
        }
    }
    return "Unknown reason code";
}

std::string_view to_string(packet_type type) noexcept {
    constexpr std::array<std::string_view, 16> names{
        "RESERVED", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
        "PUBREL",   "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ",  "PINGRESP", "DISCONNECT", "AUTH"};
    const auto index = static_cast<std::size_t>(type);
    return index < names.size() ? names[index] : "RESERVED";
}

const std::error_category& mqtt_category() noexcept {
    static const mqtt_error_category category;
    return category;
}

reason_code to_reason_code(const std::error_code& error) noexcept {
    if (!error) {
        return reason_code::success;
    }
    if (error.category() == mqtt_category()) {
        return static_cast<reason_code>(error.value());
    }
    return reason_code::unspecified_error;
}

} // namespace fleetmq::protocol
