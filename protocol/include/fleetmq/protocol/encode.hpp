#pragma once

#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/packets.hpp"
#include "fleetmq/protocol/protocol_version.hpp"

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace fleetmq::protocol {

struct encode_result {
    std::error_code error;
    /// The packet's size on the wire (fixed header included): the bytes written, or, for
    /// `encoded_size`, the bytes that would be.
    std::size_t size = 0;
};

/// The exact size `encode` needs for `p`.
///
/// `maximum_packet_size` is the peer's limit (its Maximum Packet Size property). A packet that
/// would be larger is `packet_too_large` and is never produced. Before giving up, the MQTT 5.0
/// packets that may shed them (CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK,
/// DISCONNECT, AUTH) are sized without their Reason String and then without their User
/// Properties, as [MQTT-3.2.2-19] and its siblings require.
///
/// Other errors: `malformed_packet` for a value the wire cannot carry (a string over 65,535
/// bytes, a Subscription Identifier over 268,435,455, a 3.1.1 password without a user name);
/// `protocol_error` for a packet the version does not have (AUTH in 3.1.1) or a QoS 1/2
/// PUBLISH, SUBSCRIBE or UNSUBSCRIBE without a packet identifier.
encode_result encoded_size(const packet& p, protocol_version version,
                           std::uint32_t maximum_packet_size = max_packet_size_limit);

/// Writes `p` at the start of `out`. Errors as for `encoded_size`, and
/// `std::errc::no_buffer_space` if `out` is too small (nothing is written then).
encode_result encode(const packet& p, protocol_version version, std::span<std::uint8_t> out,
                     std::uint32_t maximum_packet_size = max_packet_size_limit);

/// Appends `p` to `out`.
encode_result encode(const packet& p, protocol_version version, std::vector<std::uint8_t>& out,
                     std::uint32_t maximum_packet_size = max_packet_size_limit);

/// The gather form of PUBLISH, for sending one message to many subscribers without copying its
/// payload: writes everything but the payload (fixed header, topic, packet identifier,
/// properties) into `head`; the packet on the wire is those `size` bytes followed by
/// `p.payload`. `encode_result::size` is the head's size; the limit applies to the whole packet.
/// A head is at most `max_publish_head_size(p)` bytes.
encode_result encode_publish_head(const publish& p, protocol_version version,
                                  std::span<std::uint8_t> head,
                                  std::uint32_t maximum_packet_size = max_packet_size_limit);

/// An upper bound of the head `encode_publish_head` writes for `p`.
std::size_t max_publish_head_size(const publish& p) noexcept;

} // namespace fleetmq::protocol
