#include "classify_failure.hpp"

#include "openssl_ptr.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>

namespace fleetmq::tls::detail {
namespace {

handshake_failure from_verify_result(long result) {
    switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return handshake_failure::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return handshake_failure::not_yet_valid;
    case X509_V_ERR_CERT_REVOKED:
        return handshake_failure::revoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        return handshake_failure::crl_unavailable;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return handshake_failure::bad_signature;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        return handshake_failure::unknown_ca;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return handshake_failure::self_signed;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        return handshake_failure::chain_too_long;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
        return handshake_failure::wrong_purpose;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return handshake_failure::path_length_exceeded;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        return handshake_failure::invalid_ca;
    case leaf_is_ca_error:
        return handshake_failure::leaf_is_ca;
    default:
        return handshake_failure::other;
    }
}

handshake_failure from_reason(int reason) {
    if (reason >= SSL_AD_REASON_OFFSET) {
        return handshake_failure::peer_rejected_server; // an alert the client sent
    }
    switch (reason) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        return handshake_failure::no_client_certificate;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_UNKNOWN_PROTOCOL:
        return handshake_failure::unsupported_protocol_version;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
        return handshake_failure::no_shared_cipher;
    case SSL_R_BAD_SIGNATURE:
        return handshake_failure::bad_signature;
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
        return handshake_failure::not_tls;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
        return handshake_failure::peer_closed;
    default:
        return handshake_failure::other;
    }
}

} // namespace

classified_failure classify_handshake_failure(SSL* ssl, int ssl_error) {
    const long verify_result = SSL_get_verify_result(ssl);
    const unsigned long code = ERR_peek_last_error();
    classified_failure result;
    if (verify_result != X509_V_OK) {
        result.failure = from_verify_result(verify_result);
        result.detail = X509_verify_cert_error_string(verify_result);
    } else if (ssl_error == SSL_ERROR_ZERO_RETURN ||
               (ssl_error == SSL_ERROR_SYSCALL && code == 0)) {
        result.failure = handshake_failure::peer_closed;
        result.detail = errno != 0 ? std::strerror(errno) : "end of stream";
    } else if (code != 0) {
        result.failure = from_reason(ERR_GET_REASON(code));
    }
    const auto queue = drain_openssl_errors();
    if (result.detail.empty()) {
        result.detail = queue.empty() ? "unknown" : queue;
    }
    return result;
}

} // namespace fleetmq::tls::detail
