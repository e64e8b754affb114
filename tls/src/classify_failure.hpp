#pragma once

#include "fleetmq/tls/handshake_failure.hpp"

#include <openssl/ssl.h>

#include <string>

namespace fleetmq::tls::detail {

struct classified_failure {
    handshake_failure failure = handshake_failure::other;
    std::string detail;
};

/// Classifies a failed SSL_do_handshake from its SSL_get_error code, the verification result
/// and OpenSSL's error queue (which it empties).
classified_failure classify_handshake_failure(SSL* ssl, int ssl_error);

} // namespace fleetmq::tls::detail
