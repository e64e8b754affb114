#pragma once

#include "envelope.hpp"
#include "mailbox_overflow.hpp"
#include "spsc_ring.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace fleetmq::broker::detail {

/// The bounds of the mail between shards. Past `pause_at` (envelopes or bytes) kept for any
/// target, a shard's connections stop reading (TCP pushes back on publishers) until every
/// overflow is down to `resume_at`; QoS 0 is dropped only past `drop_at`. The gap between
/// pausing and dropping is room for what the connections already read (one read is at most
/// 16 KiB: a few thousand tiny messages), and the gap between pausing and resuming keeps a
/// congested shard from dropping at every resume. The byte bounds matter for deliveries routed
/// back to the publisher's own shard: nothing there pauses that publisher.
struct mailbox_bounds {
    std::size_t ring_capacity = 4096; // a power of two
    /// Envelopes taken from one ring per wake-up (see mailboxes::drain).
    std::size_t drain_batch = 1024;
    std::size_t drop_at = 65536;
    std::size_t drop_at_bytes = 8U << 20U;
    std::size_t pause_at = drop_at / 4;
    std::size_t pause_at_bytes = drop_at_bytes / 4;
    std::size_t resume_at = drop_at / 16;
    std::size_t resume_at_bytes = drop_at_bytes / 16;
};

/// The rings between every pair of shards (one producer, one consumer each), made once with
/// the shards.
class mailboxes {
public:
    explicit mailboxes(std::size_t shards, const mailbox_bounds& bounds = {});

    std::size_t shards() const noexcept { return shards_; }
    const mailbox_bounds& bounds() const noexcept { return bounds_; }
    spsc_ring<envelope>& ring(std::uint32_t from, std::uint32_t to) noexcept {
        return *rings_[to * shards_ + from];
    }
    /// Envelopes waiting for shard `to` (any thread: a snapshot).
    std::size_t depth(std::uint32_t to) const noexcept;

    struct drained {
        std::size_t handled = 0;
        /// A ring still had envelopes after its batch: drain again, after what the batch did.
        bool more = false;
    };
    /// On shard `to`'s thread: hands `handle` at most `drain_batch` envelopes from each ring
    /// into `to`. A bounded batch, because a sender that keeps its ring full would otherwise
    /// keep this loop going for ever, while the work it posts to its own shard (deliveries to
    /// that shard's sessions) piles up until the loop ends.
    template <class Handler>
    drained drain(std::uint32_t to, Handler&& handle) {
        drained result;
        envelope e;
        for (std::uint32_t from = 0; from < shards_; ++from) {
            auto& r = ring(from, to);
            std::size_t taken = 0;
            while (taken < bounds_.drain_batch && r.pop(e)) {
                handle(e);
                ++taken;
            }
            result.handled += taken;
            result.more = result.more || taken == bounds_.drain_batch;
        }
        return result;
    }
    /// After every shard has stopped: drops what waits for `to`.
    void discard(std::uint32_t to);

private:
    std::size_t shards_;
    mailbox_bounds bounds_;
    std::vector<std::unique_ptr<spsc_ring<envelope>>> rings_; // [to * shards_ + from]
};

/// One shard's sending side: into the target's ring when it has room, else kept here, in
/// order, per target (the overflow), and retried first. Only the sending shard's thread uses it.
class outbox {
public:
    outbox(mailboxes& boxes, std::uint32_t from);

    enum class outcome { pushed, kept, dropped };
    /// `pushed`: in the ring; `kept`: in the overflow (retry with `flush`); `dropped`: a QoS 0
    /// message past `drop_at` (everything else is kept, however far behind the target is).
    outcome send(std::uint32_t to, envelope e);

    /// Moves what the rings take from the overflow; `pushed(to)` for each target that got some.
    template <class Pushed>
    void flush(Pushed&& pushed) {
        for (std::uint32_t to = 0; to < overflow_.size(); ++to) {
            if (move(to)) {
                pushed(to);
            }
        }
    }

    /// Anything kept past `pause_at` for some target: readers should pause.
    bool congested() const noexcept;
    /// Everything down to `resume_at`: paused readers may go on.
    bool calm() const noexcept;
    /// Anything kept at all (a flush is due).
    bool waiting() const noexcept;
    const mailbox_overflow& kept(std::uint32_t to) const noexcept { return overflow_[to]; }
    std::size_t kept_envelopes() const noexcept;
    std::size_t kept_bytes() const noexcept;
    void clear() noexcept;

private:
    bool move(std::uint32_t to);

    mailboxes& boxes_;
    std::uint32_t from_;
    std::vector<mailbox_overflow> overflow_;
};

/// Whether dropping `e` is allowed when a target is far behind: QoS 0 messages only.
bool carries_qos0(const envelope& e) noexcept;

} // namespace fleetmq::broker::detail
