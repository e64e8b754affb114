#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fleetmq::broker::detail {

/// Bounds how many lines of one kind a shard logs per second, so that a storm of bad
/// certificates or denied topics cannot flood the log. Owned by one shard.
class log_limiter {
public:
    log_limiter() = default;
    explicit log_limiter(std::size_t per_second) : per_second_{per_second} {}

    /// True if a line may be logged in `second`. `suppressed` is set to how many lines were
    /// held back in earlier seconds since the last line logged (to say so once).
    bool allow(std::uint64_t second, std::size_t& suppressed) {
        if (second != second_) {
            second_ = second;
            used_ = 0;
        }
        if (used_ >= per_second_) {
            ++suppressed_;
            return false;
        }
        ++used_;
        suppressed = suppressed_;
        suppressed_ = 0;
        return true;
    }

    /// Lines held back in seconds before `second` that no later line has reported (the storm
    /// ended): returned once, to be logged on their own.
    std::size_t take_unreported(std::uint64_t second) {
        if (second_ >= second) {
            return 0;
        }
        const auto n = suppressed_;
        suppressed_ = 0;
        return n;
    }

private:
    std::size_t per_second_ = 0;
    std::uint64_t second_ = 0;
    std::size_t used_ = 0;
    std::size_t suppressed_ = 0;
};

/// What a rate-limited line is about: each kind has its own limit and its own count of
/// suppressed lines, so that a flood of one never silences, or is reported on, another.
enum class log_kind : std::uint8_t {
    tls_handshake,
    connect_refused,
    acl_denied,
    accept_failed,
    max_connections,
    mailbox_full,
    retained_full,
    count_
};

constexpr std::string_view to_string(log_kind kind) noexcept {
    constexpr std::array<std::string_view, static_cast<std::size_t>(log_kind::count_)> names{
        "tls handshake failed",
        "connect refused",
        "acl denied",
        "accept failed",
        "max_connections reached",
        "QoS 0 message dropped (mailbox)",
        "retained message not stored"};
    return names[static_cast<std::size_t>(kind)];
}

/// One limiter per kind.
class log_limiters {
public:
    explicit log_limiters(std::size_t per_second) {
        for (std::size_t i = 0; i < count; ++i) {
            limiters_[i] = log_limiter{per_second};
        }
    }

    bool allow(log_kind kind, std::uint64_t second, std::size_t& suppressed) {
        return at(kind).allow(second, suppressed);
    }

    /// Calls `report(kind, n)` for every kind with lines held back before `second` and not
    /// reported since.
    template <class Report>
    void report_unreported(std::uint64_t second, Report report) {
        for (std::size_t i = 0; i < count; ++i) {
            if (const auto n = limiters_[i].take_unreported(second)) {
                report(static_cast<log_kind>(i), n);
            }
        }
    }

private:
    static constexpr std::size_t count = static_cast<std::size_t>(log_kind::count_);
    log_limiter& at(log_kind kind) { return limiters_[static_cast<std::size_t>(kind)]; }
    std::array<log_limiter, count> limiters_{};
};

/// " (N similar lines suppressed)" when the log limiter held lines back, else nothing.
inline std::string suppressed_note(std::size_t suppressed) {
    return suppressed == 0 ? std::string{}
                           : " (" + std::to_string(suppressed) + " similar lines suppressed)";
}

} // namespace fleetmq::broker::detail
