#include "router.hpp"

#include <algorithm>

namespace fleetmq::broker::detail {

bool router::add(const std::string& filter, const subscription_entry& entry) {
    if (const auto shared = protocol::split_shared_filter(filter)) {
        auto& group = shared_[filter];
        group.filter = std::string{shared->filter};
        for (auto& member : group.members) {
            if (member.who == entry.who) {
                member = entry;
                return false;
            }
        }
        group.members.push_back(entry);
        return true;
    }
    if (protocol::has_wildcard(filter)) {
        for (auto& w : wildcards_) {
            if (w.entry.who == entry.who && w.filter == filter) {
                w.entry = entry; // a repeated SUBSCRIBE replaces the subscription [MQTT-3.8.4-3]
                return false;
            }
        }
        wildcards_.push_back({filter, entry});
        return true;
    }
    auto& entries = exact_[filter];
    for (auto& e : entries) {
        if (e.who == entry.who) {
            e = entry;
            return false;
        }
    }
    entries.push_back(entry);
    return true;
}

void router::match(const std::string& topic, const session_ref& origin,
                   std::vector<delivery>& out) const {
    out.clear();
    const auto add = [&](const subscription_entry& e) {
        if (e.no_local && e.who == origin) {
            return;
        }
        out.push_back({e.who, e.qos, e.retain_as_published, e.acl_filtered,
                       subscription_ids{e.subscription_id}});
    };
    for_exact(topic, add);
    for_wildcards(topic, add);
    if (out.size() < 2) {
        return; // the common case: one subscriber, or none
    }
    const auto key = [](const delivery& d) { return std::pair{d.who.shard, d.who.id}; };
    std::sort(out.begin(), out.end(),
              [&](const delivery& a, const delivery& b) { return key(a) < key(b); });
    std::size_t kept = 0;
    for (std::size_t i = 1; i < out.size(); ++i) {
        auto& into = out[kept];
        auto& next = out[i];
        if (!(into.who == next.who)) {
            out[++kept] = std::move(next);
            continue;
        }
        into.qos = std::max(into.qos, next.qos);
        into.retain_as_published = into.retain_as_published || next.retain_as_published;
        into.acl_filtered = into.acl_filtered && next.acl_filtered;
        into.ids.add(next.ids);
    }
    out.resize(kept + 1);
}

bool router::remove(const std::string& filter, const session_ref& who) {
    if (protocol::split_shared_filter(filter)) {
        const auto found = shared_.find(filter);
        if (found == shared_.end()) {
            return false;
        }
        auto& members = found->second.members;
        const auto it = std::find_if(members.begin(), members.end(),
                                     [&](const subscription_entry& e) { return e.who == who; });
        if (it == members.end()) {
            return false;
        }
        members.erase(it);
        if (members.empty()) {
            shared_.erase(found);
        }
        return true;
    }
    if (protocol::has_wildcard(filter)) {
        const auto it = std::find_if(wildcards_.begin(), wildcards_.end(), [&](const wildcard& w) {
            return w.entry.who == who && w.filter == filter;
        });
        if (it == wildcards_.end()) {
            return false;
        }
        wildcards_.erase(it);
        return true;
    }
    const auto found = exact_.find(filter);
    if (found == exact_.end()) {
        return false;
    }
    auto& entries = found->second;
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const subscription_entry& e) { return e.who == who; });
    if (it == entries.end()) {
        return false;
    }
    entries.erase(it);
    if (entries.empty()) {
        exact_.erase(found);
    }
    return true;
}

} // namespace fleetmq::broker::detail
