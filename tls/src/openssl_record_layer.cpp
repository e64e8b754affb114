#include "openssl_record_layer.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace fleetmq::tls::detail {

io_status status_of(SSL* ssl, int returned, unsigned long* error_code) {
    const int error = SSL_get_error(ssl, returned);
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (error_code != nullptr) {
        *error_code = code;
    }
    switch (error) {
    case SSL_ERROR_WANT_READ:
        return io_status::want_read;
    case SSL_ERROR_WANT_WRITE:
        return io_status::want_write;
    case SSL_ERROR_ZERO_RETURN:
        return io_status::closed;
    case SSL_ERROR_SYSCALL:
        // No close_notify: EOF or a reset. OpenSSL 3 reports a bare EOF as SYSCALL with an
        // empty queue, or as SSL_R_UNEXPECTED_EOF_WHILE_READING.
        return io_status::truncated;
    case SSL_ERROR_SSL:
        return ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING ? io_status::truncated
                                                                          : io_status::failed;
    default:
        return io_status::failed;
    }
}

openssl_record_layer::~openssl_record_layer() {
    SSL_free(ssl_);
}

io_result openssl_record_layer::result_of(int returned) {
    const int saved_errno = errno;
    const auto status = status_of(ssl_, returned, &error_);
    errno_ = status == io_status::truncated || status == io_status::failed ? saved_errno : 0;
    return {status, 0};
}

std::string openssl_record_layer::failure() const {
    if (error_ != 0) {
        const char* reason = ERR_reason_error_string(error_);
        return reason != nullptr ? reason : "OpenSSL error " + std::to_string(error_);
    }
    if (errno_ != 0 && errno_ != EAGAIN) {
        return std::strerror(errno_);
    }
    return "EOF without close_notify";
}

io_result openssl_record_layer::read(std::span<std::uint8_t> into) {
    const int size = static_cast<int>(std::min<std::size_t>(into.size(), INT_MAX));
    const int got = SSL_read(ssl_, into.data(), size);
    if (got > 0) {
        return {io_status::ok, static_cast<std::size_t>(got)};
    }
    return result_of(got);
}

io_result openssl_record_layer::write(std::span<const std::uint8_t> from) {
    if (from.empty()) {
        return {io_status::ok, 0};
    }
    const int size = static_cast<int>(std::min<std::size_t>(from.size(), INT_MAX));
    const int sent = SSL_write(ssl_, from.data(), size);
    if (sent > 0) {
        return {io_status::ok, static_cast<std::size_t>(sent)};
    }
    return result_of(sent);
}

io_result openssl_record_layer::shutdown() {
    // Only our close_notify is sent; the peer's is not awaited (the socket closes next).
    const int done = SSL_shutdown(ssl_);
    if (done >= 0) {
        return {io_status::ok, 0};
    }
    return result_of(done);
}

} // namespace fleetmq::tls::detail
