#include "lingering_close.hpp"

#include <unistd.h>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

lingering_closes::lingering_closes(asio::io_context& io, limits l) : io_{io}, limits_{l} {}

void lingering_closes::close(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    if (sockets_.size() >= limits_.max_sockets) {
        socket.close(ignored);
        return;
    }
    // release() cancels the socket's operations and removes it from the reactor, so that the
    // connection that owned it sees it closed while the read here goes on.
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
    sockets_.emplace_front(std::move(taken), io_, limits_.max_discard);
    const auto h = sockets_.begin();
    h->deadline.expires_after(limits_.time);
    h->deadline.async_wait([this, h](const boost::system::error_code& e) {
        if (!e) {
            boost::system::error_code ignore;
            h->socket.cancel(ignore); // the peer neither closed nor went quiet
        }
        finish(h);
    });
    discard(h);
}

void lingering_closes::discard(handle h) {
    h->socket.async_read_some(asio::buffer(h->buffer),
                              [this, h](const boost::system::error_code& error, std::size_t n) {
                                  if (error || n >= h->left) {
                                      h->deadline.cancel(); // the peer closed, or sent too much
                                      finish(h);
                                      return;
                                  }
                                  h->left -= n;
                                  discard(h);
                              });
}

void lingering_closes::finish(handle h) {
    if (--h->pending == 0) {
        sockets_.erase(h); // closes the socket
    }
}

} // namespace fleetmq::broker::detail
