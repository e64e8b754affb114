#include "lingering_close.hpp"

#include <boost/asio/steady_timer.hpp>

#include <array>

#include <unistd.h>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One socket between its FIN and its close.
class lingerer : public std::enable_shared_from_this<lingerer> {
public:
    lingerer(tcp::socket socket, const lingering_closes::limits& limits,
             std::shared_ptr<std::size_t> count)
        : socket_{std::move(socket)}, timer_{socket_.get_executor()}, left_{limits.max_discard},
          count_{std::move(count)} {
        ++*count_;
        timer_.expires_after(limits.time);
    }
    lingerer(const lingerer&) = delete;
    lingerer& operator=(const lingerer&) = delete;
    ~lingerer() { --*count_; } // the socket closes with it

    void start() {
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
            if (!error) {
                boost::system::error_code ignored;
                self->socket_.cancel(ignored); // the peer neither closed nor went quiet
            }
        });
        discard();
    }

private:
    void discard() {
        socket_.async_read_some(
            asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& error, std::size_t n) {
                if (error || n >= self->left_) {
                    self->timer_.cancel(); // the last reference goes, and the socket with it
                    return;
                }
                self->left_ -= n;
                self->discard();
            });
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    std::size_t left_;
    std::array<char, 2048> buffer_{};
    std::shared_ptr<std::size_t> count_;
};

} // namespace

lingering_closes::lingering_closes(asio::io_context& io, limits l) : io_{io}, limits_{l} {}

void lingering_closes::close(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    if (*lingering_ >= limits_.max_sockets) {
        socket.close(ignored);
        return;
    }
    // release() cancels the socket's operations and removes it from the reactor, so that the
    // connection that owned it sees it closed while the lingerer reads on.
    const auto protocol = socket.local_endpoint(ignored).protocol();
    boost::system::error_code error;
    const auto fd = socket.release(error);
    if (error) {
        socket.close(ignored);
        return;
    }
    tcp::socket taken{io_};
    taken.assign(protocol, fd, error);
    if (error) {
        ::close(fd);
        return;
    }
    std::make_shared<lingerer>(std::move(taken), limits_, lingering_)->start();
}

} // namespace fleetmq::broker::detail
