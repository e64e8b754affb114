#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

namespace fleetmq::bench {

/// The bytes of message `index` in one direction of a bulk transfer: its index (8 bytes, little
/// endian), then a pseudo-random stream seeded by direction and index. The receiver makes the
/// same bytes again and compares, so that every byte is checked without keeping what was sent,
/// and a message that arrives in the wrong place (duplicated, reordered, swapped between
/// directions) fails the comparison too.
class bulk_pattern {
public:
    static constexpr std::size_t index_bytes = 8;

    static void fill(std::uint8_t direction, std::uint64_t index, std::span<std::uint8_t> out) {
        std::uint8_t head[index_bytes];
        for (std::size_t i = 0; i < index_bytes; ++i) {
            head[i] = static_cast<std::uint8_t>(index >> (8 * i));
        }
        const auto n = std::min(out.size(), index_bytes);
        std::memcpy(out.data(), head, n);
        std::uint64_t state = seed(direction, index);
        for (std::size_t at = n; at < out.size(); at += 8) {
            const std::uint64_t word = next(state);
            const auto take = std::min<std::size_t>(8, out.size() - at);
            for (std::size_t b = 0; b < take; ++b) {
                out[at + b] = static_cast<std::uint8_t>(word >> (8 * b));
            }
        }
    }

    /// The index a payload says it has (0 for one shorter than the index).
    static std::uint64_t index_of(std::span<const std::uint8_t> payload) {
        std::uint64_t index = 0;
        if (payload.size() >= index_bytes) {
            for (std::size_t i = 0; i < index_bytes; ++i) {
                index |= std::uint64_t{payload[i]} << (8 * i);
            }
        }
        return index;
    }

private:
    static std::uint64_t seed(std::uint8_t direction, std::uint64_t index) {
        return (std::uint64_t{direction} << 56) ^ (index * 0x9E3779B97F4A7C15ULL);
    }
    /// splitmix64: fast, and every seed gives a different stream.
    static std::uint64_t next(std::uint64_t& state) {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};

} // namespace fleetmq::bench
