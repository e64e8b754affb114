#pragma once

#include "fleetmq/tls/record_layer.hpp"

#include <openssl/ssl.h>

namespace fleetmq::tls::detail {

/// The record layer of OpenSSL itself: the `SSL` object after its handshake. It keeps OpenSSL's
/// whole per-connection state (~18 KiB); a leaner layer can replace it after the handshake.
class openssl_record_layer final : public record_layer {
public:
    /// Takes ownership of `ssl`.
    explicit openssl_record_layer(SSL* ssl) noexcept : ssl_{ssl} {}
    ~openssl_record_layer() override;

    io_result read(std::span<std::uint8_t> into) override;
    io_result write(std::span<const std::uint8_t> from) override;
    io_result shutdown() override;
    std::string failure() const override;

private:
    io_result result_of(int returned);

    SSL* ssl_;
    unsigned long error_ = 0; // OpenSSL's, of the last failure
    int errno_ = 0;           // for a failure of the socket itself
};

/// Maps an SSL_read/SSL_write/SSL_shutdown failure to an io_status, emptying the error queue;
/// `error` gets OpenSSL's error code, if any.
io_status status_of(SSL* ssl, int returned, unsigned long* error = nullptr);

} // namespace fleetmq::tls::detail
