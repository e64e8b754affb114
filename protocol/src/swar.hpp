#pragma once

#include <cstdint>
#include <cstring>

namespace fleetmq::protocol::detail {

// Eight bytes at a time ("SIMD within a register"): the text checks run on every PUBLISH topic,
// and almost every topic is plain ASCII that these tests clear a word at a time.

inline constexpr std::uint64_t swar_ones = 0x0101010101010101ull;
inline constexpr std::uint64_t swar_highs = 0x8080808080808080ull;

inline std::uint64_t load_word(const std::uint8_t* p) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);
    return word;
}

/// Non-zero if some byte of `word` is below `n` (n <= 128).
constexpr std::uint64_t has_byte_below(std::uint64_t word, std::uint8_t n) noexcept {
    return (word - swar_ones * n) & ~word & swar_highs;
}

/// Non-zero if some byte of `word` equals `byte`.
constexpr std::uint64_t has_byte(std::uint64_t word, std::uint8_t byte) noexcept {
    return has_byte_below(word ^ (swar_ones * byte), 1);
}

} // namespace fleetmq::protocol::detail
