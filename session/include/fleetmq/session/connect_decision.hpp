#pragma once

// The first step of the endpoint: what a CONNECT decides (who the client is, which client id it
// gets, its will, keep alive and session expiry, what it can take) and the CONNACK that answers
// it. Pure: the identity comes from the certificate, the rules from the caller.
#include "fleetmq/session/message.hpp"

#include "fleetmq/auth/client_id_policy.hpp"
#include "fleetmq/auth/identity.hpp"
#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/packets.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace fleetmq::session {

/// The broker's side of a connection's terms.
struct connect_limits {
    std::uint16_t max_keep_alive = 300;
    std::uint32_t max_session_expiry = 0;
    std::uint16_t max_inflight = 64;         ///< CONNACK Receive Maximum
    std::uint32_t max_packet_size = 1 << 20; ///< CONNACK Maximum Packet Size
    std::uint16_t topic_alias_maximum = 0;   ///< inbound aliases the broker takes
};

/// What the broker knows of the client when its CONNECT arrives.
struct connect_context {
    /// From the certificate; null when it was refused, with `identity_failure` saying why.
    const auth::identity* identity = nullptr;
    std::string_view identity_failure;
    auth::client_id_rule client_id_rule = auth::client_id_rule::equal_to_id;
    /// Makes an assigned client id unique (see auth::decide_client_id).
    std::string_view unique_suffix;
    /// The ACL's verdict on publishing the will's topic (counted and logged by the caller).
    std::function<bool(std::string_view topic)> will_allowed;
    std::chrono::steady_clock::time_point now;
};

/// A CONNECT accepted: the terms of the connection and what its session gets.
struct connect_accepted {
    std::string client_id;
    bool client_id_assigned = false; ///< told in CONNACK (5.0 Assigned Client Identifier)
    bool clean_start = true;
    std::uint16_t keep_alive = 0;
    bool keep_alive_changed = false; ///< told in CONNACK (5.0 Server Keep Alive)
    /// 5.0: as asked; 3.1.1: the broker's maximum for Clean Session 0, else 0.
    std::uint32_t session_expiry_requested = 0;
    message_ptr will; ///< without its Will Delay Interval, which is for the broker
    std::uint32_t will_delay = 0;
    std::uint16_t peer_receive_maximum = 65535;
    std::uint32_t peer_maximum_packet_size = protocol::max_packet_size_limit;
    std::uint16_t peer_topic_alias_maximum = 0;
};

/// A CONNECT refused: CONNACK with `code`, then close.
struct connect_refused {
    protocol::reason_code code;
    std::string why;
    /// The auth failure metric's reason when the refusal is about who the client is, else empty.
    std::string auth_failure;
    /// The client id it asked for, for the log, when that was the reason.
    std::string client_id;
};

using connect_decision = std::variant<connect_accepted, connect_refused>;

/// Decides on `c`: the certificate must have given an identity, enhanced authentication is
/// refused (the certificate is the only credential), the client id must follow the identity's
/// rule, the will's topic must be allowed; keep alive is bounded by the broker's maximum.
connect_decision decide_connect(const protocol::connect& c, const connect_context& context,
                                const connect_limits& limits);

/// The CONNACK of an accepted CONNECT, and the session expiry granted. The ack's Assigned
/// Client Identifier refers to the accepted client id: keep `a` until the ack is encoded.
struct connack_terms {
    protocol::connack ack;
    std::uint32_t session_expiry = 0;
};
connack_terms accept_connect(const connect_accepted& a, protocol::protocol_version version,
                             bool session_present, const connect_limits& limits);

} // namespace fleetmq::session
