// The outbound side of a connection: messages from its session to the client, within the
// client's receive window, and their acknowledgements.
#include "connection.hpp"

#include "shard.hpp"

#include <spdlog/spdlog.h>

namespace fleetmq::broker::detail {

using fleetmq::session::ack_outcome;
using protocol::reason_code;

void connection::deliver(const outgoing& o, std::uint32_t token) {
    if (state_ != state::connected) {
        return;
    }
    if (token != 0) {
        if (const auto it = pending_subacks_.find(token); it != pending_subacks_.end()) {
            it->second.retained.push_back(o);
            return;
        }
    }
    const auto& limits = shard_->config().limits;
    if (out_bytes_ >= limits.max_queued_bytes / 2 && !write_waiting_ && !write_out()) {
        // Queued in this turn and not flushed yet (a burst read in one handler): written now,
        // so that the bounds below judge only what the client does not take.
        peer_gone_ = true;
        close("write failed");
        return;
    }
    const fleetmq::session::queue_bounds bounds{limits.max_queued_messages,
                                                limits.max_queued_bytes};
    if (o.qos == protocol::qos::at_most_once &&
        (out_bytes_ > limits.max_queued_bytes ||
         !session_->has_room(fleetmq::session::session::size_of(o), bounds))) {
        shard_->metrics().drop(drop_reason::queue_full);
        return; // dropped: a slow subscriber does not grow the broker
    }
    // QoS 1 and 2 wait in the session while the socket is behind (send_pending stops at half
    // the bound): a window of large messages on its way is not a full queue. Only a session
    // queue that is full too means a client that does not keep up.
    if (!session_->enqueue(o, bounds)) {
        disconnect(reason_code::quota_exceeded, "outbound queue full");
        return;
    }
    send_pending();
}

void connection::send_pending() {
    const auto backlog = shard_->config().limits.max_queued_bytes / 2;
    const std::size_t window =
        std::min<std::size_t>(peer_receive_maximum_, shard_->config().limits.max_inflight);
    while (const auto* next = session_->next_waiting()) {
        if (state_ != state::connected || out_bytes_ >= backlog) {
            return; // the socket is behind: the rest waits in the session (consume_written)
        }
        if (next->qos != protocol::qos::at_most_once && session_->inflight_count() >= window) {
            return; // wait for an acknowledgement
        }
        if (next->msg->expiry_left(std::chrono::steady_clock::now()) == 0u) {
            session_->drop_next_waiting(); // expired while it waited [MQTT-3.3.2-5]
            shard_->metrics().drop(drop_reason::expired);
            continue;
        }
        const auto [packet_id, sending] = session_->take_next_waiting();
        send_publish(sending, packet_id, false);
    }
}

void connection::resend_inflight() {
    session_->for_each_inflight([this](std::uint16_t packet_id, const inflight_message& m) {
        if (m.released) {
            send(protocol::pubrel{packet_id, reason_code::success, {}});
        } else {
            send_publish(m.sent, packet_id, true);
        }
    });
}

void connection::send_publish(const outgoing& o, std::uint16_t packet_id, bool dup) {
    const auto& msg = *o.msg;
    const auto alias = outbound_aliases_.choose(msg.topic);
    if (o.ids.empty() && !dup && alias.alias == 0) {
        // Encoded once per variant for all receivers: QoS 0 shares the very bytes, QoS 1/2
        // copies them and writes its packet id.
        if (auto bytes = msg.encoded(version_, o.qos, o.retain);
            bytes && bytes->size() <= peer_maximum_packet_size_) {
            if (o.qos == protocol::qos::at_most_once) {
                queue(std::move(bytes));
                return;
            }
            std::vector<std::uint8_t> own{*bytes};
            const auto at = message::packet_id_offset(own, msg.topic.size());
            own[at] = static_cast<std::uint8_t>(packet_id >> 8);
            own[at + 1] = static_cast<std::uint8_t>(packet_id & 0xFF);
            queue(std::move(own));
            return;
        }
    }
    protocol::publish p;
    p.topic = msg.topic;
    p.payload = msg.payload;
    p.qos = o.qos;
    p.retain = o.retain;
    p.dup = dup;
    p.packet_id = packet_id;
    p.properties = msg.properties;
    if (const auto left = msg.expiry_left(std::chrono::steady_clock::now())) {
        // What is left of it [MQTT-3.3.2-6]; a message already on its way when it expired is
        // still sent again, with the shortest interval there is.
        p.properties.message_expiry_interval = std::max<std::uint32_t>(*left, 1);
    }
    p.properties.subscription_identifiers = o.ids.to_vector();
    if (alias.alias != 0) {
        p.properties.topic_alias = alias.alias;
        if (alias.known) {
            p.topic = {}; // the client maps the alias to it [MQTT-3.3.2-12]
        }
    }
    if (send(p) && alias.alias != 0) {
        outbound_aliases_.sent(alias, msg.topic);
        auto& metrics = shard_->metrics();
        if (alias.known) {
            ++metrics.topic_alias_publishes;
            metrics.topic_alias_bytes_saved += msg.topic.size() - 3;
        } else {
            ++metrics.topic_aliases_assigned;
        }
    }
}

void connection::on_puback(std::uint16_t packet_id) {
    if (session_->on_puback(packet_id) == ack_outcome::completed) {
        send_pending();
    }
}

void connection::on_pubrec(const protocol::pubrec& ack) {
    switch (session_->on_pubrec(ack.packet_id, protocol::is_failure(ack.code))) {
    case ack_outcome::unknown:
        send(protocol::pubrel{ack.packet_id, reason_code::packet_identifier_not_found, {}});
        return;
    case ack_outcome::completed: // refused by the receiver: the exchange ends (4.3.3)
        send_pending();
        return;
    case ack_outcome::released:
        send(protocol::pubrel{ack.packet_id, reason_code::success, {}});
        return;
    }
}

void connection::on_pubcomp(std::uint16_t packet_id) {
    if (session_->on_pubcomp(packet_id) == ack_outcome::completed) {
        send_pending();
    }
}

} // namespace fleetmq::broker::detail
