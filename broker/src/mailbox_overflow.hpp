#pragma once

#include "envelope.hpp"

#include <cstddef>
#include <deque>

namespace fleetmq::broker::detail {

/// Envelopes one shard keeps, in order, for another whose ring is full, with the bytes they
/// hold: the bounds on it are in bytes as well as in envelopes, since 65,536 envelopes of
/// 1 KiB messages are 64 MiB and of 256 KiB messages 16 GiB. A message several envelopes share
/// is counted in each (an upper bound, which is what a bound needs).
class mailbox_overflow {
public:
    /// What `e` keeps alive: the envelope, and the topic and payload of its message.
    static std::size_t bytes_of(const envelope& e) noexcept {
        const message* msg = nullptr;
        if (const auto* d = std::get_if<deliver_request>(&e)) {
            msg = d->msg.get();
        } else if (const auto* r = std::get_if<route_request>(&e)) {
            msg = r->msg.get();
        }
        return sizeof(envelope) + (msg ? msg->topic.size() + msg->payload.size() : 0);
    }

    bool empty() const noexcept { return pending_.empty(); }
    std::size_t size() const noexcept { return pending_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }

    /// The oldest envelope; it may be moved from (into a ring) before `pop_front`.
    envelope& front() noexcept { return pending_.front().e; }
    void push_back(envelope e) {
        const auto bytes = bytes_of(e);
        bytes_ += bytes;
        pending_.push_back({std::move(e), bytes});
    }
    void pop_front() noexcept {
        bytes_ -= pending_.front().bytes;
        pending_.pop_front();
    }

private:
    struct kept {
        envelope e;
        std::size_t bytes; // counted when kept: the envelope is moved from when it leaves
    };
    std::deque<kept> pending_;
    std::size_t bytes_ = 0;
};

} // namespace fleetmq::broker::detail
