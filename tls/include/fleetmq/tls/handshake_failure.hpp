#pragma once

#include <cstdint>
#include <string_view>

namespace fleetmq::tls {

/// Why a TLS handshake failed, as operators need to tell causes apart (log field, metric label).
enum class handshake_failure : std::uint8_t {
    none,
    no_client_certificate,
    unknown_ca,  // the chain does not end at a configured CA
    self_signed, // the device's certificate is its own issuer
    expired,
    not_yet_valid,
    revoked,
    crl_unavailable, // the issuer's CRL is missing, expired or not yet valid: fail closed
    bad_signature,
    leaf_is_ca,           // the device's certificate is a CA (CA:TRUE or keyCertSign)
    wrong_purpose,        // no clientAuth in its extended key usage, or no digitalSignature
    path_length_exceeded, // a CA of the chain issued more CAs below it than its pathlen allows
    invalid_ca,           // a certificate between the device and the anchor is not a CA
    chain_too_long,       // more certificates between device and anchor than verify_depth
    unsupported_protocol_version,
    no_shared_cipher,
    not_tls,              // plain MQTT or HTTP sent to the TLS port
    peer_rejected_server, // the client sent an alert: it did not accept the broker
    peer_closed,          // the connection ended in the middle of the handshake
    timeout,
    other,
};

/// A stable label: "no_client_certificate", "unknown_ca", ...
std::string_view to_string(handshake_failure failure) noexcept;

/// Whether the failure is about the client's certificate (who it is) rather than the network or
/// the protocol: these are also counted as authentication failures.
bool is_certificate_failure(handshake_failure failure) noexcept;

} // namespace fleetmq::tls
