// A shard's sessions: the client ids it owns, their sessions online and offline, takeover,
// expiry and delayed wills. A session and its connection share this shard, so none of this
// crosses a thread.
#include "connection.hpp"
#include "shard.hpp"

#include <spdlog/spdlog.h>

#include <cassert>

namespace fleetmq::broker::detail {

void shard::assert_owner() const {
    assert(owner_thread_ == std::thread::id{} || std::this_thread::get_id() == owner_thread_);
}

void shard::hand_off(std::shared_ptr<connection> c, std::uint32_t home) {
    assert_owner();
    // Still counted in state_.connections: it leaves this shard's map, not the broker.
    connections_.erase(c->id());
    send(home, detail::hand_off{std::move(c)});
}

std::pair<hosted_session*, bool> shard::open_session(connection& c, const std::string& client_id,
                                                     const auth::identity& identity,
                                                     bool clean_start) {
    assert_owner();
    const auto find = [&]() -> hosted_session* {
        const auto it = registry_.find(client_id);
        return it == registry_.end() ? nullptr : sessions_.at(it->second).get();
    };
    auto* existing = find();
    if (existing != nullptr && existing->online != nullptr) {
        // Closing it detaches it: the session may end there (no expiry), or wait for this one.
        const auto old = existing->online->shared_from_this();
        old->taken_over();
        existing = find();
    }
    bool present = false;
    if (existing != nullptr) {
        if (!clean_start && existing->identity() == identity) {
            present = true;
            existing->resumed(); // its will is not sent [MQTT-3.1.3-9]
            existing->online = &c;
            schedule(*existing); // nothing is due while it is online
        } else {
            end_session(*existing);
            existing = nullptr;
        }
    }
    if (existing == nullptr) {
        const auto id = next_session_++;
        auto s = std::make_unique<hosted_session>(session_ref{index_, id}, client_id, identity);
        existing = s.get();
        sessions_.emplace(id, std::move(s));
        registry_.insert_or_assign(client_id, id);
    }
    existing->online = &c;
    ++metrics_.sessions_online;
    return {existing, present};
}

void shard::detach(hosted_session& s) {
    assert_owner();
    s.online = nullptr;
    --metrics_.sessions_online;
    const auto plan = s.went_offline(now_ms());
    if (plan.end_now) {
        end_session(s);
        return;
    }
    if (plan.will_now) {
        publish_will(s);
    }
    s.compact(); // an idle offline session keeps no queue storage
    schedule(s);
}

void shard::schedule(hosted_session& s) {
    if (s.timer) {
        session_timers_.erase(*s.timer);
        s.timer.reset();
    }
    if (s.online == nullptr) {
        s.timer = session_timers_.emplace(s.next_deadline(), s.ref.id);
    }
}

void shard::end_session(hosted_session& s) {
    // The will is published when the session ends, if its delay has not passed yet (5.0
    // section 3.1.3.2.2).
    if (s.has_will()) {
        publish_will(s);
    }
    if (s.timer) {
        session_timers_.erase(*s.timer);
    }
    for (const auto& filter : s.subscriptions()) {
        unsubscribe(filter, s.ref);
    }
    metrics_.subscriptions -= static_cast<std::int64_t>(s.subscriptions().size());
    if (const auto it = registry_.find(s.client_id());
        it != registry_.end() && it->second == s.ref.id) {
        registry_.erase(it);
    }
    sessions_.erase(s.ref.id); // last: `s` goes with it
}

void shard::publish_will(hosted_session& s) {
    auto will = s.take_will();
    // Checked again: the rules may have changed since the CONNECT.
    const auto& who = s.identity();
    const acl::subject subject{who.id, s.client_id(), who.trust, who.role};
    if (acl().check(subject, acl::action::publish, will->topic).allowed) {
        publish(will, s.ref);
    } else {
        spdlog::info("will of client_id={} not published: '{}' is no longer allowed", s.client_id(),
                     will->topic);
    }
}

void shard::run_session_timers(std::uint64_t now_ms) {
    while (!session_timers_.empty() && session_timers_.begin()->first <= now_ms) {
        // Every entry is its session's only one (schedule() and end_session() see to it).
        auto& s = *sessions_.at(session_timers_.begin()->second);
        session_timers_.erase(session_timers_.begin());
        s.timer.reset();
        const auto due = s.due(now_ms);
        if (due.will) {
            publish_will(s);
        }
        if (due.expired) {
            spdlog::info("session expired: client_id={} ({} messages waiting dropped)",
                         s.client_id(), s.waiting_count() + s.inflight_count());
            end_session(s);
        } else {
            schedule(s); // the will was due first; the expiry is next
        }
    }
}

void shard::deliver_to_session(const deliver_request& d) {
    const auto it = sessions_.find(d.session);
    if (it == sessions_.end()) {
        return; // the session ended meanwhile
    }
    auto& s = *it->second;
    const auto& who = s.identity();
    if (d.acl_check &&
        !acl().delivers({who.id, s.client_id(), who.trust, who.role}, d.msg->topic)) {
        ++metrics_.acl_withheld; // a topic a deny rule keeps from this subscriber
        return;
    }
    outgoing o{d.msg, d.qos, d.retain, d.ids};
    if (s.online != nullptr) {
        s.online->deliver(o, d.token);
        return;
    }
    // Offline: QoS 1 and 2 wait for the client within the session's bounds; QoS 0 is not
    // kept for an absent client (5.0 section 3.1.2.4 lets the server choose).
    if (d.qos == protocol::qos::at_most_once) {
        metrics_.drop(drop_reason::offline);
        return;
    }
    const auto& limits = config().limits;
    if (!s.enqueue(std::move(o), {limits.max_queued_messages, limits.max_queued_bytes})) {
        metrics_.drop(drop_reason::offline_queue_full);
    }
}

} // namespace fleetmq::broker::detail
