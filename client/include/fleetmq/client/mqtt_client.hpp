#pragma once

#include "fleetmq/client/tls_connection.hpp"

#include <fleetmq/protocol/frame_decoder.hpp>
#include <fleetmq/protocol/packet_type.hpp>
#include <fleetmq/protocol/protocol_version.hpp>
#include <fleetmq/protocol/reason_code.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace fleetmq::client {

/// An application message with the fields the seed's command flow uses.
struct message {
    std::string topic;
    std::string payload;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain = false;
    std::optional<std::string> response_topic;   // MQTT 5.0
    std::optional<std::string> correlation_data; // MQTT 5.0
};

struct connect_options {
    std::string client_id;
    std::uint16_t keep_alive = 60;
    bool clean_start = true;
    std::uint32_t session_expiry = 0; // 5.0; in 3.1.1 a non-zero value means Clean Session 0
    protocol::protocol_version version = protocol::protocol_version::v5;
};

struct connect_result {
    protocol::reason_code code = protocol::reason_code::success;
    bool session_present = false;
    std::uint16_t keep_alive = 0; // the broker's Server Keep Alive, else what was asked
    std::string assigned_client_id;
    std::string reason_string;
};

/// A blocking MQTT client over one TLS connection, every call bounded by a deadline. It answers
/// the broker's QoS 1 and 2 deliveries itself and keeps messages that arrive while it waits for
/// an acknowledgement, to hand them out from receive() in order.
class mqtt_client {
public:
    /// Messages kept for receive() at most: more means the application cannot keep up, and the
    /// connection ends (connection_error) rather than the client growing without bound.
    static constexpr std::size_t max_waiting_messages = 1024;

    explicit mqtt_client(tls_connection connection) : connection_{std::move(connection)} {}

    /// Sends CONNECT and waits for CONNACK. A refusal is returned (code), not thrown; anything
    /// else than a CONNACK throws connection_error (stage mqtt).
    connect_result connect(const connect_options& options, clock::time_point deadline);
    /// Subscribes to one filter; returns the broker's code (granted QoS or a failure).
    protocol::reason_code subscribe(const std::string& filter, protocol::qos qos,
                                    clock::time_point deadline);
    /// Publishes; for QoS 1 and 2 waits for the broker's acknowledgement and returns its code.
    protocol::reason_code publish(const message& m, clock::time_point deadline);
    /// The next message, waiting until `deadline` (nullopt when it passed).
    std::optional<message> receive(clock::time_point deadline);
    /// Sends PINGREQ; the PINGRESP is counted by receive().
    void ping(clock::time_point deadline);
    /// PINGREQs not answered yet.
    int unanswered_pings() const noexcept { return unanswered_pings_; }
    /// When the client last sent a packet (keep alive counts from there).
    clock::time_point last_sent() const noexcept { return last_sent_; }
    /// Sends DISCONNECT (normal) and closes, best effort.
    void disconnect() noexcept;

private:
    struct incoming; // one decoded packet, owned
    void send(const std::vector<std::uint8_t>& bytes, clock::time_point deadline);
    /// Reads until a packet other than a PUBLISH arrives (PUBLISHes are queued) or the deadline.
    std::optional<incoming> next_control_packet(clock::time_point deadline);
    /// Reads and handles packets until one is available or the deadline; false at the deadline.
    bool read_once(clock::time_point deadline);
    std::uint16_t next_packet_id() noexcept;

    tls_connection connection_;
    protocol::protocol_version version_ = protocol::protocol_version::v5;
    protocol::frame_decoder decoder_;
    std::vector<std::uint8_t> input_;
    std::size_t input_at_ = 0;
    std::deque<message> messages_;
    std::deque<std::vector<std::uint8_t>> control_; // raw frames of non-PUBLISH packets
    std::vector<std::uint16_t> awaiting_release_;   // QoS 2 received, PUBREL not yet
    std::uint16_t packet_id_ = 0;
    int unanswered_pings_ = 0;
    clock::time_point last_sent_ = clock::now();
};

} // namespace fleetmq::client
