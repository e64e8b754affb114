#pragma once

#include "fleetmq/tls/handshake_failure.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <string>

namespace fleetmq::tls::detail {

/// The verification error the broker's own check sets when the client's certificate is a CA:
/// OpenSSL's "invalid non-CA certificate (has CA markings)", which it answers with the
/// certificate_unknown alert (an application's own code would say handshake_failure, which
/// reads as a cipher problem).
inline constexpr long leaf_is_ca_error = X509_V_ERR_INVALID_NON_CA;

struct classified_failure {
    handshake_failure failure = handshake_failure::other;
    std::string detail;
};

/// Classifies a failed SSL_do_handshake from its SSL_get_error code, the verification result
/// and OpenSSL's error queue (which it empties).
classified_failure classify_handshake_failure(SSL* ssl, int ssl_error);

} // namespace fleetmq::tls::detail
