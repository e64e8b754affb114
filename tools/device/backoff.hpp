#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace fleetmq::tools {

/// Exponential backoff with full jitter: the n-th wait is uniform in [0, min(max, base * 2^n)].
/// Full jitter spreads a fleet that lost its broker at the same instant over the whole window,
/// instead of bringing it back in waves.
class reconnect_backoff {
public:
    reconnect_backoff(std::chrono::milliseconds base, std::chrono::milliseconds most,
                      std::uint64_t seed = std::random_device{}())
        : base_{base}, most_{most}, random_{seed} {}

    /// The ceiling of the next wait (before jitter).
    std::chrono::milliseconds ceiling() const noexcept {
        auto c = base_;
        for (int i = 0; i < attempt_ && c < most_; ++i) {
            c *= 2;
        }
        return std::min(c, most_);
    }

    /// The next wait, and one more attempt counted.
    std::chrono::milliseconds next() {
        const auto c = ceiling();
        ++attempt_;
        std::uniform_int_distribution<std::int64_t> pick{0, c.count()};
        return std::chrono::milliseconds{pick(random_)};
    }

    /// A connection that worked: the next failure starts from the base again.
    void reset() noexcept { attempt_ = 0; }
    int attempts() const noexcept { return attempt_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds most_;
    int attempt_ = 0;
    std::mt19937_64 random_;
};

} // namespace fleetmq::tools
