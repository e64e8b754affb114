#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

namespace fleetmq::bench {

/// Latencies in microseconds in log-linear buckets: each power of two is split into 64 equal
/// sub-buckets, so any recorded value is reported within 1/64 (1.6 %) of itself, from 1 µs to
/// over an hour, in 2 KiB of counters whatever the number of samples.
class latency_histogram {
public:
    static constexpr unsigned sub_bits = 6; // 64 sub-buckets per power of two

    void record(std::uint64_t micros) noexcept {
        ++counts_[index_of(micros)];
        ++count_;
        max_ = std::max(max_, micros);
    }
    void merge(const latency_histogram& other) noexcept {
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            counts_[i] += other.counts_[i];
        }
        count_ += other.count_;
        max_ = std::max(max_, other.max_);
    }
    std::uint64_t count() const noexcept { return count_; }

    /// "max index:count index:count ...": the histogram as text, to pass between processes.
    std::string to_text() const {
        std::string out = std::to_string(max_);
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            if (counts_[i] != 0) {
                out += ' ' + std::to_string(i) + ':' + std::to_string(counts_[i]);
            }
        }
        return out;
    }
    /// The histogram that to_text() wrote; nullopt when the text is not one.
    static std::optional<latency_histogram> from_text(const std::string& text) {
        latency_histogram h;
        std::istringstream in{text};
        if (!(in >> h.max_)) {
            return std::nullopt;
        }
        std::string pair;
        while (in >> pair) {
            const auto colon = pair.find(':');
            if (colon == std::string::npos) {
                return std::nullopt;
            }
            const auto index = std::stoull(pair.substr(0, colon));
            const auto n = std::stoull(pair.substr(colon + 1));
            if (index >= h.counts_.size()) {
                return std::nullopt;
            }
            h.counts_[index] += n;
            h.count_ += n;
        }
        return h;
    }
    std::uint64_t max() const noexcept { return max_; }

    /// The value at quantile `q` (0..1): the upper end of the bucket that holds it, capped at
    /// the maximum recorded. 0 when empty.
    std::uint64_t quantile(double q) const noexcept {
        if (count_ == 0) {
            return 0;
        }
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= rank) {
                return std::min(upper_of(i), max_);
            }
        }
        return max_;
    }

private:
    static constexpr std::size_t ranges = 33; // values up to 2^38 µs
    static std::size_t index_of(std::uint64_t v) noexcept {
        if (v < (1u << sub_bits)) {
            return static_cast<std::size_t>(v); // exact below 64 µs
        }
        const auto top = static_cast<unsigned>(std::bit_width(v)) - 1; // >= sub_bits
        const auto range = std::min<unsigned>(top - sub_bits + 1, ranges - 1);
        const auto shift = range - 1;
        const auto sub = static_cast<std::size_t>((v >> shift) & ((1u << sub_bits) - 1));
        return range * (1u << sub_bits) + sub;
    }
    static std::uint64_t upper_of(std::size_t i) noexcept {
        const auto range = i >> sub_bits;
        const auto sub = i & ((1u << sub_bits) - 1);
        if (range == 0) {
            return sub;
        }
        const auto shift = range - 1;
        return (((std::uint64_t{1} << sub_bits) | sub) << shift) +
               ((std::uint64_t{1} << shift) - 1);
    }

    std::array<std::uint64_t, ranges << sub_bits> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

} // namespace fleetmq::bench
