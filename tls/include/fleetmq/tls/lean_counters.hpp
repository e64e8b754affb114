#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fleetmq::tls {

/// The alerts a lean connection names in its counters (RFC 8446 section 6); any other
/// description counts as "other".
enum class lean_alert : std::uint8_t {
    close_notify,
    unexpected_message,
    bad_record_mac,
    record_overflow,
    decode_error,
    internal_error,
    other,
};
inline constexpr std::size_t lean_alert_count = 7;

lean_alert lean_alert_of(std::uint8_t description) noexcept;
std::string_view to_string(lean_alert a) noexcept;

/// What the lean record layers of one thread have done: a shard's thread, whose metrics read
/// them there (connections move between shards; the totals over all shards are what counts).
/// Kept per thread, not per connection, so that an idle connection carries no counters.
struct lean_counters {
    std::uint64_t key_updates_received = 0;
    std::uint64_t key_updates_sent = 0;
    std::array<std::uint64_t, lean_alert_count> alerts_received{};
    std::array<std::uint64_t, lean_alert_count> alerts_sent{};
};

/// This thread's counters.
lean_counters& this_thread_lean_counters() noexcept;

} // namespace fleetmq::tls
