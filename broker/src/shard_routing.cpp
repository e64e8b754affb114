// A shard's part in routing: a publish goes to its topic's owner, which keeps it if retained,
// matches it against the subscriptions it holds and sends one delivery per subscriber to the
// subscriber's home; a subscription goes to the shard(s) that match its filter, which answer
// with the retained messages it asks for.
#include "shard.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace fleetmq::broker::detail {

void shard::route(const route_request& r) {
    if (r.msg->retain) {
        retain(r.msg);
    }
    // Every non-shared subscription is matched here, on the topic's owner (which holds its
    // exact subscriptions and, like every shard, the wildcard ones), so that a client whose
    // subscriptions overlap gets one copy. A shared subscription's copy goes to one member of
    // its group, on top of that (MQTT 5.0 section 4.8.2).
    router_.match(r.msg->topic, r.origin, matches_);
    for (auto& d : matches_) {
        deliver(std::move(d), r.msg);
    }
    router_.for_shared(r.msg->topic, [&](const subscription_entry& member) {
        if (member.no_local && member.who == r.origin) {
            return; // [MQTT-3.8.3-3]
        }
        deliver({member.who, member.qos, member.retain_as_published, member.acl_filtered,
                 subscription_ids{member.subscription_id}},
                r.msg);
    });
}

void shard::deliver(delivery d, const message_ptr& msg) {
    const auto qos = std::min(d.qos, msg->qos);
    // The RETAIN flag of a live message is kept only for Retain As Published [MQTT-3.3.1-12].
    send(d.who.shard, deliver_request{d.who.id, msg, qos, d.retain_as_published && msg->retain,
                                      d.acl_filtered, std::move(d.ids), 0});
}

void shard::retain(const message_ptr& msg) {
    // Each shard holds its share of the broker-wide bound (topics spread evenly by hash).
    const auto& limits = config().limits;
    const auto share =
        (limits.max_retained_messages + state_.shards.size() - 1) / state_.shards.size();
    if (retained_.put(msg, share) == retained_store::outcome::full) {
        metrics_.drop(drop_reason::retained_store_full);
        std::size_t suppressed = 0;
        if (refusal_log_.allow(log_kind::retained_full, now_second(), suppressed)) {
            spdlog::warn("retained message for '{}' not stored: max_retained_messages ({}) "
                         "reached{}",
                         msg->topic, limits.max_retained_messages, suppressed_note(suppressed));
        }
    }
}

void shard::send_retained(const subscribe_request& request, bool fresh) {
    using protocol::retain_handling;
    if (protocol::split_shared_filter(request.filter)) {
        return; // a shared subscription gets no retained messages (MQTT 5.0 section 4.8.2)
    }
    if (request.retain_handling == retain_handling::do_not_send ||
        (request.retain_handling == retain_handling::send_if_new_subscription && !fresh)) {
        return; // [MQTT-3.3.1-10] [MQTT-3.3.1-11]
    }
    const auto send_one = [&](const message_ptr& msg) {
        const auto qos = static_cast<protocol::qos>(
            std::min(static_cast<int>(request.qos), static_cast<int>(msg->qos)));
        send(request.who.shard,
             deliver_request{request.who.id, msg, qos, true, request.acl_filtered,
                             subscription_ids{request.subscription_id}, request.token});
    };
    retained_.for_matching(request.filter, send_one);
}

void shard::publish(const message_ptr& msg, const session_ref& origin) {
    assert_owner();
    send(placement_.of_topic(msg->topic), route_request{msg, origin});
}

std::size_t shard::subscribe(const std::string& filter, const subscription_entry& entry,
                             protocol::retain_handling retain_handling, std::uint32_t token) {
    const subscribe_request request{filter,
                                    entry.who,
                                    entry.qos,
                                    entry.no_local,
                                    entry.retain_as_published,
                                    retain_handling,
                                    entry.subscription_id,
                                    token,
                                    entry.acl_filtered};
    if (detail::placement::on_every_shard(filter)) {
        for (std::uint32_t s = 0; s < state_.shards.size(); ++s) {
            send(s, request);
        }
        return state_.shards.size();
    }
    send(placement_.of_topic(filter), request);
    return 1;
}

void shard::unsubscribe(const std::string& filter, const session_ref& who) {
    if (detail::placement::on_every_shard(filter)) {
        for (std::uint32_t s = 0; s < state_.shards.size(); ++s) {
            send(s, unsubscribe_request{filter, who});
        }
        return;
    }
    send(placement_.of_topic(filter), unsubscribe_request{filter, who});
}

} // namespace fleetmq::broker::detail
