#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fleetmq::auth {

/// What a connection may do, assigned by the trust entry that issued its certificate.
enum class role : std::uint8_t {
    device,
    controller,
};

std::string_view to_string(role r) noexcept;

/// Who a connection is, fixed at the end of the TLS handshake. Nothing the client sends later
/// (user name, password, client id) changes it.
struct identity {
    /// The device id (for a controller, its name), taken from the certificate.
    std::string id;
    auth::role role = role::device;
    /// The name of the trust entry (usually a vendor) whose CA issued the certificate.
    std::string trust;

    bool operator==(const identity&) const = default;
};

} // namespace fleetmq::auth
