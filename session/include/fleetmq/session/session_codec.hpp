#pragma once

// A session as bytes: what the store keeps, what the cluster moves to a client id's new node and
// what a live upgrade hands to the next process. Versioned (a reader refuses a version it does
// not know before it reads anything else) and bounded (a reader never allocates more than the
// input can hold, and every count has a maximum).
#include "fleetmq/session/session.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fleetmq::session {

/// The format written by `encode_session`; readers take this version only.
inline constexpr std::uint8_t session_format_version = 1;

/// One reading of the two clocks at the same moment. Deadlines and receive times are written
/// in wall-clock milliseconds, so that they keep their meaning after a restart; in memory they
/// are in the caller's monotonic milliseconds (the clock `session` and `message` are given).
struct clock_reading {
    std::uint64_t monotonic_ms = 0;
    std::int64_t wall_ms = 0;
};

/// What a reader accepts at most (the broker passes its configured limits, so that a session
/// read back fits the bounds a live one is held to).
struct decode_limits {
    std::size_t max_subscriptions = 1024;
    std::size_t max_waiting = 65536;
    std::size_t max_waiting_bytes = std::size_t{1} << 30;
    std::size_t max_inflight = 65535;
    std::size_t max_awaiting_release = 65535;
    std::size_t max_payload = 268435455; // MQTT's largest packet
    std::size_t max_user_properties = 1024;
};

/// Appends `s` to `out`.
void encode_session(const session& s, const clock_reading& now, std::vector<std::uint8_t>& out);

struct decoded_session {
    std::optional<session> value;
    /// Why it was refused (with the byte where it went wrong); empty when `value` is set.
    std::string error;
};

/// Reads one session from the whole of `in`; refuses a damaged, truncated, over-long or
/// inconsistent one (the result then holds no session and says why).
decoded_session decode_session(std::span<const std::uint8_t> in, const clock_reading& now,
                               const decode_limits& limits = {});

} // namespace fleetmq::session
