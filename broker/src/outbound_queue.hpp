#pragma once

#include "message.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace fleetmq::broker::detail {

/// Bytes of its own, or bytes shared by every receiver of a message (QoS 0).
struct out_chunk {
    std::vector<std::uint8_t> own;
    shared_bytes shared;

    std::span<const std::uint8_t> bytes() const noexcept {
        return shared ? std::span<const std::uint8_t>{*shared} : std::span<const std::uint8_t>{own};
    }
};

/// A connection's packets waiting for the socket, first in first out. Empty, it holds no memory
/// at all (a std::deque keeps a map and a 512-byte node even then): most of a fleet's
/// connections are idle, and each byte they hold counts millions of times.
class outbound_queue {
public:
    bool empty() const noexcept { return head_ == chunks_.size(); }
    std::size_t size() const noexcept { return chunks_.size() - head_; }
    const out_chunk& front() const noexcept { return chunks_[head_]; }
    const out_chunk& operator[](std::size_t i) const noexcept { return chunks_[head_ + i]; }

    void push_back(out_chunk chunk) { chunks_.push_back(std::move(chunk)); }
    void pop_front() {
        chunks_[head_] = {}; // its bytes go now, not when the queue empties
        if (++head_ == chunks_.size()) {
            clear();
        }
    }
    void clear() noexcept {
        std::vector<out_chunk>{}.swap(chunks_);
        head_ = 0;
    }

private:
    std::vector<out_chunk> chunks_;
    std::size_t head_ = 0;
};

} // namespace fleetmq::broker::detail
