// The MQTT side of a connection: what each packet from the client does.
#include "connection.hpp"

#include "fleetmq/protocol/encode.hpp"
#include "fleetmq/protocol/topic.hpp"
#include "shard.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

using protocol::reason_code;

namespace {
constexpr std::uint16_t topic_alias_maximum = 32;

} // namespace

void connection::on_decode_error(std::error_code error, bool in_connect) {
    const auto code = protocol::to_reason_code(error);
    if (state_ == state::awaiting_connect) {
        // A CONNECT that got as far as its version is answered in it; anything else is closed.
        // 3.1.1 has a return code only for an unacceptable version; any other malformed
        // CONNECT is closed without CONNACK [MQTT-3.1.4-1] ("server unavailable" would
        // invite the client to retry the same bytes).
        const bool answerable = version_ == protocol::protocol_version::v5 ||
                                code == reason_code::unsupported_protocol_version;
        if (in_connect && answerable) {
            refuse_connect(code, "bad CONNECT: " + error.message());
        } else if (in_connect) {
            spdlog::info("closing {}: bad 3.1.1 CONNECT: {}", who(), error.message());
            close("bad CONNECT");
        } else {
            spdlog::info("closing {}: {} before CONNECT", who(), error.message());
            close("bad bytes before CONNECT");
        }
        return;
    }
    disconnect(code, "bad packet: " + error.message());
}

void connection::on_packet(protocol::packet& p) {
    if (state_ == state::awaiting_connect) {
        if (auto* c = std::get_if<protocol::connect>(&p)) {
            on_connect(*c);
        } else {
            close("first packet is not CONNECT"); // [MQTT-3.1.0-1]
        }
        return;
    }
    if (state_ != state::connected) {
        return;
    }
    std::visit(
        [&](auto& packet) {
            using T = std::decay_t<decltype(packet)>;
            if constexpr (std::is_same_v<T, protocol::publish>) {
                on_publish(packet);
            } else if constexpr (std::is_same_v<T, protocol::subscribe>) {
                on_subscribe(packet);
            } else if constexpr (std::is_same_v<T, protocol::unsubscribe>) {
                on_unsubscribe(packet);
            } else if constexpr (std::is_same_v<T, protocol::puback>) {
                on_puback(packet.packet_id);
            } else if constexpr (std::is_same_v<T, protocol::pubrec>) {
                on_pubrec(packet);
            } else if constexpr (std::is_same_v<T, protocol::pubcomp>) {
                on_pubcomp(packet.packet_id);
            } else if constexpr (std::is_same_v<T, protocol::pubrel>) {
                on_pubrel(packet.packet_id);
            } else if constexpr (std::is_same_v<T, protocol::pingreq>) {
                send(protocol::pingresp{});
            } else if constexpr (std::is_same_v<T, protocol::disconnect>) {
                on_disconnect(packet);
            } else if constexpr (std::is_same_v<T, protocol::connect>) {
                disconnect(reason_code::protocol_error, "second CONNECT"); // [MQTT-3.1.0-2]
            } else {
                disconnect(reason_code::protocol_error,
                           std::string{"unexpected "} +
                               std::string{protocol::to_string(protocol::type_of(p))});
            }
        },
        p);
}

void connection::on_connect(protocol::connect& c) {
    version_ = c.version;
    const auto suffix = fmt::format("{}-{}", shard_->index(), id_);
    const fleetmq::session::connect_context context{
        identity_ ? &*identity_ : nullptr,
        identity_failure_,
        client_id_rule_,
        suffix,
        [this](std::string_view topic) { return allowed(true, topic).allowed; },
        std::chrono::steady_clock::now()};
    auto decision = fleetmq::session::decide_connect(c, context, connect_limits());
    if (auto* refused = std::get_if<fleetmq::session::connect_refused>(&decision)) {
        client_id_ = std::move(refused->client_id);
        if (!refused->auth_failure.empty()) {
            count_auth_failure(refused->auth_failure);
        }
        refuse_connect(refused->code, refused->why);
        return;
    }
    terms_ = std::get<fleetmq::session::connect_accepted>(std::move(decision));
    client_id_ = terms_.client_id;
    keep_alive_ = terms_.keep_alive;
    peer_receive_maximum_ = terms_.peer_receive_maximum;
    peer_maximum_packet_size_ = terms_.peer_maximum_packet_size;
    peer_topic_alias_maximum_ = terms_.peer_topic_alias_maximum;
    state_ = state::moving; // to the client id's home shard, where its session is
}

fleetmq::session::connect_limits connection::connect_limits() const {
    const auto& limits = shard_->config().limits;
    return {limits.max_keep_alive, limits.max_session_expiry, limits.max_inflight,
            limits.max_packet_size, topic_alias_maximum};
}

void connection::attached(bool session_present) {
    const auto& limits = shard_->config().limits;
    const auto connack =
        fleetmq::session::accept_connect(terms_, version_, session_present, connect_limits());
    session_->set_expiry_interval(connack.session_expiry);
    session_->set_will(std::exchange(terms_.will, nullptr), terms_.will_delay);
    state_ = state::connected;
    connected_at_ = std::chrono::system_clock::now();
    auto& metrics = shard_->metrics();
    ++metrics.connacks[0];
    ++metrics.connections_by_trust[trust_index_];
    ++metrics.not_after_by_trust[trust_index_][not_after_day()];
    metrics.lean_connections += stream_.lean() ? 1 : 0;
    counted_ = true;
    decoder_.set_maximum_packet_size(limits.max_packet_size);
    inbound_aliases_.reset(topic_alias_maximum);
    outbound_aliases_.reset(std::min(peer_topic_alias_maximum_, limits.max_outbound_topic_aliases));
    last_activity_ms_ = shard_->now_ms();
    silence_limit_ms_ = keep_alive_ * 1500ull; // one and a half times [MQTT-3.1.2-24]
    shard_->watch_keep_alive(id_, last_activity_ms_ + silence_limit_ms_);
    spdlog::info("connected: {} role={} shard={} mqtt={} tls={}{} cipher={} records={} session={}",
                 who(), auth::to_string(identity_->role), shard_->index(),
                 protocol::to_string(version_), stream_.version(),
                 stream_.resumed() ? " resumed" : "", stream_.cipher(),
                 stream_.lean() ? "lean" : "openssl", session_present ? "resumed" : "new");
    send(connack.ack);
    // Unacknowledged messages go again first, in their order, then what waited offline
    // [MQTT-4.4.0-1].
    resend_inflight();
    send_pending();
}

acl::verdict connection::allowed(bool publish, std::string_view topic) {
    const acl::subject subject{identity_->id, client_id_, identity_->trust, identity_->role};
    const auto verdict = shard_->acl().check(
        subject, publish ? acl::action::publish : acl::action::subscribe, topic);
    std::size_t suppressed = 0;
    if (!verdict.allowed) {
        ++shard_->metrics().acl_denied[publish ? 0 : 1];
    }
    if (!verdict.allowed &&
        shard_->refusal_log().allow(log_kind::acl_denied, shard_->now_second(), suppressed)) {
        spdlog::info("acl denied: {} {} '{}' ({}){}", who(), publish ? "publish" : "subscribe",
                     topic,
                     verdict.line == 0 ? std::string{"no rule allows it"}
                                       : fmt::format("denied by rule at line {}", verdict.line),
                     suppressed_note(suppressed));
    }
    return verdict;
}

void connection::on_publish(protocol::publish& p) {
    const bool v5 = version_ == protocol::protocol_version::v5;
    std::string_view topic = p.topic;
    if (!p.properties.subscription_identifiers.empty()) {
        // Only the server sends them, to say which subscriptions matched [MQTT-3.3.4-6].
        disconnect(reason_code::protocol_error, "a Subscription Identifier from a client");
        return;
    }
    if (p.properties.topic_alias) {
        const auto resolved = inbound_aliases_.resolve(*p.properties.topic_alias, topic);
        if (resolved.error) {
            disconnect(*resolved.error, resolved.reason);
            return;
        }
        topic = resolved.topic;
    }
    if (p.qos == protocol::qos::exactly_once && session_->awaiting_release(p.packet_id)) {
        send(protocol::pubrec{p.packet_id, reason_code::success, {}}); // a resend: once only
        return;
    }
    ++shard_->metrics().publish_received[static_cast<std::size_t>(p.qos)];
    const bool permitted = allowed(true, topic).allowed;
    if (permitted) {
        shard_->publish(message::from(p, topic, std::chrono::steady_clock::now()), ref());
    }
    const auto code = permitted || !v5 ? reason_code::success : reason_code::not_authorized;
    if (p.qos == protocol::qos::at_least_once) {
        send(protocol::puback{p.packet_id, code, {}});
    } else if (p.qos == protocol::qos::exactly_once) {
        if (permitted) {
            if (!session_->await_release(p.packet_id, shard_->config().limits.max_inflight)) {
                disconnect(reason_code::receive_maximum_exceeded, "too many QoS 2 in flight");
                return;
            }
        }
        send(protocol::pubrec{p.packet_id, code, {}});
    }
}

void connection::on_subscribe(protocol::subscribe& s) {
    const std::uint32_t subscription_id = s.properties.subscription_identifiers.empty()
                                              ? 0
                                              : s.properties.subscription_identifiers.front();
    const auto token = session_->next_token++;
    pending_suback pending{s.packet_id, {}, 0};
    for (const auto& sub : s.subscriptions) {
        reason_code code{};
        acl::verdict verdict;
        if (auto error = protocol::validate_topic_filter(sub.filter)) {
            code = reason_code::topic_filter_invalid;
        } else if (verdict = allowed(false, sub.filter); !verdict.allowed) {
            code = reason_code::not_authorized;
        } else if (const auto added =
                       session_->subscribe(sub.filter, shard_->config().limits.max_subscriptions);
                   added == fleetmq::session::subscribe_outcome::full) {
            code = reason_code::quota_exceeded;
        } else {
            const auto granted = sub.max_qos;
            code = static_cast<reason_code>(granted);
            std::string filter{sub.filter};
            if (added == fleetmq::session::subscribe_outcome::added) {
                ++shard_->metrics().subscriptions;
            }
            pending.confirmations +=
                shard_->subscribe(filter,
                                  {ref(), granted, sub.no_local, sub.retain_as_published,
                                   subscription_id, verdict.filtered},
                                  sub.retain_handling, token);
        }
        pending.codes.push_back(code);
    }
    if (pending.confirmations == 0) {
        send(protocol::suback{pending.packet_id, std::move(pending.codes), {}});
        return;
    }
    pending_subacks_.emplace(token, std::move(pending));
}

void connection::subscribe_confirmed(std::uint32_t token) {
    const auto it = pending_subacks_.find(token);
    if (it == pending_subacks_.end() || --it->second.confirmations > 0) {
        return;
    }
    // Sent once every owner holds the subscription, so that a message published after the
    // SUBACK reaches it; the retained messages follow.
    auto done = std::move(it->second);
    pending_subacks_.erase(it);
    send(protocol::suback{done.packet_id, std::move(done.codes), {}});
    for (auto& r : done.retained) {
        deliver(r, 0);
    }
}

void connection::on_unsubscribe(protocol::unsubscribe& u) {
    protocol::unsuback ack{u.packet_id, {}, {}};
    for (const auto filter : u.filters) {
        if (session_->unsubscribe(filter)) {
            --shard_->metrics().subscriptions;
            shard_->unsubscribe(std::string{filter}, ref());
            ack.codes.push_back(reason_code::success);
        } else {
            ack.codes.push_back(reason_code::no_subscription_existed);
        }
    }
    send(ack);
}

void connection::on_disconnect(const protocol::disconnect& d) {
    if (const auto expiry = d.properties.session_expiry_interval) {
        if (terms_.session_expiry_requested == 0 && *expiry != 0) {
            disconnect(
                reason_code::protocol_error,
                "DISCONNECT sets a session expiry after CONNECT had none"); // [MQTT-3.14.2-2]
            return;
        }
        session_->set_expiry_interval(
            std::min(*expiry, shard_->config().limits.max_session_expiry));
    }
    // A normal DISCONNECT discards the will; 0x04 asks for it [MQTT-3.14.4-3].
    if (d.code != reason_code::disconnect_with_will_message) {
        session_->drop_will();
    }
    close(fmt::format("DISCONNECT ({})", protocol::to_string(d.code)));
}

void connection::on_pubrel(std::uint16_t packet_id) {
    const bool known = session_->release(packet_id);
    send(protocol::pubcomp{
        packet_id, known ? reason_code::success : reason_code::packet_identifier_not_found, {}});
}

} // namespace fleetmq::broker::detail
