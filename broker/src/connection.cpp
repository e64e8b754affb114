#include "connection.hpp"

#include "fleetmq/auth/identity_policy.hpp"
#include "fleetmq/tls/async_handshake.hpp"
#include "shard.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace fleetmq::broker::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

connection::connection(shard& owner, std::uint64_t id, std::size_t listener, tcp::socket socket,
                       std::shared_ptr<const tls::server_context> context)
    : shard_{&owner}, id_{id}, listener_{listener}, accepted_at_{std::chrono::steady_clock::now()},
      socket_{std::move(socket)}, stream_{std::move(context), socket_.native_handle()},
      decoder_{owner.config().limits.max_connect_packet_size}, trust_generation_{
                                                                   owner.trust_generation()} {
    boost::system::error_code ignored;
    const auto endpoint = socket_.remote_endpoint(ignored);
    peer_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

connection::~connection() {
    if (moving_fd_ >= 0) {
        ::close(moving_fd_); // dropped on its way home (the broker is stopping)
    }
}

session_ref connection::ref() const {
    return session_->ref;
}

std::string connection::who() const {
    std::string text = peer_;
    if (identity_) {
        text += " id=" + identity_->id + " trust=" + identity_->trust;
    }
    if (!client_id_.empty()) {
        text += " client_id=" + client_id_;
    }
    return text;
}

void connection::start() {
    handshake_deadline_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
    const auto timeout = stream_.context()->config().handshake_timeout;
    connect_deadline_ms_ = shard_->now_ms() + static_cast<std::uint64_t>(timeout.count());
    async_tls_handshake(socket_, stream_, *handshake_deadline_, timeout,
                        [self = shared_from_this()](bool ok) { self->on_handshake(ok); });
}

void connection::on_handshake(bool ok) {
    handshake_deadline_.reset();
    shard_->handshake_ended();
    if (state_ == state::closed) {
        return;
    }
    auto& handshakes = shard_->metrics().handshakes[listener_];
    if (!ok) {
        const auto failure = stream_.failure();
        ++handshakes.failed[static_cast<std::size_t>(failure)];
        if (tls::is_certificate_failure(failure)) {
            count_auth_failure(tls::to_string(failure)); // the certificate, not the network
        }
        std::size_t suppressed = 0;
        if (shard_->refusal_log().allow(log_kind::tls_handshake, shard_->now_second(),
                                        suppressed)) {
            spdlog::info("tls handshake failed: peer={} shard={} reason={} detail=\"{}\"{}", peer_,
                         shard_->index(), tls::to_string(stream_.failure()),
                         stream_.failure_detail(), suppressed_note(suppressed));
        }
        close("tls handshake failed");
        return;
    }
    ++handshakes.ok;
    handshakes.resumed += stream_.resumed() ? 1u : 0u;
    handshakes.seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - accepted_at_).count(),
        handshake_seconds_bounds);
    // Identity is fixed here; nothing the client sends later changes it.
    const auto facts = stream_.take_peer();
    trust_index_ = facts.trust_entry;
    serial_ = facts.serial;
    not_after_ = facts.not_after;
    const auto& policies = stream_.context()->policies();
    auto result = auth::identity_from_certificate(facts, policies);
    if (auto* identity = std::get_if<auth::identity>(&result)) {
        identity_ = std::move(*identity);
        client_id_rule_ = shard_->config().trust[facts.trust_entry].client_id;
    } else {
        identity_failure_ = auth::to_string(std::get<auth::identity_failure>(result));
    }
    state_ = state::awaiting_connect;
    recheck_trust(); // a reload during the handshake: the CRLs it verified against are old
    shard_->watch_keep_alive(id_, connect_deadline_ms_);
    read();
}

void connection::wait_readable() {
    if (read_waiting_ || state_ == state::closed) {
        return;
    }
    read_waiting_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& error) {
                           self->read_waiting_ = false;
                           if (error) {
                               self->close("socket error");
                               return;
                           }
                           self->read();
                       });
}

void connection::read() {
    auto scratch = shard_->scratch();
    while (state_ != state::closed) {
        if (shard_->congested()) {
            // Other shards are not keeping up with what this one routes to them: publishers
            // wait (TCP pushes back to them) instead of the broker buffering without bound.
            if (!read_paused_) {
                read_paused_ = true;
                shard_->pause_reader(weak_from_this());
            }
            return;
        }
        if (out_bytes_ > shard_->config().limits.max_queued_bytes && !write_waiting_ &&
            !write_out()) {
            peer_gone_ = true;
            close("write failed"); // what this read queued, written before judging the client
            return;
        }
        if (out_bytes_ > shard_->config().limits.max_queued_bytes) {
            // A client that sends without reading what it is sent (acknowledgements) is read no
            // further until its outbound bytes drain: its queue cannot grow without bound.
            if (!read_paused_) {
                spdlog::info("reading paused: {} has {} bytes unsent", who(), out_bytes_);
            }
            read_paused_ = true;
            return;
        }
        const auto result = stream_.read(scratch);
        if (result.status == tls::io_status::want_read ||
            result.status == tls::io_status::want_write) {
            wait_readable();
            return;
        }
        if (result.status != tls::io_status::ok) {
            peer_gone_ = true; // nothing to linger for
            close(result.status == tls::io_status::closed
                      ? std::string{"closed by peer"}
                      : "connection lost without DISCONNECT: " + stream_.record_failure());
            return;
        }
        last_activity_ms_ = shard_->now_ms();
        if (!consume({scratch.data(), result.bytes})) {
            return;
        }
    }
}

bool connection::consume(std::span<const std::uint8_t> input) {
    while (!input.empty() && state_ != state::closed) {
        const auto step = decoder_.feed(input);
        input = input.subspan(step.consumed);
        if (step.status == protocol::frame_status::failed) {
            on_decode_error(step.error, false);
            return false;
        }
        if (step.status != protocol::frame_status::complete) {
            break;
        }
        auto& metrics = shard_->metrics();
        ++metrics.packets_received[static_cast<std::size_t>(step.frame.type())];
        metrics.bytes_received += step.frame.wire_size();
        protocol::packet packet;
        const auto version =
            state_ == state::awaiting_connect ? protocol::protocol_version::v5 : version_;
        if (const auto error = protocol::decode_packet(step.frame, version, packet)) {
            // By the frame's type: a packet that failed early leaves the variant at its first
            // alternative, which happens to be a CONNECT (with version 5.0).
            const bool is_connect = step.frame.type() == protocol::packet_type::connect;
            if (is_connect && state_ == state::awaiting_connect) {
                version_ = std::get<protocol::connect>(packet).version;
            }
            on_decode_error(error, is_connect);
            return false;
        }
        on_packet(packet);
        if (state_ == state::moving) {
            // What the client sent after its CONNECT is read on the home shard.
            unread_.assign(input.begin(), input.end());
            move_home();
            return false;
        }
    }
    return state_ != state::closed;
}

void connection::move_home() {
    boost::system::error_code error;
    moving_v6_ = socket_.local_endpoint(error).address().is_v6();
    if (!error) {
        moving_fd_ = socket_.release(error);
    }
    if (error) {
        state_ = state::awaiting_connect;
        close("could not move to the home shard: " + error.message());
        return;
    }
    // The last thing done here: from now on the home shard's thread owns this connection.
    shard_->hand_off(shared_from_this(), shard_->placement().of_client(client_id_));
}

void connection::arrive(shard& home, std::uint64_t id) {
    shard_ = &home;
    id_ = id;
    boost::system::error_code error;
    socket_ = tcp::socket{home.io()};
    socket_.assign(moving_v6_ ? tcp::v6() : tcp::v4(), moving_fd_, error);
    if (error) {
        ::close(moving_fd_);
        moving_fd_ = -1;
        state_ = state::awaiting_connect;
        close("could not adopt the socket: " + error.message());
        return;
    }
    moving_fd_ = -1;
    socket_.non_blocking(true, error);
    recheck_trust(); // this shard may have adopted a reload the first one had not
    if (!identity_) {
        count_auth_failure(identity_failure_);
        state_ = state::awaiting_connect; // CONNACK not sent yet: refused like a CONNECT
        refuse_connect(protocol::reason_code::not_authorized,
                       "certificate refused: " + identity_failure_);
        return;
    }
    auto [s, present] = home.open_session(*this, client_id_, *identity_, terms_.clean_start);
    session_ = s;
    attached(present);
    auto unread = std::move(unread_);
    unread_ = {};
    if (consume(unread)) {
        read();
    }
}

void connection::disconnect(protocol::reason_code code, std::string_view why) {
    if (state_ == state::closed) {
        return;
    }
    spdlog::info("disconnecting {}: {} ({})", who(), why, protocol::to_string(code));
    if (version_ == protocol::protocol_version::v5 && state_ == state::connected) {
        send(protocol::disconnect{code, {}});
    }
    close(why);
}

std::int64_t connection::not_after_day() const {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(not_after_.time_since_epoch()).count();
    return seconds - seconds % 86400;
}

void connection::count_auth_failure(std::string_view reason) {
    ++shard_->metrics().auth_failures[std::string{reason}];
}

void connection::refuse_connect(protocol::reason_code code, std::string_view why) {
    ++shard_->metrics().connacks[static_cast<std::uint8_t>(code)];
    std::size_t suppressed = 0;
    if (shard_->refusal_log().allow(log_kind::connect_refused, shard_->now_second(), suppressed)) {
        spdlog::info("connect refused: {} shard={} reason={} ({}){}", who(), shard_->index(),
                     protocol::to_string(code), why, suppressed_note(suppressed));
    }
    send(protocol::connack{false, code, {}});
    close(why);
}

void connection::close(std::string_view why) {
    if (state_ == state::closed) {
        return;
    }
    // What is queued (a DISCONNECT, the last deliveries) goes out if the socket takes it now.
    if (!write_waiting_) {
        write_out();
    }
    state_ = state::closed;
    auto& metrics = shard_->metrics();
    metrics.outbound_bytes -= static_cast<std::int64_t>(out_bytes_);
    out_bytes_ = 0;
    out_.clear();
    if (counted_) {
        --metrics.connections_by_trust[trust_index_];
        metrics.lean_connections -= stream_.lean() ? 1 : 0;
        auto& by_day = metrics.not_after_by_trust[trust_index_];
        if (--by_day[not_after_day()] == 0) {
            by_day.erase(not_after_day());
        }
    }
    if (session_ != nullptr) {
        spdlog::info("disconnected: {} shard={} reason=\"{}\"", who(), shard_->index(), why);
        auto* s = std::exchange(session_, nullptr);
        shard_->detach(*s); // the will, the session's expiry or its end
    }
    stream_.shutdown();
    if (socket_.is_open()) {
        if (peer_gone_) {
            boost::system::error_code ignored;
            socket_.close(ignored);
        } else {
            shard_->lingering().close(socket_); // so that the peer reads why (an RST would not)
        }
    }
    shard_->forget(id_);
}

void connection::resume_reading() {
    if (read_paused_ && state_ != state::closed) {
        read_paused_ = false;
        read();
    }
}

void connection::shut_down() {
    disconnect(protocol::reason_code::server_shutting_down, "server shutting down");
    close("server shutting down");
}

void connection::disconnect_by_admin() {
    disconnect(protocol::reason_code::administrative_action, "disconnected by an operator");
}

bool connection::recheck_trust() {
    if (trust_generation_ >= shard_->trust_generation() || state_ == state::handshake ||
        state_ == state::closed) {
        return false; // judged by the current state already, or the handshake end will judge
    }
    trust_generation_ = shard_->trust_generation();
    if (!shard_->trust(listener_).is_revoked(trust_index_, serial_)) {
        return false;
    }
    if (state_ == state::connected) {
        count_auth_failure("revoked");
        disconnect(protocol::reason_code::not_authorized, "certificate revoked (reload)");
        return true;
    }
    // No session yet: the CONNECT is refused as for any certificate that gives no identity.
    identity_.reset();
    identity_failure_ = "revoked";
    if (state_ == state::moving) {
        return true; // refused on arrival at the home shard
    }
    spdlog::info("{}: certificate revoked by a reload before its CONNECT", who());
    return true;
}

void connection::taken_over() {
    // The will is handled as for any close without DISCONNECT: published now, or after its
    // Will Delay Interval unless the new connection resumes the session (5.0 section 3.1.3.2).
    disconnect(protocol::reason_code::session_taken_over, "session taken over");
}

std::optional<std::uint64_t> connection::check_keep_alive(std::uint64_t now_ms) {
    if (state_ == state::closed) {
        return std::nullopt;
    }
    const bool awaiting = state_ == state::awaiting_connect;
    const auto deadline = awaiting ? connect_deadline_ms_ : last_activity_ms_ + silence_limit_ms_;
    if (now_ms >= deadline) {
        if (awaiting) {
            ++shard_->metrics().connect_timeouts;
            spdlog::info("closing {}: no complete CONNECT within the handshake timeout", who());
            close("no CONNECT in time");
        } else {
            disconnect(protocol::reason_code::keep_alive_timeout, "keep alive timeout");
        }
        return std::nullopt;
    }
    return deadline;
}

} // namespace fleetmq::broker::detail
