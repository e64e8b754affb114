#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace fleetmq::session {

/// The Subscription Identifiers one delivery carries: those of every subscription of the client
/// that matched the message (MQTT 5.0 3.3.4, [MQTT-3.3.4-3] [MQTT-3.3.4-4]). Almost every
/// delivery has none or one, held inline in 4 bytes; more than one share a list, filled while
/// the delivery is built (on one shard) and read-only once it is sent.
class subscription_ids {
public:
    subscription_ids() = default;
    explicit subscription_ids(std::uint32_t id) noexcept : first_{id} {}

    bool empty() const noexcept { return first_ == 0; }

    /// Adds `id` unless it is 0 (none) or already there.
    void add(std::uint32_t id) {
        if (id == 0 || id == first_) {
            return;
        }
        if (first_ == 0) {
            first_ = id;
            return;
        }
        if (!more_) {
            more_ = std::make_shared<std::vector<std::uint32_t>>();
        }
        if (std::find(more_->begin(), more_->end(), id) == more_->end()) {
            more_->push_back(id);
        }
    }

    /// Adds every id of `other` (one delivery's subscriptions merged into another's).
    void add(const subscription_ids& other) {
        add(other.first_);
        if (other.more_) {
            for (const auto id : *other.more_) {
                add(id);
            }
        }
    }

    std::vector<std::uint32_t> to_vector() const {
        // One reserve and push_backs: GCC 12 misreads insert() after push_back() as an
        // overflow (-Wstringop-overflow), and the lists are a few ids long anyway.
        std::vector<std::uint32_t> all;
        all.reserve((first_ != 0 ? 1U : 0U) + (more_ ? more_->size() : 0U));
        if (first_ != 0) {
            all.push_back(first_);
        }
        if (more_) {
            for (const auto id : *more_) {
                all.push_back(id);
            }
        }
        return all;
    }

private:
    std::uint32_t first_ = 0;
    std::shared_ptr<std::vector<std::uint32_t>> more_;
};

} // namespace fleetmq::session
