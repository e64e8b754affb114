#pragma once

#include "fleetmq/tls/tls_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <utility>

namespace fleetmq::tls {

namespace detail {

template <class Done>
void handshake_step(boost::asio::ip::tcp::socket& socket, tls_stream& stream,
                    boost::asio::steady_timer& deadline, Done done) {
    const auto result = stream.handshake();
    if (result.status == io_status::want_read || result.status == io_status::want_write) {
        const auto wait = result.status == io_status::want_read
                              ? boost::asio::socket_base::wait_read
                              : boost::asio::socket_base::wait_write;
        socket.async_wait(wait, [&socket, &stream, &deadline, done = std::move(done)](
                                    const boost::system::error_code& error) mutable {
            if (error) {
                // Cancelled by the deadline (which already said timeout), or the socket failed.
                if (error != boost::asio::error::operation_aborted) {
                    stream.abandon_handshake(handshake_failure::peer_closed, error.message());
                }
                stream.abandon_handshake();
                deadline.cancel();
                done(false);
                return;
            }
            handshake_step(socket, stream, deadline, std::move(done));
        });
        return;
    }
    deadline.cancel();
    done(result.status == io_status::ok);
}

} // namespace detail

/// Runs `stream`'s server handshake to its end on `socket`'s readiness (no thread blocks, no
/// byte is buffered outside OpenSSL), and abandons it after `timeout` (then
/// `stream.failure()` is `timeout`). Calls `done(bool succeeded)` exactly once, on the socket's
/// executor.
///
/// `socket`, `stream` and `deadline` must outlive the operation: `done` typically holds the
/// shared_ptr of the connection that owns them. `socket` must be non-blocking.
template <class Done>
void async_tls_handshake(boost::asio::ip::tcp::socket& socket, tls_stream& stream,
                         boost::asio::steady_timer& deadline, std::chrono::milliseconds timeout,
                         Done done) {
    deadline.expires_after(timeout);
    deadline.async_wait([&socket, &stream](const boost::system::error_code& error) {
        if (!error) {
            stream.abandon_handshake();
            boost::system::error_code ignored;
            socket.cancel(ignored);
        }
    });
    detail::handshake_step(socket, stream, deadline, std::move(done));
}

} // namespace fleetmq::tls
