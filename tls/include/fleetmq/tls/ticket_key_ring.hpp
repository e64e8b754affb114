#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace fleetmq::tls {

/// The keys that encrypt and authenticate session tickets, held in memory only and rotated on a
/// schedule: the newest key issues tickets, the one before it still opens them, older ones are
/// forgotten (so a stolen key is useful for two rotation periods at most).
///
/// One ring serves every shard of a listener and outlives configuration reloads, so a device
/// resumes whichever shard it lands on. Thread-safe.
class ticket_key_ring {
public:
    struct key {
        std::array<std::uint8_t, 16> name{};
        std::array<std::uint8_t, 32> aes_key{};
        std::array<std::uint8_t, 32> hmac_key{};
    };

    using clock = std::chrono::steady_clock;

    /// Keys rotate every `rotation_interval`.
    explicit ticket_key_ring(std::chrono::seconds rotation_interval);

    /// The key to issue a ticket with now (rotating first if it is due).
    key current();

    /// The key named `name` if it still may open tickets, and whether it is the current one
    /// (a ticket under the previous key is renewed).
    std::optional<std::pair<key, bool>> find(const std::array<std::uint8_t, 16>& name);

    /// Rotates now.
    void rotate();

private:
    void rotate_if_due(clock::time_point now);
    static key make_key();

    std::mutex mutex_;
    std::chrono::seconds interval_;
    clock::time_point rotated_at_;
    key current_;
    std::optional<key> previous_;
};

} // namespace fleetmq::tls
