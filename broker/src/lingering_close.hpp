#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <list>

namespace fleetmq::broker::detail {

/// Closes sockets so that the peer reads the last bytes sent to it (a TLS alert, a DISCONNECT
/// or CONNACK with its reason). Closing a socket whose receive queue holds unread bytes, or
/// that gets more after the close, makes the kernel answer with a TCP RST, and the peer then
/// discards what it had not read yet. So the write side is shut down first (a FIN after the
/// last bytes), and what still comes in is read and discarded until the peer closes too, or
/// for at most `time` or `max_discard` bytes; then the socket is closed.
///
/// Bounded: at most `max_sockets` linger at once per shard (a refusal storm must not hold
/// descriptors); beyond that a socket is closed at once. One per shard, on its thread.
class lingering_closes {
public:
    struct limits {
        std::chrono::milliseconds time{2000};
        std::size_t max_discard = 64 * 1024;
        std::size_t max_sockets = 1024;
    };

    lingering_closes(boost::asio::io_context& io, limits l);
    explicit lingering_closes(boost::asio::io_context& io) : lingering_closes(io, limits{}) {}

    /// Takes over `socket` (open; its pending operations are cancelled) and closes it as above.
    void close(boost::asio::ip::tcp::socket& socket);

    /// Sockets lingering now.
    std::size_t lingering() const noexcept { return sockets_.size(); }

private:
    /// One socket between its FIN and its close. Not reference-counted: this owns each one
    /// until both its operations (the discarding read and the deadline) have ended, and
    /// closes what is left when it goes (the shard's io_context is stopped by then).
    struct lingerer {
        lingerer(boost::asio::ip::tcp::socket s, boost::asio::io_context& io, std::size_t discard)
            : socket{std::move(s)}, deadline{io}, left{discard} {}
        boost::asio::ip::tcp::socket socket;
        boost::asio::steady_timer deadline;
        std::size_t left; // bytes still to discard
        int pending = 2;  // the read and the deadline
        std::array<char, 2048> buffer{};
    };
    using handle = std::list<lingerer>::iterator;

    void discard(handle h);
    void finish(handle h);

    boost::asio::io_context& io_;
    limits limits_;
    std::list<lingerer> sockets_;
};

} // namespace fleetmq::broker::detail
