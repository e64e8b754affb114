#include "mailbox.hpp"

#include <algorithm>

namespace fleetmq::broker::detail {

bool carries_qos0(const envelope& e) noexcept {
    if (const auto* d = std::get_if<deliver_request>(&e)) {
        return d->qos == protocol::qos::at_most_once;
    }
    if (const auto* r = std::get_if<route_request>(&e)) {
        return r->msg->qos == protocol::qos::at_most_once;
    }
    return false;
}

mailboxes::mailboxes(std::size_t shards, const mailbox_bounds& bounds)
    : shards_{shards}, bounds_{bounds} {
    rings_.reserve(shards * shards);
    for (std::size_t i = 0; i < shards * shards; ++i) {
        rings_.push_back(std::make_unique<spsc_ring<envelope>>(bounds.ring_capacity));
    }
}

std::size_t mailboxes::depth(std::uint32_t to) const noexcept {
    std::size_t n = 0;
    for (std::size_t from = 0; from < shards_; ++from) {
        n += rings_[to * shards_ + from]->size();
    }
    return n;
}

void mailboxes::discard(std::uint32_t to) {
    envelope e;
    for (std::uint32_t from = 0; from < shards_; ++from) {
        while (ring(from, to).pop(e)) {
            e = {};
        }
    }
}

outbox::outbox(mailboxes& boxes, std::uint32_t from)
    : boxes_{boxes}, from_{from}, overflow_(boxes.shards()) {}

outbox::outcome outbox::send(std::uint32_t to, envelope e) {
    auto& pending = overflow_[to];
    move(to); // what waits goes first: the order per target is kept
    if (pending.empty() && boxes_.ring(from_, to).push(e)) {
        return outcome::pushed;
    }
    const auto& b = boxes_.bounds();
    if ((pending.size() >= b.drop_at || pending.bytes() >= b.drop_at_bytes) && carries_qos0(e)) {
        return outcome::dropped;
    }
    pending.push_back(std::move(e));
    return outcome::kept;
}

bool outbox::move(std::uint32_t to) {
    auto& pending = overflow_[to];
    auto& ring = boxes_.ring(from_, to);
    bool pushed = false;
    while (!pending.empty() && ring.push(pending.front())) {
        pending.pop_front();
        pushed = true;
    }
    return pushed;
}

bool outbox::congested() const noexcept {
    const auto& b = boxes_.bounds();
    return std::any_of(overflow_.begin(), overflow_.end(), [&](const auto& pending) {
        return pending.size() >= b.pause_at || pending.bytes() >= b.pause_at_bytes;
    });
}

bool outbox::calm() const noexcept {
    const auto& b = boxes_.bounds();
    return std::all_of(overflow_.begin(), overflow_.end(), [&](const auto& pending) {
        return pending.size() <= b.resume_at && pending.bytes() <= b.resume_at_bytes;
    });
}

bool outbox::waiting() const noexcept {
    return std::any_of(overflow_.begin(), overflow_.end(),
                       [](const auto& pending) { return !pending.empty(); });
}

std::size_t outbox::kept_envelopes() const noexcept {
    std::size_t n = 0;
    for (const auto& pending : overflow_) {
        n += pending.size();
    }
    return n;
}

std::size_t outbox::kept_bytes() const noexcept {
    std::size_t n = 0;
    for (const auto& pending : overflow_) {
        n += pending.bytes();
    }
    return n;
}

void outbox::clear() noexcept {
    for (auto& pending : overflow_) {
        while (!pending.empty()) {
            pending.pop_front();
        }
    }
}

} // namespace fleetmq::broker::detail
