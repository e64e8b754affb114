#pragma once

#include <cstddef>
#include <cstdint>

namespace fleetmq::broker::detail {

/// Bounds how many lines of one kind a shard logs per second, so that a storm of bad
/// certificates or denied topics cannot flood the log. Owned by one shard.
class log_limiter {
public:
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

private:
    std::size_t per_second_;
    std::uint64_t second_ = 0;
    std::size_t used_ = 0;
    std::size_t suppressed_ = 0;
};

} // namespace fleetmq::broker::detail
