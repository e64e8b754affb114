#pragma once

#include "message.hpp"

#include "fleetmq/protocol/topic.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fleetmq::broker::detail {

/// The retained messages of the topics one shard owns (placement::of_topic), at most one per
/// topic. Only that shard's thread uses it.
class retained_store {
public:
    enum class outcome { stored, replaced, cleared, full };

    /// Stores `msg` as its topic's retained message; an empty payload clears the topic
    /// [MQTT-3.3.1-6]. A new topic past `limit` topics is not stored (`full`); replacing or
    /// clearing always works.
    outcome put(const message_ptr& msg, std::size_t limit) {
        if (msg->payload.empty()) {
            by_topic_.erase(msg->topic);
            return outcome::cleared;
        }
        if (const auto it = by_topic_.find(msg->topic); it != by_topic_.end()) {
            it->second = msg;
            return outcome::replaced;
        }
        if (by_topic_.size() >= limit) {
            return outcome::full;
        }
        by_topic_.emplace(msg->topic, msg);
        return outcome::stored;
    }

    /// Calls `f(msg)` for every retained message whose topic `filter` matches: one lookup for
    /// a filter without wildcards, a scan otherwise.
    template <class F>
    void for_matching(const std::string& filter, F&& f) const {
        if (!protocol::has_wildcard(filter)) {
            if (const auto it = by_topic_.find(filter); it != by_topic_.end()) {
                f(it->second);
            }
            return;
        }
        for (const auto& [topic, msg] : by_topic_) {
            if (protocol::topic_matches(filter, topic)) {
                f(msg);
            }
        }
    }

    std::size_t size() const noexcept { return by_topic_.size(); }

private:
    std::unordered_map<std::string, message_ptr> by_topic_;
};

} // namespace fleetmq::broker::detail
