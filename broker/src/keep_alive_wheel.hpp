#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace fleetmq::broker::detail {

/// Keep-alive deadlines of one shard in one-second buckets, not a timer per connection. A
/// connection is filed under the second its deadline falls in; activity only moves the
/// connection's own deadline. When a bucket's second comes, each connection in it is either
/// past its deadline (the caller closes it) or filed again under its new deadline. Deadlines
/// further than the wheel's span are filed at its end and refiled when reached.
class keep_alive_wheel {
public:
    static constexpr std::uint64_t span = 1024; // seconds

    void file(std::uint64_t connection, std::uint64_t deadline_second, std::uint64_t now_second) {
        const auto second =
            std::min(std::max(deadline_second, now_second + 1), now_second + span - 1);
        buckets_[second % span].push_back(connection);
    }

    /// Takes the connections filed under `second`.
    std::vector<std::uint64_t> take(std::uint64_t second) {
        std::vector<std::uint64_t> due;
        due.swap(buckets_[second % span]);
        return due;
    }

private:
    std::array<std::vector<std::uint64_t>, span> buckets_;
};

} // namespace fleetmq::broker::detail
