#pragma once

#include "fleetmq/protocol/reason_code.hpp"
#include "fleetmq/protocol/utf8.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

namespace fleetmq::protocol::detail {

/// Reads MQTT's data representations (section 1.5) from a bounded span. Every read that would
/// pass the end reports Malformed Packet and reads nothing. Strings are returned as views.
class byte_reader {
public:
    explicit byte_reader(std::span<const std::uint8_t> bytes) noexcept
        : p_{bytes.data()}, end_{bytes.data() + bytes.size()} {}

    std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
    bool empty() const noexcept { return p_ == end_; }

    std::error_code u8(std::uint8_t& value) noexcept {
        if (remaining() < 1) {
            return reason_code::malformed_packet;
        }
        value = *p_++;
        return {};
    }

    std::error_code u16(std::uint16_t& value) noexcept {
        if (remaining() < 2) {
            return reason_code::malformed_packet;
        }
        value = static_cast<std::uint16_t>((p_[0] << 8) | p_[1]);
        p_ += 2;
        return {};
    }

    std::error_code u32(std::uint32_t& value) noexcept {
        if (remaining() < 4) {
            return reason_code::malformed_packet;
        }
        value = (std::uint32_t{p_[0]} << 24) | (std::uint32_t{p_[1]} << 16) |
                (std::uint32_t{p_[2]} << 8) | std::uint32_t{p_[3]};
        p_ += 4;
        return {};
    }

    /// A Variable Byte Integer of at most four bytes in its shortest form [MQTT-1.5.5-1].
    std::error_code varint(std::uint32_t& value) noexcept {
        std::uint32_t result = 0;
        for (int i = 0; i < 4; ++i) {
            if (p_ == end_) {
                return reason_code::malformed_packet;
            }
            const std::uint8_t byte = *p_++;
            result |= std::uint32_t{byte & 0x7Fu} << (7 * i);
            if ((byte & 0x80) == 0) {
                if (i > 0 && byte == 0) {
                    return reason_code::malformed_packet; // not the minimum number of bytes
                }
                value = result;
                return {};
            }
        }
        return reason_code::malformed_packet;
    }

    /// `count` raw bytes.
    std::error_code bytes(std::size_t count, std::string_view& value) noexcept {
        if (remaining() < count) {
            return reason_code::malformed_packet;
        }
        value = {reinterpret_cast<const char*>(p_), count};
        p_ += count;
        return {};
    }

    /// Binary Data: a two-byte length and that many bytes.
    std::error_code binary(std::string_view& value) noexcept {
        std::uint16_t length = 0;
        if (auto error = u16(length)) {
            return error;
        }
        return bytes(length, value);
    }

    /// A UTF-8 Encoded String: Binary Data that must be well-formed UTF-8 without U+0000.
    std::error_code utf8(std::string_view& value) noexcept {
        if (auto error = binary(value)) {
            return error;
        }
        if (check_utf8(value) == utf8_verdict::malformed) {
            return reason_code::malformed_packet;
        }
        return {};
    }

    /// The rest of the input, consumed.
    std::string_view rest() noexcept {
        std::string_view value{reinterpret_cast<const char*>(p_), remaining()};
        p_ = end_;
        return value;
    }

    /// A reader over the next `count` bytes, which this reader skips.
    std::error_code take(std::size_t count, byte_reader& part) noexcept {
        if (remaining() < count) {
            return reason_code::malformed_packet;
        }
        part = byte_reader{{p_, count}};
        p_ += count;
        return {};
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

} // namespace fleetmq::protocol::detail
