#include "fleetmq/tls/handshake_failure.hpp"

namespace fleetmq::tls {

std::string_view to_string(handshake_failure failure) noexcept {
    switch (failure) {
    case handshake_failure::none:
        return "none";
    case handshake_failure::no_client_certificate:
        return "no_client_certificate";
    case handshake_failure::unknown_ca:
        return "unknown_ca";
    case handshake_failure::self_signed:
        return "self_signed";
    case handshake_failure::expired:
        return "expired";
    case handshake_failure::not_yet_valid:
        return "not_yet_valid";
    case handshake_failure::revoked:
        return "revoked";
    case handshake_failure::crl_unavailable:
        return "crl_unavailable";
    case handshake_failure::bad_signature:
        return "bad_signature";
    case handshake_failure::leaf_is_ca:
        return "leaf_is_ca";
    case handshake_failure::wrong_purpose:
        return "wrong_purpose";
    case handshake_failure::path_length_exceeded:
        return "path_length_exceeded";
    case handshake_failure::invalid_ca:
        return "invalid_ca";
    case handshake_failure::chain_too_long:
        return "chain_too_long";
    case handshake_failure::unsupported_protocol_version:
        return "unsupported_protocol_version";
    case handshake_failure::no_shared_cipher:
        return "no_shared_cipher";
    case handshake_failure::not_tls:
        return "not_tls";
    case handshake_failure::peer_rejected_server:
        return "peer_rejected_server";
    case handshake_failure::peer_closed:
        return "peer_closed";
    case handshake_failure::timeout:
        return "timeout";
    case handshake_failure::other:
        return "other";
    }
    return "other";
}

bool is_certificate_failure(handshake_failure failure) noexcept {
    switch (failure) {
    case handshake_failure::no_client_certificate:
    case handshake_failure::unknown_ca:
    case handshake_failure::self_signed:
    case handshake_failure::expired:
    case handshake_failure::not_yet_valid:
    case handshake_failure::revoked:
    case handshake_failure::crl_unavailable:
    case handshake_failure::bad_signature:
    case handshake_failure::leaf_is_ca:
    case handshake_failure::wrong_purpose:
    case handshake_failure::path_length_exceeded:
    case handshake_failure::invalid_ca:
    case handshake_failure::chain_too_long:
        return true;
    default:
        return false;
    }
}

} // namespace fleetmq::tls
