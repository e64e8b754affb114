#pragma once

#include "fleetmq/protocol/packet_type.hpp"
#include "fleetmq/protocol/properties.hpp"
#include "fleetmq/protocol/protocol_version.hpp"
#include "fleetmq/protocol/reason_code.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace fleetmq::protocol {

// The MQTT control packets as value types. Every string and binary field is a view into the
// bytes the packet was decoded from: a decoded packet is valid only as long as those bytes are.
// Fields that exist only in MQTT 5.0 (properties, most reason codes) are ignored when encoding
// for 3.1.1 and left at their defaults when decoding 3.1.1.

/// The will of a CONNECT (MQTT 5.0 section 3.1.2.5 and 3.1.3.2).
struct will_message {
    std::string_view topic;
    std::string_view payload;
    protocol::qos qos = qos::at_most_once;
    bool retain = false;
    protocol::properties properties;

    bool operator==(const will_message&) const = default;
};

struct connect {
    protocol_version version = protocol_version::v5;
    bool clean_start = true;
    std::uint16_t keep_alive = 0;
    std::string_view client_id;
    std::optional<will_message> will;
    std::optional<std::string_view> username;
    std::optional<std::string_view> password;
    protocol::properties properties;

    bool operator==(const connect&) const = default;
};

/// In 3.1.1 only the codes with a 3.1.1 return code are carried (see `to_v3_return_code`).
struct connack {
    bool session_present = false;
    reason_code code = reason_code::success;
    protocol::properties properties;

    bool operator==(const connack&) const = default;
};

struct publish {
    std::string_view topic;
    std::string_view payload;
    protocol::qos qos = qos::at_most_once;
    bool retain = false;
    bool dup = false;
    /// Zero for QoS 0 (which has no packet identifier on the wire).
    std::uint16_t packet_id = 0;
    protocol::properties properties;

    bool operator==(const publish&) const = default;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share their layout.
template <packet_type Type>
struct basic_ack {
    static constexpr packet_type type = Type;
    std::uint16_t packet_id = 0;
    reason_code code = reason_code::success;
    protocol::properties properties;

    bool operator==(const basic_ack&) const = default;
};

using puback = basic_ack<packet_type::puback>;
using pubrec = basic_ack<packet_type::pubrec>;
using pubrel = basic_ack<packet_type::pubrel>;
using pubcomp = basic_ack<packet_type::pubcomp>;

/// Retain Handling of a subscription (MQTT 5.0 section 3.8.3.1).
enum class retain_handling : std::uint8_t {
    send_on_subscribe = 0,
    send_if_new_subscription = 1,
    do_not_send = 2,
};

struct subscription {
    std::string_view filter;
    protocol::qos max_qos = qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    protocol::retain_handling retain_handling = retain_handling::send_on_subscribe;

    bool operator==(const subscription&) const = default;
};

struct subscribe {
    std::uint16_t packet_id = 0;
    std::vector<subscription> subscriptions;
    protocol::properties properties;

    bool operator==(const subscribe&) const = default;
};

/// One code per subscription. In 3.1.1 only 0x00, 0x01, 0x02 and 0x80 exist: the encoder sends
/// any failure as 0x80.
struct suback {
    std::uint16_t packet_id = 0;
    std::vector<reason_code> codes;
    protocol::properties properties;

    bool operator==(const suback&) const = default;
};

struct unsubscribe {
    std::uint16_t packet_id = 0;
    std::vector<std::string_view> filters;
    protocol::properties properties;

    bool operator==(const unsubscribe&) const = default;
};

/// In 3.1.1 UNSUBACK has no payload: `codes` is not sent, and decodes empty.
struct unsuback {
    std::uint16_t packet_id = 0;
    std::vector<reason_code> codes;
    protocol::properties properties;

    bool operator==(const unsuback&) const = default;
};

struct pingreq {
    bool operator==(const pingreq&) const = default;
};

struct pingresp {
    bool operator==(const pingresp&) const = default;
};

struct disconnect {
    reason_code code = reason_code::normal_disconnection;
    protocol::properties properties;

    bool operator==(const disconnect&) const = default;
};

/// MQTT 5.0 only.
struct auth {
    reason_code code = reason_code::success;
    protocol::properties properties;

    bool operator==(const auth&) const = default;
};

/// Any control packet. The index of each alternative is its packet type minus one.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

/// The type of the packet held by `p`.
inline packet_type type_of(const packet& p) noexcept {
    return static_cast<packet_type>(p.index() + 1);
}

/// The MQTT 3.1.1 CONNACK return code for `code`: 0 accepted, 1 unacceptable protocol version,
/// 2 identifier rejected, 3 server unavailable, 4 bad user name or password, 5 not authorized.
/// Codes 3.1.1 lacks map to the nearest: bans and authorization failures to 5, every other
/// failure to 3.
std::uint8_t to_v3_return_code(reason_code code) noexcept;

/// The reason code of a 3.1.1 CONNACK return code, or nothing for a reserved value (6..255).
std::optional<reason_code> from_v3_return_code(std::uint8_t return_code) noexcept;

} // namespace fleetmq::protocol
