#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace fleetmq::broker::detail {

/// Keep-alive and CONNECT deadlines of one shard in slots of `slot_ms`, not a timer per
/// connection. A connection is filed under the first slot that starts at or after its deadline,
/// so that taking a slot once its start has come never sees a connection early; activity only
/// moves the connection's own deadline. When a slot is taken, each connection in it is either
/// past its deadline (the caller closes it) or filed again under its new deadline. Deadlines
/// further than the wheel's span are filed at its end and refiled when reached.
class keep_alive_wheel {
public:
    static constexpr std::uint64_t slot_ms = 100;
    static constexpr std::uint64_t span = 4096; // slots: about 7 minutes

    /// The slot that `now_ms` falls in: every slot up to it may be taken.
    static constexpr std::uint64_t slot_of(std::uint64_t now_ms) noexcept {
        return now_ms / slot_ms;
    }

    void file(std::uint64_t connection, std::uint64_t deadline_ms, std::uint64_t now_ms) {
        const auto now_slot = slot_of(now_ms);
        const auto due = (deadline_ms + slot_ms - 1) / slot_ms; // rounded up: never early
        const auto slot = std::min(std::max(due, now_slot + 1), now_slot + span - 1);
        slots_[slot % span].push_back(connection);
    }

    /// Takes the connections filed under `slot`.
    std::vector<std::uint64_t> take(std::uint64_t slot) {
        std::vector<std::uint64_t> due;
        due.swap(slots_[slot % span]);
        return due;
    }

private:
    std::array<std::vector<std::uint64_t>, span> slots_;
};

} // namespace fleetmq::broker::detail
