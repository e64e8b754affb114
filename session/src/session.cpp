#include "fleetmq/session/session.hpp"

#include <algorithm>
#include <cassert>

namespace fleetmq::session {

session::session(std::string client_id, auth::identity identity)
    : client_id_{std::move(client_id)}, identity_{std::move(identity)} {}

session::~session() = default;

void session::set_will(message_ptr will, std::uint32_t delay_seconds) {
    will_ = std::move(will);
    will_delay_ = delay_seconds;
    will_at_ = 0;
}

message_ptr session::take_will() noexcept {
    will_at_ = 0;
    return std::exchange(will_, nullptr);
}

void session::drop_will() noexcept {
    will_.reset();
    will_at_ = 0;
}

offline_plan session::went_offline(std::uint64_t now_ms) {
    if (expiry_interval_ == 0) {
        return {true, false};
    }
    expires_at_ = now_ms + std::uint64_t{expiry_interval_} * 1000;
    if (!will_) {
        return {};
    }
    if (will_delay_ == 0) {
        return {false, true};
    }
    will_at_ = now_ms + std::uint64_t{std::min(will_delay_, expiry_interval_)} * 1000;
    return {};
}

void session::resumed() noexcept {
    drop_will();
    expires_at_ = 0;
}

due_now session::due(std::uint64_t now_ms) const noexcept {
    return {will_ != nullptr && will_at_ != 0 && will_at_ <= now_ms, expires_at_ <= now_ms};
}

std::uint64_t session::next_deadline() const noexcept {
    return will_ != nullptr && will_at_ != 0 ? std::min(will_at_, expires_at_) : expires_at_;
}

subscribe_outcome session::subscribe(std::string_view filter, std::size_t max_subscriptions) {
    const auto at = std::lower_bound(subscriptions_.begin(), subscriptions_.end(), filter);
    if (at != subscriptions_.end() && *at == filter) {
        return subscribe_outcome::existed;
    }
    if (subscriptions_.size() >= max_subscriptions) {
        return subscribe_outcome::full;
    }
    subscriptions_.emplace(at, filter);
    return subscribe_outcome::added;
}

bool session::unsubscribe(std::string_view filter) {
    const auto at = std::lower_bound(subscriptions_.begin(), subscriptions_.end(), filter);
    if (at == subscriptions_.end() || *at != filter) {
        return false;
    }
    subscriptions_.erase(at);
    if (subscriptions_.empty()) {
        subscriptions_.shrink_to_fit();
    }
    return true;
}

bool session::subscribed(std::string_view filter) const noexcept {
    return std::binary_search(subscriptions_.begin(), subscriptions_.end(), filter);
}

std::size_t session::size_of(const outgoing& o) noexcept {
    return o.msg->topic.size() + o.msg->payload.size();
}

bool session::has_room(std::size_t bytes, const queue_bounds& bounds) const noexcept {
    return waiting_count() < bounds.messages && waiting_bytes() + bytes <= bounds.bytes;
}

bool session::enqueue(outgoing o, const queue_bounds& bounds) {
    const auto bytes = size_of(o);
    if (!has_room(bytes, bounds)) {
        return false;
    }
    auto& t = flowing();
    t.waiting_bytes += bytes;
    t.waiting.push_back(std::move(o));
    return true;
}

const outgoing* session::next_waiting() const noexcept {
    return traffic_ && !traffic_->waiting.empty() ? &traffic_->waiting.front() : nullptr;
}

void session::drop_next_waiting() noexcept {
    assert(next_waiting() != nullptr);
    traffic_->waiting_bytes -= size_of(traffic_->waiting.front());
    traffic_->waiting.pop_front();
}

std::pair<std::uint16_t, outgoing> session::take_next_waiting() {
    assert(next_waiting() != nullptr);
    auto& t = *traffic_;
    t.waiting_bytes -= size_of(t.waiting.front());
    auto next = std::move(t.waiting.front());
    t.waiting.pop_front();
    if (next.qos == protocol::qos::at_most_once) {
        return {0, std::move(next)};
    }
    // At most 65,535 in flight: the window (receive maximum) is bounded far below.
    assert(t.inflight.size() < 65535);
    do {
        last_packet_id_ =
            static_cast<std::uint16_t>(last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1);
    } while (t.inflight.contains(last_packet_id_));
    t.inflight.emplace(last_packet_id_, inflight_message{next, false});
    return {last_packet_id_, std::move(next)};
}

std::size_t session::waiting_count() const noexcept {
    return traffic_ ? traffic_->waiting.size() : 0;
}

std::size_t session::waiting_bytes() const noexcept {
    return traffic_ ? traffic_->waiting_bytes : 0;
}

std::size_t session::inflight_count() const noexcept {
    return traffic_ ? traffic_->inflight.size() : 0;
}

ack_outcome session::on_puback(std::uint16_t packet_id) {
    if (!traffic_) {
        return ack_outcome::unknown;
    }
    const auto it = traffic_->inflight.find(packet_id);
    if (it == traffic_->inflight.end() || it->second.sent.qos != protocol::qos::at_least_once) {
        return ack_outcome::unknown;
    }
    traffic_->inflight.erase(it);
    return ack_outcome::completed;
}

ack_outcome session::on_pubrec(std::uint16_t packet_id, bool refused) {
    if (!traffic_) {
        return ack_outcome::unknown;
    }
    const auto it = traffic_->inflight.find(packet_id);
    if (it == traffic_->inflight.end() || it->second.sent.qos != protocol::qos::exactly_once) {
        return ack_outcome::unknown;
    }
    if (refused) {
        traffic_->inflight.erase(it);
        return ack_outcome::completed;
    }
    it->second.released = true; // a PUBREC sent again is answered with PUBREL again
    return ack_outcome::released;
}

ack_outcome session::on_pubcomp(std::uint16_t packet_id) {
    if (!traffic_) {
        return ack_outcome::unknown;
    }
    const auto it = traffic_->inflight.find(packet_id);
    if (it == traffic_->inflight.end() || !it->second.released) {
        return ack_outcome::unknown;
    }
    traffic_->inflight.erase(it);
    return ack_outcome::completed;
}

bool session::awaiting_release(std::uint16_t packet_id) const noexcept {
    return traffic_ && traffic_->awaiting_pubrel.contains(packet_id);
}

bool session::await_release(std::uint16_t packet_id, std::size_t max) {
    if (awaiting_release(packet_id)) {
        return true;
    }
    if (awaiting_release_count() >= max) {
        return false;
    }
    flowing().awaiting_pubrel.insert(packet_id);
    return true;
}

bool session::release(std::uint16_t packet_id) {
    return traffic_ && traffic_->awaiting_pubrel.erase(packet_id) == 1;
}

std::size_t session::awaiting_release_count() const noexcept {
    return traffic_ ? traffic_->awaiting_pubrel.size() : 0;
}

void session::compact() noexcept {
    if (traffic_ && traffic_->waiting.empty() && traffic_->inflight.empty() &&
        traffic_->awaiting_pubrel.empty()) {
        traffic_.reset();
    }
}

session::traffic& session::flowing() {
    if (!traffic_) {
        traffic_ = std::make_unique<traffic>();
    }
    return *traffic_;
}

} // namespace fleetmq::session
