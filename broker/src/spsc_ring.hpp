#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>

namespace fleetmq::broker::detail {

/// A bounded single-producer single-consumer queue: one shard pushes, one shard pops, no lock.
/// Capacity is a power of two.
template <class T>
class spsc_ring {
public:
    explicit spsc_ring(std::size_t capacity)
        : slots_{std::make_unique<std::optional<T>[]>(capacity)}, mask_{capacity - 1} {}

    /// False when full; the value is left untouched then.
    bool push(T& value) {
        const auto tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_.load(std::memory_order_acquire) > mask_) {
            return false;
        }
        slots_[tail & mask_].emplace(std::move(value));
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    bool pop(T& out) {
        const auto head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire)) {
            return false;
        }
        auto& slot = slots_[head & mask_];
        out = std::move(*slot);
        slot.reset();
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    std::size_t size() const noexcept {
        return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
    }

private:
    std::unique_ptr<std::optional<T>[]> slots_;
    std::size_t mask_;
    alignas(64) std::atomic<std::size_t> head_{0};
    alignas(64) std::atomic<std::size_t> tail_{0};
};

} // namespace fleetmq::broker::detail
