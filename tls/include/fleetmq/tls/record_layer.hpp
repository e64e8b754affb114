#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace fleetmq::tls {

/// What a non-blocking TLS operation did.
enum class io_status : std::uint8_t {
    /// Done: `bytes` were read or written (for a handshake or shutdown: it is complete).
    ok,
    /// Call again once the socket is readable.
    want_read,
    /// Call again once the socket is writable.
    want_write,
    /// The peer closed the TLS session cleanly (close_notify).
    closed,
    /// The connection ended without close_notify: an abnormal close, which a truncation attack
    /// would also look like.
    truncated,
    /// A TLS or socket error; the connection is unusable.
    failed,
};

struct io_result {
    io_status status = io_status::ok;
    std::size_t bytes = 0;
};

/// Protects application data once the handshake is done. The TLS stream owns one and can swap
/// it after the handshake (OpenSSL's, or a leaner one that keeps only the traffic keys).
/// Non-blocking; owned by one shard.
class record_layer {
public:
    virtual ~record_layer() = default;

    /// Reads decrypted bytes into `into` (partial reads are normal).
    virtual io_result read(std::span<std::uint8_t> into) = 0;
    /// Encrypts and sends from `from`; may accept fewer bytes than given.
    virtual io_result write(std::span<const std::uint8_t> from) = 0;
    /// Sends close_notify (once); `ok` when it has been sent.
    virtual io_result shutdown() = 0;
    /// After a `truncated` or `failed` result, why, in words for logs: the alert received or
    /// sent, the socket error, or an EOF without close_notify.
    virtual std::string failure() const = 0;
};

} // namespace fleetmq::tls
