#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace fleetmq::bench {

/// What a benchmark message carries in its first 16 bytes: who sent it (a publisher or a
/// device index) and when (steady clock: sender and receiver are on this machine).
struct message_stamp {
    std::uint64_t publisher = 0;
    std::chrono::steady_clock::time_point sent;
};

inline constexpr std::size_t stamp_size = 16;

/// Writes the stamp over the first 16 bytes of `payload` (which has at least that many).
inline void write_stamp(std::string& payload, const message_stamp& s) {
    const auto ticks = static_cast<std::int64_t>(s.sent.time_since_epoch().count());
    std::memcpy(payload.data(), &s.publisher, 8);
    std::memcpy(payload.data() + 8, &ticks, 8);
}

inline std::optional<message_stamp> read_stamp(std::string_view payload) {
    if (payload.size() < stamp_size) {
        return std::nullopt;
    }
    message_stamp s;
    std::int64_t ticks = 0;
    std::memcpy(&s.publisher, payload.data(), 8);
    std::memcpy(&ticks, payload.data() + 8, 8);
    s.sent = std::chrono::steady_clock::time_point{std::chrono::steady_clock::duration{ticks}};
    return s;
}

inline std::int64_t micros_since(std::chrono::steady_clock::time_point sent,
                                 std::chrono::steady_clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count();
}

} // namespace fleetmq::bench
