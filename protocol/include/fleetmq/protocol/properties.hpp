#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace fleetmq::protocol {

/// MQTT 5.0 property identifiers (section 2.2.2.2).
enum class property_id : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0B,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1A,
    server_reference = 0x1C,
    reason_string = 0x1F,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2A,
};

/// Where a property list stands: each packet with properties, and the will of a CONNECT.
enum class property_context : std::uint8_t {
    connect,
    connack,
    publish,
    will,
    puback,
    pubrec,
    pubrel,
    pubcomp,
    subscribe,
    suback,
    unsubscribe,
    unsuback,
    disconnect,
    auth,
};

/// True if MQTT 5.0 allows property `id` in `context` (table 2-4 and the packet sections).
bool is_allowed_in(property_id id, property_context context) noexcept;

/// A User Property: a UTF-8 string pair. Both views point into the decoded packet's bytes.
struct user_property {
    std::string_view name;
    std::string_view value;

    bool operator==(const user_property&) const = default;
};

/// The properties of one packet (or of a will). Absent properties are empty optionals. String
/// and binary values are views into the bytes the packet was decoded from (or, when encoding,
/// into memory the caller keeps alive until the encoder returns).
///
/// The decoder fills only the properties allowed in the packet's context; the encoder writes
/// whatever is set, so a sender sets only what the packet allows.
struct properties {
    std::optional<std::uint8_t> payload_format_indicator;
    std::optional<std::uint32_t> message_expiry_interval;
    std::optional<std::string_view> content_type;
    std::optional<std::string_view> response_topic;
    std::optional<std::string_view> correlation_data;
    /// One in SUBSCRIBE; in PUBLISH from server to client, one per matching subscription.
    std::vector<std::uint32_t> subscription_identifiers;
    std::optional<std::uint32_t> session_expiry_interval;
    std::optional<std::string_view> assigned_client_identifier;
    std::optional<std::uint16_t> server_keep_alive;
    std::optional<std::string_view> authentication_method;
    std::optional<std::string_view> authentication_data;
    std::optional<std::uint8_t> request_problem_information;
    std::optional<std::uint32_t> will_delay_interval;
    std::optional<std::uint8_t> request_response_information;
    std::optional<std::string_view> response_information;
    std::optional<std::string_view> server_reference;
    std::optional<std::string_view> reason_string;
    std::optional<std::uint16_t> receive_maximum;
    std::optional<std::uint16_t> topic_alias_maximum;
    std::optional<std::uint16_t> topic_alias;
    std::optional<std::uint8_t> maximum_qos;
    std::optional<std::uint8_t> retain_available;
    std::vector<user_property> user_properties;
    std::optional<std::uint32_t> maximum_packet_size;
    std::optional<std::uint8_t> wildcard_subscription_available;
    std::optional<std::uint8_t> subscription_identifier_available;
    std::optional<std::uint8_t> shared_subscription_available;

    bool operator==(const properties&) const = default;
};

} // namespace fleetmq::protocol
