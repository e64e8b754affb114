#include "fleetmq/tls/record_buffer_pool.hpp"

#include <vector>

namespace fleetmq::tls {
namespace {

/// Enough for the connections of one thread that are busy at the same moment; beyond it, blocks
/// go back to the allocator (32 x 33 KiB: about 1 MiB per shard at most).
constexpr std::size_t kept_per_thread = 32;

std::vector<record_buffer>& pool() noexcept {
    thread_local std::vector<record_buffer> blocks;
    return blocks;
}

} // namespace

record_buffer acquire_record_buffer() {
    auto& blocks = pool();
    if (blocks.empty()) {
        return std::make_unique_for_overwrite<std::uint8_t[]>(record_buffer_size);
    }
    auto block = std::move(blocks.back());
    blocks.pop_back();
    return block;
}

void release_record_buffer(record_buffer& buffer) noexcept {
    if (!buffer) {
        return;
    }
    auto& blocks = pool();
    if (blocks.size() < kept_per_thread) {
        try {
            blocks.push_back(std::move(buffer));
            return;
        } catch (...) {
            // No room to keep it: freed below.
        }
    }
    buffer.reset();
}

std::size_t pooled_record_buffers() noexcept {
    return pool().size();
}

} // namespace fleetmq::tls
