#pragma once

#include "fleetmq/protocol/packet_type.hpp"

#include <cstdint>
#include <string_view>
#include <system_error>

namespace fleetmq::protocol {

/// Every MQTT 5.0 reason code (MQTT 5.0 section 2.4). Several names share a value where the
/// specification gives one byte different meanings in different packets.
///
/// These values are also the values of fleetmq's `std::error_code`s on the data path: a
/// malformed packet is `make_error_code(reason_code::malformed_packet)`, never an exception.
enum class reason_code : std::uint8_t {
    success = 0x00,
    normal_disconnection = 0x00,
    granted_qos_0 = 0x00,
    granted_qos_1 = 0x01,
    granted_qos_2 = 0x02,
    disconnect_with_will_message = 0x04,
    no_matching_subscribers = 0x10,
    no_subscription_existed = 0x11,
    continue_authentication = 0x18,
    re_authenticate = 0x19,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    unsupported_protocol_version = 0x84,
    client_identifier_not_valid = 0x85,
    bad_user_name_or_password = 0x86,
    not_authorized = 0x87,
    server_unavailable = 0x88,
    server_busy = 0x89,
    banned = 0x8A,
    server_shutting_down = 0x8B,
    bad_authentication_method = 0x8C,
    keep_alive_timeout = 0x8D,
    session_taken_over = 0x8E,
    topic_filter_invalid = 0x8F,
    topic_name_invalid = 0x90,
    packet_identifier_in_use = 0x91,
    packet_identifier_not_found = 0x92,
    receive_maximum_exceeded = 0x93,
    topic_alias_invalid = 0x94,
    packet_too_large = 0x95,
    message_rate_too_high = 0x96,
    quota_exceeded = 0x97,
    administrative_action = 0x98,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9A,
    qos_not_supported = 0x9B,
    use_another_server = 0x9C,
    server_moved = 0x9D,
    shared_subscriptions_not_supported = 0x9E,
    connection_rate_exceeded = 0x9F,
    maximum_connect_time = 0xA0,
    subscription_identifiers_not_supported = 0xA1,
    wildcard_subscriptions_not_supported = 0xA2,
};

/// True for the codes of 0x80 and above, which report a failure.
constexpr bool is_failure(reason_code code) noexcept {
    return static_cast<std::uint8_t>(code) >= 0x80;
}

/// True if `value` is a reason code defined by MQTT 5.0 at all.
bool is_defined_reason_code(std::uint8_t value) noexcept;

/// True if MQTT 5.0 allows `code` in a packet of `type` (the per-packet tables of section 3).
bool is_allowed_in(reason_code code, packet_type type) noexcept;

/// The specification's name of the code ("Malformed Packet"), "Unknown reason code" otherwise.
/// Where one value has several names, the failure or the first-listed name is given.
std::string_view to_string(reason_code code) noexcept;

/// The error category whose values are MQTT reason codes. Its name is "mqtt".
const std::error_category& mqtt_category() noexcept;

inline std::error_code make_error_code(reason_code code) noexcept {
    return {static_cast<int>(code), mqtt_category()};
}

/// The reason code carried by an error of `mqtt_category()`, or `unspecified_error` for an error
/// of any other category (and `success` for no error).
reason_code to_reason_code(const std::error_code& error) noexcept;

} // namespace fleetmq::protocol

template <>
struct std::is_error_code_enum<fleetmq::protocol::reason_code> : std::true_type {};
