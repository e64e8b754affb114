#pragma once

#include "fleetmq/auth/identity.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace fleetmq::auth {

/// Which MQTT client ids an identity may use.
enum class client_id_rule : std::uint8_t {
    /// The client id must equal the device id: one device can never take over another's
    /// session. The default.
    equal_to_id,
    /// The client id must be the device id or the device id, '/' and a suffix ("dev-1/a"),
    /// for several sessions per identity. The '/' matters: ids never hold one, so "dev-1"
    /// cannot claim "dev-10"'s session.
    prefixed_by_id,
    /// Any client id, for controllers that open several connections. Such an identity can
    /// claim any session, a device's included: give it to trusted controllers only.
    any,
};

std::string_view to_string(client_id_rule rule) noexcept;

/// The verdict on the client id of a CONNECT.
struct client_id_decision {
    bool accepted = false;
    /// The client id the session uses: the one sent, or the one assigned when it was empty
    /// (to be returned as Assigned Client Identifier in MQTT 5.0).
    std::string client_id;
    bool assigned = false;
};

/// Decides on `requested` for `who`. An empty client id is assigned the device id, or, under
/// `any`, "<device id>/<unique_suffix>" (the caller makes the suffix unique, so that two such
/// connections do not take over each other). A refusal is answered with CONNACK 0x85
/// in MQTT 5.0 and 0x02 in 3.1.1.
client_id_decision decide_client_id(client_id_rule rule, const identity& who,
                                    std::string_view requested, std::string_view unique_suffix);

} // namespace fleetmq::auth
