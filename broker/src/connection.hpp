#pragma once

#include "envelope.hpp"
#include "fleetmq/session/connect_decision.hpp"
#include "fleetmq/session/inbound_topic_aliases.hpp"
#include "fleetmq/session/outbound_topic_aliases.hpp"
#include "outbound_queue.hpp"
#include "session.hpp"

#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/auth/client_id_policy.hpp"
#include "fleetmq/auth/identity.hpp"
#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/tls/tls_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fleetmq::broker::detail {

class shard;

/// One client: TLS handshake, identity, then MQTT until it ends. Accepted by any shard; once its
/// CONNECT is accepted it moves, once, to its client id's home shard, where its session lives,
/// and stays there. Touched only by the shard it is on. Holds no read buffer while idle (reads
/// go through the shard's scratch buffer; only a frame split across reads is kept, by the
/// decoder).
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(shard& owner, std::uint64_t id, std::size_t listener,
               boost::asio::ip::tcp::socket socket,
               std::shared_ptr<const tls::server_context> context);
    ~connection();

    void start();
    std::uint64_t id() const noexcept { return id_; }

    /// On its home shard's thread, after `hand_off`: takes the socket, gets its session and
    /// goes on with the bytes that followed the CONNECT.
    void arrive(shard& home, std::uint64_t id);

    /// A message routed to this connection's session at `qos` (already the minimum of the
    /// message's and the subscription's).
    void deliver(const outgoing& o, std::uint32_t token);
    void subscribe_confirmed(std::uint32_t token);
    void taken_over();
    /// Keep-alive check from the shard's wheel: closes the connection if it is past its
    /// deadline, else returns its new deadline.
    std::optional<std::uint64_t> check_keep_alive(std::uint64_t now_ms);
    /// Server shutdown.
    void shut_down();
    /// Disconnected by an operator (5.0: Administrative action).
    void disconnect_by_admin();
    /// After a reload (or on reaching a shard that adopted one since this connection was last
    /// checked): judges the certificate by the shard's current CRLs. A revoked one is
    /// disconnected when connected (0x87), refused at its CONNECT when that has not come yet,
    /// and checked when its handshake ends if that is still running. True if it was revoked.
    bool recheck_trust();
    std::size_t listener() const noexcept { return listener_; }
    /// The admin API's fields for this connection: `"key":value` pairs, comma-separated.
    std::string describe() const;
    /// Reading resumes after a pause for the shard's congestion.
    void resume_reading();

private:
    enum class state : std::uint8_t { handshake, awaiting_connect, moving, connected, closed };

    // I/O
    void on_handshake(bool ok);
    void read();
    /// Decodes and handles `input`; false when the connection stopped reading (closed, or
    /// moving to its home shard).
    bool consume(std::span<const std::uint8_t> input);
    void wait_readable();
    void queue(std::vector<std::uint8_t> bytes);
    void count_sent(std::span<const std::uint8_t> bytes);
    /// Queues bytes shared with other receivers of the same message.
    void queue(shared_bytes bytes);
    /// False when it could not be encoded (over the client's Maximum Packet Size): not sent.
    bool send(const protocol::packet& p);
    void flush();
    /// Writes what the socket takes now, packets gathered into records of up to 16 KiB; false
    /// when the connection failed.
    bool write_out();
    /// Drops `written` bytes from the front of the queue; reading resumes below half the bound.
    void consume_written(std::size_t written);
    /// Flushes once the current handler is done, so that what it queued leaves together.
    void schedule_flush();
    void close(std::string_view why);
    void disconnect(protocol::reason_code code, std::string_view why);
    void refuse_connect(protocol::reason_code code, std::string_view why);
    void count_auth_failure(std::string_view reason);
    /// The certificate's notAfter to the day (unix seconds): the expiry metric's key.
    std::int64_t not_after_day() const;

    // MQTT
    void on_packet(protocol::packet& p);
    void on_decode_error(std::error_code error, bool in_connect);
    void on_connect(protocol::connect& c);
    void on_publish(protocol::publish& p);
    void on_subscribe(protocol::subscribe& s);
    void on_unsubscribe(protocol::unsubscribe& u);
    void on_puback(std::uint16_t packet_id);
    void on_pubrec(const protocol::pubrec& ack);
    void on_pubcomp(std::uint16_t packet_id);
    void on_disconnect(const protocol::disconnect& d);
    void on_pubrel(std::uint16_t packet_id);
    /// The ACL's verdict for this client, counted and logged when it denies.
    acl::verdict allowed(bool publish, std::string_view topic);
    void move_home();
    void attached(bool session_present);
    /// The broker's terms for a CONNECT, from the configuration in force.
    fleetmq::session::connect_limits connect_limits() const;
    void resend_inflight();
    void send_pending();
    void send_publish(const outgoing& o, std::uint16_t packet_id, bool dup);
    session_ref ref() const;
    std::string who() const;

    shard* shard_;
    std::uint64_t id_;
    std::size_t listener_ = 0;
    std::chrono::steady_clock::time_point accepted_at_;
    boost::asio::ip::tcp::socket socket_;
    tls::tls_stream stream_;
    std::unique_ptr<boost::asio::steady_timer> handshake_deadline_;
    protocol::frame_decoder decoder_;
    state state_ = state::handshake;
    protocol::protocol_version version_ = protocol::protocol_version::v5;
    std::string peer_;

    // Identity, fixed at the end of the handshake.
    std::optional<auth::identity> identity_;
    std::string identity_failure_;
    auth::client_id_rule client_id_rule_ = auth::client_id_rule::equal_to_id;
    std::string client_id_;
    std::size_t trust_index_ = 0;
    std::string serial_;
    std::chrono::system_clock::time_point not_after_;
    std::chrono::system_clock::time_point connected_at_;
    /// The shard's trust generation this connection was last judged by (see recheck_trust).
    std::uint64_t trust_generation_ = 0;
    /// Counted in the per-trust connection metrics (from CONNACK to close).
    bool counted_ = false;

    // From the CONNECT: its accepted terms, for the session and the CONNACK.
    fleetmq::session::connect_accepted terms_;
    std::uint16_t keep_alive_ = 0;
    /// Bytes read after the CONNECT, before the move to the home shard.
    std::vector<std::uint8_t> unread_;
    int moving_fd_ = -1;
    bool moving_v6_ = false;

    hosted_session* session_ = nullptr;
    /// Shard milliseconds of the last bytes read, and the silence after which a connected
    /// client is closed (keep alive).
    std::uint64_t last_activity_ms_ = 0;
    std::uint64_t silence_limit_ms_ = 0;
    /// Accept time plus the handshake timeout: the CONNECT must be complete by then, however
    /// the bytes trickle in [handshake_timeout_ms].
    std::uint64_t connect_deadline_ms_ = 0;
    /// The socket failed or the peer closed it: close() closes at once instead of lingering.
    bool peer_gone_ = false;
    struct pending_suback {
        std::uint16_t packet_id = 0;
        std::vector<protocol::reason_code> codes;
        std::size_t confirmations = 0;
        /// Retained messages for these subscriptions, sent after the SUBACK.
        std::vector<outgoing> retained;
    };
    std::map<std::uint32_t, pending_suback> pending_subacks_;
    fleetmq::session::inbound_topic_aliases inbound_aliases_;
    fleetmq::session::outbound_topic_aliases outbound_aliases_;
    std::uint16_t peer_topic_alias_maximum_ = 0;

    // Outbound bytes being written.
    outbound_queue out_;
    std::size_t out_offset_ = 0;
    std::size_t out_bytes_ = 0;
    bool write_waiting_ = false;
    bool flush_posted_ = false;
    bool read_waiting_ = false;
    bool read_paused_ = false;
    std::uint16_t peer_receive_maximum_ = 65535;
    std::uint32_t peer_maximum_packet_size_ = protocol::max_packet_size_limit;
};

} // namespace fleetmq::broker::detail
