#include "bench_server.hpp"

#include "fleetmq/tls/async_handshake.hpp"

#include <boost/asio/io_context.hpp>

#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace fleetmq::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What an idle connection holds, as the broker's will: the socket and the TLS stream. The
// deadline exists only while the handshake runs, and the certificate facts are dropped once read
// (the broker keeps the identity made from them).
struct connection : std::enable_shared_from_this<connection> {
    connection(tcp::socket s, std::shared_ptr<const tls::server_context> context)
        : socket{std::move(s)}, stream{std::move(context), socket.native_handle()} {}

    tcp::socket socket;
    tls::tls_stream stream;
    std::unique_ptr<asio::steady_timer> deadline;

    void start() {
        deadline = std::make_unique<asio::steady_timer>(socket.get_executor());
        tls::async_tls_handshake(socket, stream, *deadline, std::chrono::seconds{10},
                                 [self = shared_from_this()](bool ok) {
                                     self->deadline.reset();
                                     if (ok) {
                                         [[maybe_unused]] const auto facts =
                                             self->stream.take_peer();
                                         const std::uint8_t byte = 'k';
                                         self->stream.write({&byte, 1});
                                         self->idle();
                                     }
                                 });
    }

    void idle() {
        socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](
                                                      const boost::system::error_code& error) {
            if (error) {
                return;
            }
            std::uint8_t buffer[512];
            const auto result = self->stream.read(buffer);
            if (result.status == tls::io_status::ok || result.status == tls::io_status::want_read) {
                self->idle();
            }
        });
    }
};

void accept(tcp::acceptor& acceptor, const std::shared_ptr<const tls::server_context>& context) {
    acceptor.async_accept(
        [&acceptor, context](const boost::system::error_code& error, tcp::socket socket) {
            if (!error) {
                socket.non_blocking(true);
                socket.set_option(tcp::no_delay{true});
                std::make_shared<connection>(std::move(socket), context)->start();
            }
            accept(acceptor, context);
        });
}

} // namespace

tcp::acceptor loopback_acceptor(asio::io_context& io) {
    tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    acceptor.listen(4096);
    return acceptor;
}

void announce_port(const tcp::acceptor& acceptor, int port_fd) {
    const std::uint16_t port = acceptor.local_endpoint().port();
    if (::write(port_fd, &port, sizeof port) != sizeof port) {
        std::_Exit(1);
    }
    ::close(port_fd);
}

void run_bare_server(std::shared_ptr<const tls::server_context> context, int port_fd) {
    asio::io_context io{1};
    auto acceptor = loopback_acceptor(io);
    announce_port(acceptor, port_fd);
    const int listener = acceptor.native_handle();
    for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        SSL* ssl = SSL_new(context->native_handle());
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            char byte = 'k';
            SSL_write(ssl, &byte, 1);
            SSL_read(ssl, &byte, 1); // returns when the client closes
        }
        SSL_free(ssl);
        ::close(fd);
    }
}

void run_server(std::shared_ptr<const tls::server_context> context, int port_fd) {
    asio::io_context io{1};
    auto acceptor = loopback_acceptor(io);
    announce_port(acceptor, port_fd);
    accept(acceptor, context);
    io.run();
    std::_Exit(0);
}

} // namespace fleetmq::bench
