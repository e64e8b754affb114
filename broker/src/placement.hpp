#pragma once

#include "fleetmq/protocol/topic.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace fleetmq::broker::detail {

/// Which shard holds what, decided in one place: a client id's session (and so its connection)
/// lives on the shard its id hashes to, and so do a topic's exact subscriptions and its
/// retained message; wildcard and shared subscriptions are few and every shard keeps them.
/// Every shard computes the same answers, without asking anyone.
class placement {
public:
    explicit placement(std::size_t shards) noexcept : shards_{shards} {}

    std::size_t shards() const noexcept { return shards_; }
    /// The home shard of a client id's session.
    std::uint32_t of_client(std::string_view client_id) const noexcept { return of(client_id); }
    /// The shard that routes a topic: its exact subscriptions and retained message are there.
    std::uint32_t of_topic(std::string_view topic) const noexcept { return of(topic); }
    /// A subscription every shard keeps (wildcards, shared): else only of_topic(filter) does.
    static bool on_every_shard(std::string_view filter) {
        return protocol::has_wildcard(filter) || protocol::split_shared_filter(filter).has_value();
    }

private:
    std::uint32_t of(std::string_view key) const noexcept {
        return static_cast<std::uint32_t>(std::hash<std::string_view>{}(key) % shards_);
    }

    std::size_t shards_;
};

} // namespace fleetmq::broker::detail
