#include "handshake_harness.hpp"

#include "fleetmq/tls/async_handshake.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace fleetmq::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct handshake_server::impl {
    asio::io_context io{1};
    tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    std::shared_ptr<const tls::server_context> context;
    std::chrono::milliseconds timeout;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<server_outcome> outcomes;
    std::deque<tls::io_status> ends;
    std::thread thread;

    struct connection : std::enable_shared_from_this<connection> {
        connection(tcp::socket s, std::shared_ptr<const tls::server_context> ctx)
            : socket{std::move(s)}, stream{std::move(ctx), socket.native_handle()},
              deadline{socket.get_executor()} {}
        tcp::socket socket;
        tls::tls_stream stream;
        asio::steady_timer deadline;
        std::array<std::uint8_t, 256> buffer{};
    };

    void record(server_outcome outcome) {
        {
            const std::lock_guard lock{mutex};
            outcomes.push_back(std::move(outcome));
        }
        changed.notify_all();
    }

    void accept() {
        acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
            if (error) {
                return;
            }
            socket.non_blocking(true);
            auto c = std::make_shared<connection>(std::move(socket), context);
            tls::async_tls_handshake(c->socket, c->stream, c->deadline, timeout,
                                     [this, c](bool succeeded) { finished(c, succeeded); });
            accept();
        });
    }

    void finished(const std::shared_ptr<connection>& c, bool succeeded) {
        server_outcome outcome;
        outcome.succeeded = succeeded;
        outcome.failure = c->stream.failure();
        outcome.detail = c->stream.failure_detail();
        if (succeeded) {
            outcome.resumed = c->stream.resumed();
            outcome.facts = c->stream.peer();
            outcome.version = c->stream.version();
            outcome.alpn = c->stream.alpn();
            const std::string ok = "ok";
            c->stream.write({reinterpret_cast<const std::uint8_t*>(ok.data()), ok.size()});
            drain(c);
        }
        record(std::move(outcome));
    }

    // Reads until the client closes, so that it can read "ok" and its session ticket.
    void drain(const std::shared_ptr<connection>& c) {
        const auto result = c->stream.read(c->buffer);
        if (result.status == tls::io_status::ok) {
            drain(c);
        } else if (result.status == tls::io_status::closed ||
                   result.status == tls::io_status::truncated ||
                   result.status == tls::io_status::failed) {
            {
                const std::lock_guard lock{mutex};
                ends.push_back(result.status);
            }
            changed.notify_all();
        } else if (result.status == tls::io_status::want_read ||
                   result.status == tls::io_status::want_write) {
            c->socket.async_wait(result.status == tls::io_status::want_read
                                     ? tcp::socket::wait_read
                                     : tcp::socket::wait_write,
                                 [this, c](const boost::system::error_code& error) {
                                     if (!error) {
                                         drain(c);
                                     }
                                 });
        }
    }
};

handshake_server::handshake_server(std::shared_ptr<const tls::server_context> context,
                                   std::chrono::milliseconds handshake_timeout)
    : impl_{std::make_unique<impl>()} {
    impl_->context = std::move(context);
    impl_->timeout = handshake_timeout;
    impl_->accept();
    impl_->thread = std::thread{[this] { impl_->io.run(); }};
}

handshake_server::~handshake_server() {
    impl_->io.stop();
    impl_->thread.join();
}

std::uint16_t handshake_server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void handshake_server::use_context(std::shared_ptr<const tls::server_context> context) {
    std::promise<void> done;
    asio::post(impl_->io, [&] {
        impl_->context = std::move(context);
        done.set_value();
    });
    done.get_future().wait();
}

server_outcome handshake_server::next_outcome(std::chrono::seconds wait) {
    std::unique_lock lock{impl_->mutex};
    if (!impl_->changed.wait_for(lock, wait, [&] { return !impl_->outcomes.empty(); })) {
        throw std::runtime_error{"no handshake ended on the server in time"};
    }
    auto outcome = std::move(impl_->outcomes.front());
    impl_->outcomes.pop_front();
    return outcome;
}

tls::io_status handshake_server::next_end(std::chrono::seconds wait) {
    std::unique_lock lock{impl_->mutex};
    if (!impl_->changed.wait_for(lock, wait, [&] { return !impl_->ends.empty(); })) {
        throw std::runtime_error{"no connection ended on the server in time"};
    }
    const auto end = impl_->ends.front();
    impl_->ends.pop_front();
    return end;
}

namespace {

int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        throw std::runtime_error{"cannot connect to the test server"};
    }
    timeval timeout{10, 0}; // no test client waits forever
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

std::string openssl_errors() {
    std::string text;
    while (const auto code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += buffer;
        text += "; ";
    }
    return text;
}

} // namespace

client_result run_client(std::uint16_t port, const client_options& options) {
    client_result result;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_client_method()),
                                                          SSL_CTX_free};
    if (options.weak_security) {
        SSL_CTX_set_security_level(ctx.get(), 0);
        SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
    }
    if (options.min_version != 0) {
        SSL_CTX_set_min_proto_version(ctx.get(), options.min_version);
    }
    if (options.max_version != 0) {
        SSL_CTX_set_max_proto_version(ctx.get(), options.max_version);
    }
    if (!options.certificate.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), options.certificate.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx.get(), options.key.c_str(), SSL_FILETYPE_PEM) != 1) {
            throw std::runtime_error{"test client: bad certificate or key: " + openssl_errors()};
        }
    }
    SSL_CTX_load_verify_locations(ctx.get(), options.server_ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (!options.alpn.empty()) {
        std::string wire;
        for (const auto& protocol : options.alpn) {
            wire += static_cast<char>(protocol.size());
            wire += protocol;
        }
        SSL_CTX_set_alpn_protos(ctx.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned int>(wire.size()));
    }
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{SSL_new(ctx.get()), SSL_free};
    const int fd = connect_loopback(port);
    SSL_set_fd(ssl.get(), fd);
    if (options.session) {
        SSL_set_session(ssl.get(), static_cast<SSL_SESSION*>(options.session.get()));
    }
    if (SSL_connect(ssl.get()) == 1) {
        result.handshake_ok = true;
        char buffer[16];
        const int got = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (got > 0) {
            result.received.assign(buffer, static_cast<std::size_t>(got));
        } else {
            result.error = "read failed: " + openssl_errors();
        }
        result.resumed = SSL_session_reused(ssl.get()) == 1;
        if (SSL_SESSION* session = SSL_get1_session(ssl.get())) {
            result.session = std::shared_ptr<void>{
                session, [](void* s) { SSL_SESSION_free(static_cast<SSL_SESSION*>(s)); }};
        }
        if (!options.abrupt_close) {
            SSL_shutdown(ssl.get());
        }
    } else {
        result.error = openssl_errors();
    }
    ::close(fd);
    return result;
}

bool run_raw_client(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
    const int fd = connect_loopback(port);
    if (!bytes.empty()) {
        ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    pollfd p{fd, POLLIN, 0};
    bool closed = false;
    const auto until = std::chrono::steady_clock::now() + wait;
    while (!closed && std::chrono::steady_clock::now() < until) {
        if (::poll(&p, 1, 50) > 0) {
            char buffer[512];
            const auto got = ::recv(fd, buffer, sizeof buffer, 0);
            closed = got <= 0;
        }
    }
    ::close(fd);
    return closed;
}

} // namespace fleetmq::test
