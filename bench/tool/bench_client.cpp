#include "bench_client.hpp"

#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/encode.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <stdexcept>

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

constexpr std::size_t write_chunk = 64 * 1024;

} // namespace

client_context_ptr make_client_context(const std::filesystem::path& ca, const std::string& host,
                                       int tls_version, bool resumption) {
    client_context_ptr ctx{SSL_CTX_new(TLS_client_method()), &SSL_CTX_free};
    if (SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr) != 1) {
        throw std::runtime_error{"cannot load the CA " + ca.string()};
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx.get()), host.c_str());
    const int version = tls_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx.get(), tls_version == 0 ? TLS1_2_VERSION : version);
    SSL_CTX_set_max_proto_version(ctx.get(), tls_version == 0 ? TLS1_3_VERSION : version);
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (resumption) {
        SSL_CTX_set_session_cache_mode(ctx.get(),
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx.get(), &remember_session);
    } else {
        SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    }
    return ctx;
}

int remember_session(SSL* ssl, SSL_SESSION* session) {
    auto* client = static_cast<bench_client*>(SSL_get_app_data(ssl));
    if (client == nullptr) {
        return 0;
    }
    if (client->session_ != nullptr) {
        SSL_SESSION_free(client->session_);
    }
    client->session_ = session; // ours now: returning 1
    return 1;
}

bench_client::bench_client(asio::io_context& io, const settings& s, const device_identity& device,
                           std::string client_id, std::vector<subscription> subscriptions)
    : io_{io}, settings_{s}, device_{device}, client_id_{std::move(client_id)},
      subscriptions_{std::move(subscriptions)}, socket_{io}, timer_{io} {}

bench_client::~bench_client() {
    close_socket();
    if (session_ != nullptr) {
        SSL_SESSION_free(session_);
    }
}

bool bench_client::resumed() const noexcept {
    return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

void bench_client::start(handlers h) {
    handlers_ = std::move(h);
    close_socket();
    decoder_.reset();
    out_.clear();
    out_offset_ = 0;
    tls_time_ = connack_time_ = std::chrono::microseconds{0};
    step_ = step::connecting;
    // Handlers of the previous connection may still be queued (cancelled): they see another
    // generation and do nothing.
    ++generation_;
    read_waiting_ = write_waiting_ = false;
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
    timer_.async_wait([this, g = generation_](const boost::system::error_code& e) {
        if (!e && g == generation_ && step_ != step::held && step_ != step::closed) {
            fail("timeout");
        }
    });
    socket_.async_connect(settings_.broker,
                          [this, g = generation_](const boost::system::error_code& e) {
                              if (g == generation_) {
                                  on_connected(e);
                              }
                          });
}

void bench_client::on_connected(const boost::system::error_code& error) {
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
    SSL_set_app_data(ssl_, this);
    SSL_use_certificate(ssl_, device_.certificate.get());
    SSL_use_PrivateKey(ssl_, device_.key.get());
    if (resume_ && session_ != nullptr) {
        SSL_set_session(ssl_, session_);
    }
    SSL_set_fd(ssl_, socket_.native_handle());
    SSL_set_connect_state(ssl_);
    step_ = step::handshake;
    drive();
}

void bench_client::wait_readable() {
    if (read_waiting_ || step_ == step::closed) {
        return;
    }
    read_waiting_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [this, g = generation_](const boost::system::error_code& e) {
                           if (g != generation_) {
                               return;
                           }
                           read_waiting_ = false;
                           if (step_ == step::closed) {
                               return;
                           }
                           if (e) {
                               fail("socket_error");
                               return;
                           }
                           drive();
                       });
}

void bench_client::wait_writable() {
    if (write_waiting_ || step_ == step::closed) {
        return;
    }
    write_waiting_ = true;
    socket_.async_wait(tcp::socket::wait_write,
                       [this, g = generation_](const boost::system::error_code& e) {
                           if (g != generation_) {
                               return;
                           }
                           write_waiting_ = false;
                           if (step_ == step::closed) {
                               return;
                           }
                           if (e) {
                               fail("socket_error");
                               return;
                           }
                           if (step_ == step::handshake) {
                               drive();
                           } else {
                               flush();
                           }
                       });
}

void bench_client::drive() {
    if (step_ == step::handshake) {
        const int rc = SSL_do_handshake(ssl_);
        if (rc != 1) {
            const int e = SSL_get_error(ssl_, rc);
            if (e == SSL_ERROR_WANT_READ) {
                wait_readable();
                return;
            }
            if (e == SSL_ERROR_WANT_WRITE) {
                wait_writable();
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
        step_ = step::connack;
        queue(protocol::packet{c});
        if (!flush()) {
            return;
        }
    }
    if (!read_packets()) {
        return;
    }
    wait_readable();
}

void bench_client::queue(const protocol::packet& p) {
    if (out_offset_ > 0 && out_offset_ == out_.size()) {
        out_.clear();
        out_offset_ = 0;
    }
    protocol::encode(p, settings_.mqtt, out_);
}

bool bench_client::flush() {
    while (out_offset_ < out_.size()) {
        ERR_clear_error();
        const auto chunk = std::min(out_.size() - out_offset_, write_chunk);
        const int n = SSL_write(ssl_, out_.data() + out_offset_, static_cast<int>(chunk));
        if (n > 0) {
            out_offset_ += static_cast<std::size_t>(n);
            continue;
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_WRITE) {
            wait_writable();
            return true;
        }
        if (e == SSL_ERROR_WANT_READ) {
            wait_readable();
            return true;
        }
        // Before the CONNACK this is usually a refused certificate whose alert (TLS 1.3: sent
        // after the client's Finished) raced the CONNECT.
        fail(step_ == step::held ? "lost" : "closed_after_handshake");
        return false;
    }
    out_.clear();
    out_offset_ = 0;
    return true;
}

bool bench_client::publish(protocol::publish p) {
    if (step_ != step::held) {
        return false;
    }
    if (p.qos != protocol::qos::at_most_once) {
        if (unacknowledged_ >= receive_maximum_) {
            return false;
        }
        ++unacknowledged_;
        p.packet_id = next_packet_id_;
        next_packet_id_ =
            static_cast<std::uint16_t>(next_packet_id_ == 65535 ? 1 : next_packet_id_ + 1);
    }
    queue(protocol::packet{p});
    return write_waiting_ || flush();
}

bool bench_client::read_packets() {
    std::array<std::uint8_t, 16384> buffer{};
    for (;;) {
        ERR_clear_error();
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
        if (!write_waiting_ && !flush()) {
            return false;
        }
    }
}

void bench_client::on_packet(const protocol::frame& f) {
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
        // 3.1.1 announces no limit: 20 unacknowledged, as paho's and mosquitto's clients do
        // (a broker may close on a 3.1.1 client that keeps more QoS 2 unreleased).
        receive_maximum_ = settings_.mqtt == protocol::protocol_version::v5
                               ? ack->properties.receive_maximum.value_or(65535)
                               : 20;
        unacknowledged_ = 0;
        protocol::subscribe s;
        s.packet_id = next_packet_id_++;
        for (const auto& sub : subscriptions_) {
            s.subscriptions.push_back({sub.filter, sub.qos});
        }
        step_ = step::suback;
        if (s.subscriptions.empty()) {
            step_ = step::held;
            timer_.cancel();
            ping();
            handlers_.settled(*this, {});
            return;
        }
        queue(protocol::packet{s});
        return;
    }
    if (step_ == step::suback) {
        const auto* ack = std::get_if<protocol::suback>(&p);
        if (ack == nullptr || ack->codes.size() != subscriptions_.size() ||
            std::any_of(ack->codes.begin(), ack->codes.end(),
                        [](auto code) { return protocol::is_failure(code); })) {
            fail("suback_refused");
            return;
        }
        step_ = step::held;
        timer_.cancel();
        ping();
        handlers_.settled(*this, {});
        return;
    }
    if (auto* message = std::get_if<protocol::publish>(&p)) {
        if (message->qos == protocol::qos::at_least_once) {
            queue(protocol::packet{protocol::puback{message->packet_id}});
        } else if (message->qos == protocol::qos::exactly_once) {
            queue(protocol::packet{protocol::pubrec{message->packet_id}});
        }
        if (handlers_.message) {
            handlers_.message(*this, *message);
        }
    } else if (const auto* release = std::get_if<protocol::pubrel>(&p)) {
        queue(protocol::packet{protocol::pubcomp{release->packet_id}});
    } else if (const auto* received = std::get_if<protocol::pubrec>(&p)) {
        if (protocol::is_failure(received->code)) {
            unacknowledged_ -= unacknowledged_ > 0 ? 1 : 0; // refused: the exchange ends here
        } else {
            queue(protocol::packet{protocol::pubrel{received->packet_id}});
        }
    } else if (std::holds_alternative<protocol::puback>(p) ||
               std::holds_alternative<protocol::pubcomp>(p)) {
        unacknowledged_ -= unacknowledged_ > 0 ? 1 : 0;
        if (handlers_.acked) {
            handlers_.acked(*this);
        }
    }
    // PINGRESP and anything else: read and dropped.
}

void bench_client::ping() {
    timer_.expires_after(std::chrono::seconds{settings_.keep_alive});
    timer_.async_wait([this, g = generation_](const boost::system::error_code& e) {
        if (e || g != generation_ || step_ != step::held) {
            return;
        }
        queue(protocol::packet{protocol::pingreq{}});
        if (write_waiting_ || flush()) {
            ping();
        }
    });
}

void bench_client::fail(const std::string& reason) {
    const auto was = step_;
    close_socket();
    if (was == step::held) {
        if (handlers_.lost) {
            handlers_.lost(*this);
        }
    } else if (was != step::closed && handlers_.settled) {
        handlers_.settled(*this, reason);
    }
}

void bench_client::close_socket() {
    step_ = step::closed;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
    if (ssl_ != nullptr) {
        // Marked shut down, so that OpenSSL keeps the session resumable without our sending
        // anything (a device that loses its network sends nothing either).
        SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
}

void bench_client::drop() {
    close_socket();
}

void bench_client::stop() {
    if (step_ == step::held) {
        static constexpr std::uint8_t disconnect[] = {0xE0, 0x00};
        SSL_write(ssl_, disconnect, sizeof disconnect); // best effort: the run is over
        SSL_shutdown(ssl_);
    }
    close_socket();
}

} // namespace fleetmq::bench
