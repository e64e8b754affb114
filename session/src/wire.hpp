#pragma once

// Big-endian fields for the session's serialization: a writer that appends, and a reader that
// never reads past its input and remembers the first thing that was wrong (and where).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fleetmq::session::wire {

class writer {
public:
    explicit writer(std::vector<std::uint8_t>& out) : out_{out} {}

    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) { number(v, 2); }
    void u32(std::uint32_t v) { number(v, 4); }
    void i64(std::int64_t v) { number(static_cast<std::uint64_t>(v), 8); }
    /// A string of at most 65,535 bytes (the caller's bound: MQTT strings are no longer).
    void str16(std::string_view s) {
        u16(static_cast<std::uint16_t>(s.size()));
        bytes(s);
    }
    void str32(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        bytes(s);
    }

private:
    void number(std::uint64_t v, int width) {
        for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
            out_.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    }
    void bytes(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }

    std::vector<std::uint8_t>& out_;
};

class reader {
public:
    explicit reader(std::span<const std::uint8_t> in) : in_{in} {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(number(1, "a byte")); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(number(2, "a 16-bit field")); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(number(4, "a 32-bit field")); }
    std::int64_t i64() { return static_cast<std::int64_t>(number(8, "a 64-bit field")); }
    /// A view into the input (empty after an error).
    std::string_view str16() { return bytes(u16()); }
    std::string_view str32() { return bytes(u32()); }

    /// A count of elements each at least `min_size` bytes long, refused when the input cannot
    /// hold that many or when it is over `max`: a hostile count never sizes an allocation.
    std::uint32_t count(std::size_t min_size, std::size_t max, const char* what) {
        const auto n = u32();
        if (ok() && (n > max || n > remaining() / min_size)) {
            fail(std::string{"too many "} + what);
            return 0;
        }
        return ok() ? n : 0;
    }

    void fail(std::string what) {
        if (error_.empty()) {
            error_ = what + " at byte " + std::to_string(at_);
        }
    }
    bool ok() const noexcept { return error_.empty(); }
    const std::string& error() const noexcept { return error_; }
    std::size_t remaining() const noexcept { return in_.size() - at_; }

private:
    std::uint64_t number(std::size_t width, const char* what) {
        if (!ok() || remaining() < width) {
            fail(std::string{"truncated: "} + what + " expected");
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < width; ++i) {
            v = (v << 8) | in_[at_ + i];
        }
        at_ += width;
        return v;
    }
    std::string_view bytes(std::size_t n) {
        if (!ok() || remaining() < n) {
            fail("truncated: a string expected");
            return {};
        }
        const std::string_view s{reinterpret_cast<const char*>(in_.data() + at_), n};
        at_ += n;
        return s;
    }

    std::span<const std::uint8_t> in_;
    std::size_t at_ = 0;
    std::string error_;
};

} // namespace fleetmq::session::wire
