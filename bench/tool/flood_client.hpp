#pragma once

#include "device_identities.hpp"

#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/protocol_version.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace fleetmq::bench {

/// One simulated device: TCP connect from its source address, mTLS handshake with its own
/// certificate, CONNECT, SUBSCRIBE to device/<id>/commands, then keep-alive pings until
/// closed. Non-blocking OpenSSL on the socket's fd, driven by readiness on one io_context.
class flood_client {
public:
    struct settings {
        boost::asio::ip::tcp::endpoint broker;
        std::string source_address; // empty: the kernel's choice
        SSL_CTX* context = nullptr;
        protocol::protocol_version mqtt = protocol::protocol_version::v5;
        std::uint16_t keep_alive = 60;
        std::chrono::seconds setup_timeout{30};
    };
    /// Called once per client: established (failure empty) or failed (a stable reason).
    using settled_handler = std::function<void(flood_client&, const std::string& failure)>;

    flood_client(boost::asio::io_context& io, const settings& s, const device_identity& device,
                 std::string client_id);
    ~flood_client();

    void start(settled_handler on_settled, std::function<void()> on_lost);
    /// Sends DISCONNECT (if up) and closes.
    void stop();

    std::chrono::microseconds tls_time() const { return tls_time_; }
    std::chrono::microseconds connack_time() const { return connack_time_; }

private:
    enum class step { connecting, handshake, connack, suback, held, closed };
    void on_connected(const boost::system::error_code& error);
    void drive();
    void wait(bool for_write);
    bool write(const std::vector<std::uint8_t>& bytes);
    bool read_packets();
    void on_packet(const protocol::frame& f);
    void ping();
    void fail(const std::string& reason);

    boost::asio::io_context& io_;
    const settings& settings_;
    const device_identity& device_;
    std::string client_id_;
    std::string topic_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    SSL* ssl_ = nullptr;
    protocol::frame_decoder decoder_{64 * 1024};
    step step_ = step::connecting;
    bool waiting_ = false;
    std::chrono::steady_clock::time_point started_;
    std::chrono::microseconds tls_time_{0};
    std::chrono::microseconds connack_time_{0};
    settled_handler on_settled_;
    std::function<void()> on_lost_;
};

} // namespace fleetmq::bench
