#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace fleetmq::protocol::detail {

/// The largest value of a Variable Byte Integer (MQTT 5.0 section 1.5.5).
inline constexpr std::uint32_t max_varint = 268'435'455;

/// Writes MQTT's data representations. Constructed without memory it only counts, so that the
/// same code computes a packet's exact size and then writes it. The caller has checked that the
/// memory is large enough (by counting first). A value that cannot be represented (a string
/// over 65,535 bytes, an integer over `max_varint`) sets `failed()`.
class byte_writer {
public:
    byte_writer() noexcept = default;
    explicit byte_writer(std::uint8_t* out) noexcept : out_{out} {}

    std::size_t size() const noexcept { return size_; }
    bool failed() const noexcept { return failed_; }

    void u8(std::uint8_t value) noexcept {
        if (out_ != nullptr) {
            out_[size_] = value;
        }
        ++size_;
    }

    void u16(std::uint16_t value) noexcept {
        u8(static_cast<std::uint8_t>(value >> 8));
        u8(static_cast<std::uint8_t>(value));
    }

    void u32(std::uint32_t value) noexcept {
        u16(static_cast<std::uint16_t>(value >> 16));
        u16(static_cast<std::uint16_t>(value));
    }

    void varint(std::uint32_t value) noexcept {
        if (value > max_varint) {
            failed_ = true;
            return;
        }
        do {
            auto byte = static_cast<std::uint8_t>(value & 0x7F);
            value >>= 7;
            if (value != 0) {
                byte |= 0x80;
            }
            u8(byte);
        } while (value != 0);
    }

    void bytes(std::string_view value) noexcept {
        if (out_ != nullptr && !value.empty()) {
            std::memcpy(out_ + size_, value.data(), value.size());
        }
        size_ += value.size();
    }

    /// Binary Data or a UTF-8 Encoded String: a two-byte length, then the bytes.
    void string(std::string_view value) noexcept {
        if (value.size() > 0xFFFF) {
            failed_ = true;
            return;
        }
        u16(static_cast<std::uint16_t>(value.size()));
        bytes(value);
    }

private:
    std::uint8_t* out_ = nullptr;
    std::size_t size_ = 0;
    bool failed_ = false;
};

/// The number of bytes of `value` as a Variable Byte Integer.
constexpr std::size_t varint_size(std::uint32_t value) noexcept {
    return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

} // namespace fleetmq::protocol::detail
