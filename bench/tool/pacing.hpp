#pragma once

#include <algorithm>
#include <cstdint>

namespace fleetmq::bench {

/// How many more a sender may send now. Open loop (`rate_each` > 0): what its rate has made due
/// by `elapsed` seconds, minus what it sent. Closed loop: what keeps `window` on their way, given
/// `done` sent and `answered` of them back. At most `burst`, so that one tick stays short.
inline std::uint64_t allowance(double rate_each, double elapsed, std::uint64_t done,
                               std::uint64_t answered, std::uint64_t window, std::uint64_t burst) {
    std::uint64_t allowed = 0;
    if (rate_each > 0) {
        const auto due = static_cast<std::uint64_t>(rate_each * elapsed);
        allowed = due > done ? due - done : 0;
    } else {
        const auto outstanding = done - std::min(done, answered);
        allowed = window > outstanding ? window - outstanding : 0;
    }
    return std::min(allowed, burst);
}

} // namespace fleetmq::bench
