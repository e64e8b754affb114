#pragma once

#include "envelope.hpp"
#include "fleetmq/session/subscription_ids.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace fleetmq::broker::detail {

using fleetmq::session::subscription_ids;

struct subscription_entry {
    session_ref who;
    protocol::qos qos = protocol::qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint32_t subscription_id = 0; // 0: none
    /// Granted with topics a deny rule withholds: each message is checked at delivery.
    bool acl_filtered = false;
};

/// A message's delivery to one session: what all its matching (non-shared) subscriptions ask
/// for, merged into one copy (MQTT 5.0 3.3.4): the highest QoS granted [MQTT-3.3.4-2], every
/// Subscription Identifier [MQTT-3.3.4-4], RETAIN as published if any asks for it, and an ACL
/// check at delivery only if every one of them is filtered (an unfiltered match is a grant
/// without exception for the topic).
struct delivery {
    session_ref who;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain_as_published = false;
    bool acl_filtered = false;
    subscription_ids ids;
};

/// One shard's part of the subscription index. Exact filters (no wildcard) are stored only on
/// the shard that owns their topic (hash of the topic), so millions of per-device subscriptions
/// are held once; wildcard filters are few and every shard keeps all of them. Owned by its
/// shard; no lock.
class router {
public:
    /// Adds or updates `who`'s subscription to `filter`; true if it is new.
    bool add(const std::string& filter, const subscription_entry& entry);
    /// True if there was one.
    bool remove(const std::string& filter, const session_ref& who);

    /// One delivery per session whose exact or wildcard subscriptions held here match `topic`,
    /// into `out` (cleared first; a buffer the caller reuses). A subscription with No Local does
    /// not match its own session's messages [MQTT-3.8.3-3].
    void match(const std::string& topic, const session_ref& origin,
               std::vector<delivery>& out) const;

    /// Calls `f(entry)` for every exact subscription of `topic` held here.
    template <class F>
    void for_exact(const std::string& topic, F&& f) const {
        if (const auto it = exact_.find(topic); it != exact_.end()) {
            for (const auto& entry : it->second) {
                f(entry);
            }
        }
    }

    /// Calls `f(entry)` for every wildcard subscription matching `topic`.
    template <class F>
    void for_wildcards(std::string_view topic, F&& f) const;

    /// Calls `f(member)` once for every shared subscription group whose filter matches `topic`,
    /// with the group's next member in turn (round-robin).
    template <class F>
    void for_shared(std::string_view topic, F&& f);

private:
    struct wildcard {
        std::string filter;
        subscription_entry entry;
    };
    std::unordered_map<std::string, std::vector<subscription_entry>> exact_;
    std::vector<wildcard> wildcards_;
    /// Shared subscription groups by their full filter ("$share/<group>/<filter>"). Few, and
    /// kept by every shard, each taking its own turns among all the members.
    struct shared_group {
        std::string filter;
        std::vector<subscription_entry> members;
        std::size_t next = 0;
    };
    std::unordered_map<std::string, shared_group> shared_;
};

} // namespace fleetmq::broker::detail

#include "fleetmq/protocol/topic.hpp"

namespace fleetmq::broker::detail {

template <class F>
void router::for_wildcards(std::string_view topic, F&& f) const {
    for (const auto& w : wildcards_) {
        if (protocol::topic_matches(w.filter, topic)) {
            f(w.entry);
        }
    }
}

template <class F>
void router::for_shared(std::string_view topic, F&& f) {
    for (auto& [key, group] : shared_) {
        if (!group.members.empty() && protocol::topic_matches(group.filter, topic)) {
            f(group.members[group.next++ % group.members.size()]);
        }
    }
}

} // namespace fleetmq::broker::detail
