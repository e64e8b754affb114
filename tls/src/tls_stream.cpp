#include "fleetmq/tls/tls_stream.hpp"

#include "classify_failure.hpp"
#include "openssl_ptr.hpp"
#include "openssl_record_layer.hpp"
#include "peer_certificate.hpp"

#include "fleetmq/tls/lean_record_layer.hpp"
#include "fleetmq/tls/traffic_handover.hpp"

#include <openssl/err.h>

namespace fleetmq::tls {

tls_stream::tls_stream(std::shared_ptr<const server_context> context, int fd)
    : context_{std::move(context)}, ssl_{SSL_new(context_->native_handle())} {
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
        failure_ = handshake_failure::other;
        failure_detail_ = "cannot create the TLS session: " + detail::drain_openssl_errors();
        return;
    }
    SSL_set_accept_state(ssl_);
}

tls_stream::~tls_stream() {
    SSL_free(ssl_); // only while the handshake had not completed
}

io_result tls_stream::fail(handshake_failure failure, std::string detail) {
    failure_ = failure;
    failure_detail_ = std::move(detail);
    SSL_free(ssl_);
    ssl_ = nullptr;
    return {io_status::failed, 0};
}

void tls_stream::abandon_handshake(handshake_failure why, std::string detail) {
    if (!handshake_done() && failure_ == handshake_failure::none) {
        fail(why, std::move(detail));
    }
}

io_result tls_stream::handshake() {
    if (handshake_done()) {
        return {io_status::ok, 0};
    }
    if (ssl_ == nullptr || failure_ != handshake_failure::none) {
        return {io_status::failed, 0};
    }
    ERR_clear_error();
    const int returned = SSL_do_handshake(ssl_);
    if (returned == 1) {
        return finish_handshake();
    }
    const int error = SSL_get_error(ssl_, returned);
    if (error == SSL_ERROR_WANT_READ) {
        return {io_status::want_read, 0};
    }
    if (error == SSL_ERROR_WANT_WRITE) {
        return {io_status::want_write, 0};
    }
    auto classified = detail::classify_handshake_failure(ssl_, error);
    return fail(classified.failure, std::move(classified.detail));
}

io_result tls_stream::finish_handshake() {
    X509* certificate = SSL_get0_peer_certificate(ssl_);
    if (certificate == nullptr) {
        // SSL_VERIFY_FAIL_IF_NO_PEER_CERT makes this unreachable; stay safe regardless.
        return fail(handshake_failure::no_client_certificate, "no client certificate");
    }
    resumed_ = SSL_session_reused(ssl_) == 1;
    // A resumed session was verified when it was made, against the trust configuration of its
    // session-id context; revocation can be newer than that.
    if (resumed_ && context_->is_revoked(certificate)) {
        return fail(handshake_failure::revoked, "resumed session of a revoked certificate");
    }
    peer_ = detail::extract_facts(certificate);
    const auto entry = context_->trust_entry_of(certificate, peer_);
    if (!entry) {
        return fail(handshake_failure::unknown_ca, "issued by no configured trust entry's CA");
    }
    // An index past the entries (no entry of its CA selects it) gives no identity: the CONNECT
    // is refused as unknown_trust_entry.
    peer_.trust_entry = *entry;
    version_ = SSL_get_version(ssl_);
    cipher_ = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_));
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(ssl_, &alpn, &alpn_length);
    alpn_.assign(reinterpret_cast<const char*>(alpn), alpn_length);
    if (context_->config().lean_records) {
        if (auto handover = take_traffic_handover(ssl_)) {
            // From here on the keys are enough: OpenSSL's state for this connection goes (it
            // sends nothing, and SSL_set_fd left the descriptor to us).
            records_ = std::make_unique<lean_record_layer>(SSL_get_fd(ssl_), *handover,
                                                           context_->config().lean_records_per_key);
            SSL_free(ssl_);
            ssl_ = nullptr;
            lean_ = true;
            return {io_status::ok, 0};
        }
        // Kept by OpenSSL (TLS 1.2, or bytes already buffered): no need to count its records.
        SSL_set_msg_callback(ssl_, nullptr);
    }
    records_ = std::make_unique<detail::openssl_record_layer>(ssl_);
    ssl_ = nullptr;
    return {io_status::ok, 0};
}

io_result tls_stream::read(std::span<std::uint8_t> into) {
    return records_ ? records_->read(into) : io_result{io_status::failed, 0};
}

io_result tls_stream::write(std::span<const std::uint8_t> from) {
    return records_ ? records_->write(from) : io_result{io_status::failed, 0};
}

io_result tls_stream::shutdown() {
    return records_ ? records_->shutdown() : io_result{io_status::ok, 0};
}

std::string tls_stream::record_failure() const {
    return records_ ? records_->failure() : std::string{"no TLS session"};
}

} // namespace fleetmq::tls
