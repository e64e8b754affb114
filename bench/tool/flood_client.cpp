#include "flood_client.hpp"

#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/encode.hpp"

#include <openssl/err.h>

#include <netinet/in.h>

namespace fleetmq::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// "tls: tlsv1 alert unknown ca" and the like: what OpenSSL says went wrong, as a reason.
std::string tls_reason(const char* fallback) {
    const auto code = ERR_peek_last_error();
    const char* text = code != 0 ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return text != nullptr ? std::string{"tls: "} + text : std::string{fallback};
}

} // namespace

flood_client::flood_client(asio::io_context& io, const settings& s, const device_identity& device,
                           std::string client_id)
    : io_{io}, settings_{s}, device_{device}, client_id_{std::move(client_id)},
      topic_{"device/" + device.id + "/commands"}, socket_{io}, timer_{io} {}

flood_client::~flood_client() {
    if (ssl_ != nullptr) {
        SSL_free(ssl_);
    }
}

void flood_client::start(settled_handler on_settled, std::function<void()> on_lost) {
    on_settled_ = std::move(on_settled);
    on_lost_ = std::move(on_lost);
    started_ = std::chrono::steady_clock::now();
    boost::system::error_code error;
    socket_.open(tcp::v4(), error);
    if (!error && !settings_.source_address.empty()) {
        // Many source addresses: the ephemeral ports of one run out at 28,232 per destination.
        // The port is chosen at connect, not at bind, so that binds do not exhaust them.
        const int on = 1;
        ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
        socket_.bind({asio::ip::make_address(settings_.source_address), 0}, error);
    }
    if (error) {
        fail("socket");
        return;
    }
    timer_.expires_after(settings_.setup_timeout);
    timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e && step_ != step::held && step_ != step::closed) {
            fail("timeout");
        }
    });
    socket_.async_connect(settings_.broker,
                          [this](const boost::system::error_code& e) { on_connected(e); });
}

void flood_client::on_connected(const boost::system::error_code& error) {
    if (step_ == step::closed) {
        return;
    }
    if (error) {
        fail("connect_failed");
        return;
    }
    socket_.set_option(tcp::no_delay(true));
    socket_.non_blocking(true);
    ssl_ = SSL_new(settings_.context);
    SSL_use_certificate(ssl_, device_.certificate.get());
    SSL_use_PrivateKey(ssl_, device_.key.get());
    SSL_set_fd(ssl_, socket_.native_handle());
    SSL_set_connect_state(ssl_);
    step_ = step::handshake;
    drive();
}

void flood_client::wait(bool for_write) {
    if (waiting_ || step_ == step::closed) {
        return;
    }
    waiting_ = true;
    socket_.async_wait(for_write ? tcp::socket::wait_write : tcp::socket::wait_read,
                       [this](const boost::system::error_code& e) {
                           waiting_ = false;
                           if (e) {
                               if (step_ != step::closed) {
                                   fail("socket_error");
                               }
                               return;
                           }
                           drive();
                       });
}

void flood_client::drive() {
    if (step_ == step::handshake) {
        const int rc = SSL_do_handshake(ssl_);
        if (rc != 1) {
            const int e = SSL_get_error(ssl_, rc);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                wait(e == SSL_ERROR_WANT_WRITE);
                return;
            }
            fail(tls_reason("tls_failed"));
            return;
        }
        tls_time_ = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started_);
        protocol::connect c;
        c.version = settings_.mqtt;
        c.client_id = client_id_;
        c.keep_alive = settings_.keep_alive;
        std::vector<std::uint8_t> bytes;
        protocol::encode(protocol::packet{c}, settings_.mqtt, bytes);
        step_ = step::connack;
        if (!write(bytes)) {
            return;
        }
    }
    if (!read_packets()) {
        return;
    }
    wait(false);
}

bool flood_client::write(const std::vector<std::uint8_t>& bytes) {
    // Packets here are small: OpenSSL takes them whole or fails (the socket buffer is empty
    // at these points, so a partial write does not happen in practice; treat it as a failure).
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n != static_cast<int>(bytes.size())) {
        // Before the CONNACK this is usually a refused certificate whose alert (TLS 1.3: sent
        // after the client's Finished) raced the CONNECT.
        fail(step_ == step::held ? "lost" : "closed_after_handshake");
        return false;
    }
    return true;
}

bool flood_client::read_packets() {
    std::array<std::uint8_t, 4096> buffer{};
    for (;;) {
        const int n = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
        if (n <= 0) {
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                return true;
            }
            // TLS 1.3: a refused client certificate shows up here, as the server's alert.
            if (e == SSL_ERROR_SSL && step_ != step::held) {
                fail(tls_reason("tls_failed"));
            } else {
                fail(step_ == step::held      ? "lost"
                     : step_ == step::connack ? "closed_before_connack"
                                              : "closed_before_suback");
            }
            return false;
        }
        std::span<const std::uint8_t> input{buffer.data(), static_cast<std::size_t>(n)};
        while (!input.empty()) {
            const auto s = decoder_.feed(input);
            input = input.subspan(s.consumed);
            if (s.status == protocol::frame_status::failed) {
                fail("bad_packet");
                return false;
            }
            if (s.status != protocol::frame_status::complete) {
                break;
            }
            on_packet(s.frame);
            if (step_ == step::closed) {
                return false;
            }
        }
    }
}

void flood_client::on_packet(const protocol::frame& f) {
    protocol::packet p;
    if (protocol::decode_packet(f, settings_.mqtt, p)) {
        fail("bad_packet");
        return;
    }
    if (step_ == step::connack) {
        const auto* ack = std::get_if<protocol::connack>(&p);
        if (ack == nullptr || ack->code != protocol::reason_code::success) {
            fail(ack == nullptr ? "no_connack"
                                : "connack_" + std::to_string(static_cast<int>(ack->code)));
            return;
        }
        connack_time_ = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started_);
        protocol::subscribe s;
        s.packet_id = 1;
        s.subscriptions.push_back({topic_, protocol::qos::at_least_once});
        std::vector<std::uint8_t> bytes;
        protocol::encode(protocol::packet{s}, settings_.mqtt, bytes);
        step_ = step::suback;
        write(bytes);
        return;
    }
    if (step_ == step::suback) {
        const auto* ack = std::get_if<protocol::suback>(&p);
        if (ack == nullptr || ack->codes.empty() || protocol::is_failure(ack->codes.front())) {
            fail("suback_refused");
            return;
        }
        step_ = step::held;
        timer_.cancel();
        ping();
        on_settled_(*this, {});
    }
    // Held: PINGRESP and anything routed to the device are read and dropped.
}

void flood_client::ping() {
    timer_.expires_after(std::chrono::seconds{settings_.keep_alive});
    timer_.async_wait([this](const boost::system::error_code& e) {
        if (e || step_ != step::held) {
            return;
        }
        if (write({0xC0, 0x00})) { // PINGREQ
            ping();
        }
    });
}

void flood_client::fail(const std::string& reason) {
    const auto was = step_;
    step_ = step::closed;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
    if (was == step::held) {
        on_lost_();
    } else if (was != step::closed) {
        on_settled_(*this, reason);
    }
}

void flood_client::stop() {
    if (step_ == step::held) {
        static constexpr std::uint8_t disconnect[] = {0xE0, 0x00};
        SSL_write(ssl_, disconnect, sizeof disconnect); // best effort: the run is over
        SSL_shutdown(ssl_);
    }
    step_ = step::closed;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
}

} // namespace fleetmq::bench
