// A shard's sessions as its connections and the routing see them: takeover of a connection
// holding the client id, wills published under the current rules, subscriptions leaving the
// router with their session, deliveries to a session online or offline. Which sessions exist
// and when they are due is the session_registry's. A session and its connection share this
// shard, so none of this crosses a thread.
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
    if (auto* existing = sessions_.find(client_id);
        existing != nullptr && existing->online != nullptr) {
        // Closing it detaches it: the session may end there (no expiry), or wait for this one.
        existing->online->shared_from_this()->taken_over();
    }
    const auto [s, present] = sessions_.open(client_id, identity, clean_start);
    s->online = &c;
    ++metrics_.sessions_online;
    return {s, present};
}

void shard::detach(hosted_session& s) {
    assert_owner();
    s.online = nullptr;
    --metrics_.sessions_online;
    sessions_.went_offline(s, now_ms());
}

void shard::will_due(hosted_session& s) {
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

void shard::session_ending(hosted_session& s) {
    for (const auto& filter : s.subscriptions()) {
        unsubscribe(filter, s.ref);
    }
    metrics_.subscriptions -= static_cast<std::int64_t>(s.subscriptions().size());
}

void shard::deliver_to_session(const deliver_request& d) {
    auto* found = sessions_.find(d.session);
    if (found == nullptr) {
        return; // the session ended meanwhile
    }
    auto& s = *found;
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
