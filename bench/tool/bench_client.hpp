#pragma once

#include "device_identities.hpp"

#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/packets.hpp"
#include "fleetmq/protocol/protocol_version.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fleetmq::bench {

/// One simulated device or controller: TCP connect from its source address, mTLS handshake
/// with its own certificate, CONNECT, SUBSCRIBE to its filters, then publishes on demand,
/// answers the broker's QoS 1/2 deliveries and keeps the connection alive with pings until
/// closed. Non-blocking OpenSSL on the socket's fd, driven by readiness on one io_context.
class bench_client {
public:
    struct settings {
        boost::asio::ip::tcp::endpoint broker;
        std::string source_address; // empty: the kernel's choice
        SSL_CTX* context = nullptr;
        protocol::protocol_version mqtt = protocol::protocol_version::v5;
        std::uint16_t keep_alive = 60;
        std::chrono::seconds setup_timeout{30};
    };
    struct subscription {
        std::string filter;
        protocol::qos qos = protocol::qos::at_least_once;
    };
    struct handlers {
        /// Once per start: established (failure empty) or failed (a stable reason).
        std::function<void(bench_client&, const std::string& failure)> settled;
        /// An established connection was lost.
        std::function<void(bench_client&)> lost;
        /// A PUBLISH arrived (already acknowledged as its QoS requires).
        std::function<void(bench_client&, const protocol::publish&)> message;
        /// One of this client's QoS 1 or 2 publishes completed (PUBACK or PUBCOMP).
        std::function<void(bench_client&)> acked;
    };

    bench_client(boost::asio::io_context& io, const settings& s, const device_identity& device,
                 std::string client_id, std::vector<subscription> subscriptions);
    ~bench_client();

    void start(handlers h);
    /// Sends DISCONNECT (if up) and closes.
    void stop();
    /// Closes the socket without DISCONNECT, as a device that lost its network does; the TLS
    /// session is kept for resume_next (when the broker sent a ticket).
    void drop();
    /// Whether the next start offers the TLS session of the last connection.
    void resume_next(bool resume) noexcept { resume_ = resume; }

    /// Queues a PUBLISH (the packet id is assigned here for QoS 1 and 2); false when the
    /// client is not established, or for QoS 1 and 2 when the broker's Receive Maximum of
    /// unacknowledged publishes is reached.
    bool publish(protocol::publish p);
    /// Bytes queued for the broker and not yet written (a publisher that is ahead of it).
    std::size_t unsent_bytes() const noexcept { return out_.size() - out_offset_; }
    bool established() const noexcept { return step_ == step::held; }
    bool resumed() const noexcept;

    const device_identity& device() const noexcept { return device_; }
    std::chrono::microseconds tls_time() const { return tls_time_; }
    std::chrono::microseconds connack_time() const { return connack_time_; }

private:
    enum class step { connecting, handshake, connack, suback, held, closed };
    void on_connected(const boost::system::error_code& error);
    void drive();
    void wait_readable();
    void wait_writable();
    void queue(const protocol::packet& p);
    /// Writes what is queued; false if the connection failed.
    bool flush();
    bool read_packets();
    void on_packet(const protocol::frame& f);
    void ping();
    void fail(const std::string& reason);
    void close_socket();

    boost::asio::io_context& io_;
    const settings& settings_;
    const device_identity& device_;
    std::string client_id_;
    std::vector<subscription> subscriptions_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    SSL* ssl_ = nullptr;
    SSL_SESSION* session_ = nullptr; // the last ticket, for resume_next
    bool resume_ = false;
    protocol::frame_decoder decoder_{1024 * 1024};
    step step_ = step::connecting;
    std::uint32_t generation_ = 0; // one per start: stale handlers compare it
    bool read_waiting_ = false;
    bool write_waiting_ = false;
    std::vector<std::uint8_t> out_;
    std::size_t out_offset_ = 0;
    std::uint16_t next_packet_id_ = 1;
    std::uint32_t unacknowledged_ = 0;      // QoS 1/2 publishes not yet PUBACKed or PUBCOMPed
    std::uint32_t receive_maximum_ = 65535; // the broker's, from CONNACK
    std::chrono::steady_clock::time_point started_;
    std::chrono::microseconds tls_time_{0};
    std::chrono::microseconds connack_time_{0};
    handlers handlers_;

    friend int remember_session(SSL*, SSL_SESSION*);
};

/// The client context's new-session callback: keeps a client's TLS ticket for its next start.
int remember_session(SSL* ssl, SSL_SESSION* session);

using client_context_ptr = std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)>;

/// The TLS context every client of a run shares: it verifies the broker's certificate with `ca`
/// for the address dialled (as a device would), offers TLS 1.2 and 1.3 or only `tls_version`
/// (12 or 13), and keeps each client's session tickets when `resumption` is on.
client_context_ptr make_client_context(const std::filesystem::path& ca, const std::string& host,
                                       int tls_version, bool resumption);

} // namespace fleetmq::bench
