#pragma once

#include "fleetmq/auth/certificate_facts.hpp"
#include "fleetmq/tls/handshake_failure.hpp"
#include "fleetmq/tls/record_layer.hpp"
#include "fleetmq/tls/server_context.hpp"

#include <memory>
#include <string>
#include <string_view>

struct ssl_st;

namespace fleetmq::tls {

/// The server side of one TLS connection on a non-blocking socket: OpenSSL attached to the
/// socket's file descriptor (no BIO pair, no staging buffers), driven by whoever waits for the
/// socket's readiness. The socket stays the caller's: the stream never closes it.
///
/// Handshake: call `handshake()` until it returns `ok` or `failed`, waiting for readability or
/// writability as it asks. When it succeeds the client certificate was verified (chain, dates,
/// CRL, and for a resumed session the CRL again), and `peer()` holds its facts. When it fails,
/// `failure()` says why. No application byte is read before that.
///
/// Afterwards `read`, `write` and `shutdown` go through the record layer.
///
/// Owned by one shard; not thread-safe.
class tls_stream {
public:
    tls_stream(std::shared_ptr<const server_context> context, int fd);
    ~tls_stream();
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;

    io_result handshake();

    /// Ends an unfinished handshake: it ran out of time (the default), or the socket failed.
    /// Does nothing if the handshake already ended.
    void abandon_handshake(handshake_failure why = handshake_failure::timeout,
                           std::string detail = "the handshake did not finish in time");

    bool handshake_done() const noexcept { return records_ != nullptr; }
    handshake_failure failure() const noexcept { return failure_; }
    /// OpenSSL's words for the failure (verify error, alert), for logs.
    const std::string& failure_detail() const noexcept { return failure_detail_; }

    /// The verified client certificate's facts, with the index of its trust entry.
    const auth::certificate_facts& peer() const noexcept { return peer_; }
    /// Moves the facts out, so that a connection keeps only the identity made from them.
    auth::certificate_facts take_peer() noexcept { return std::move(peer_); }
    bool resumed() const noexcept { return resumed_; }
    /// Records are protected by the lean record layer (OpenSSL's state freed after the
    /// handshake).
    bool lean() const noexcept { return lean_; }
    /// "TLSv1.3", "TLSv1.2"; valid after the handshake.
    std::string_view version() const noexcept { return version_; }
    std::string_view cipher() const noexcept { return cipher_; }
    /// The ALPN protocol agreed ("mqtt"), or empty.
    std::string_view alpn() const noexcept { return alpn_; }

    const std::shared_ptr<const server_context>& context() const noexcept { return context_; }

    io_result read(std::span<std::uint8_t> into);
    io_result write(std::span<const std::uint8_t> from);
    io_result shutdown();
    /// After a read or write that was `truncated` or `failed`: why, for logs (the alert, the
    /// socket error, or an EOF without close_notify).
    std::string record_failure() const;

private:
    io_result fail(handshake_failure failure, std::string detail);
    io_result finish_handshake();

    std::shared_ptr<const server_context> context_;
    ssl_st* ssl_ = nullptr; // owned until the handshake is done, then by the record layer
    std::unique_ptr<record_layer> records_;
    handshake_failure failure_ = handshake_failure::none;
    std::string failure_detail_;
    auth::certificate_facts peer_;
    bool resumed_ = false;
    bool lean_ = false;
    std::string_view version_;
    std::string_view cipher_;
    std::string alpn_;
};

} // namespace fleetmq::tls
