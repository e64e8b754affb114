#pragma once

#include "fleetmq/protocol/packet_type.hpp"

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace fleetmq::protocol {

/// The largest packet MQTT can express: a 5-byte fixed header and a Remaining Length of
/// 268,435,455 bytes.
inline constexpr std::uint32_t max_packet_size_limit = 268'435'460;

/// One control packet's frame: the first byte of the fixed header and the variable header and
/// payload that followed the Remaining Length.
struct frame {
    std::uint8_t first_byte = 0;
    std::span<const std::uint8_t> body;

    packet_type type() const noexcept { return static_cast<packet_type>(first_byte >> 4); }
    std::uint8_t flags() const noexcept { return first_byte & 0x0F; }
    /// The whole packet's size on the wire, fixed header included.
    std::size_t wire_size() const noexcept;
};

enum class frame_status {
    /// A frame is complete; it is in `decode_step::frame`.
    complete,
    /// All input was consumed and the frame is not complete yet.
    need_more,
    /// The stream is invalid; `decode_step::error` says why. The decoder stays failed.
    failed,
};

struct decode_step {
    frame_status status = frame_status::need_more;
    /// Bytes of the input consumed by this step.
    std::size_t consumed = 0;
    protocol::frame frame;
    std::error_code error;
};

/// Splits a byte stream into MQTT frames, fed in any split (byte by byte included).
///
/// The fixed header is checked as soon as it is read, before any byte of the body is buffered:
/// a packet type of 0, flag bits the packet type does not allow (section 2.1.3), a Remaining
/// Length longer than four bytes or not in its shortest form are Malformed Packet; a packet
/// larger than the current maximum is Packet too large. The maximum is a state: a server keeps it
/// small until CONNECT is accepted, then sets what it announced.
///
/// A frame that arrives whole in one input is returned as a view into that input (no copy). A
/// frame split across inputs is gathered in a buffer that grows with the bytes received, never by
/// the length the peer declared, and is released when the next step starts. Either way the
/// frame's body is valid until the next call to `feed` or `reset` and as long as the input is.
///
/// Not thread-safe: one decoder per connection.
class frame_decoder {
public:
    explicit frame_decoder(std::uint32_t maximum_packet_size = max_packet_size_limit) noexcept
        : maximum_packet_size_{maximum_packet_size} {}

    /// Consumes bytes of `input` until one frame completes, the input is exhausted, or the
    /// stream is found invalid.
    decode_step feed(std::span<const std::uint8_t> input);

    /// Sets the largest packet (fixed header included) accepted from now on.
    void set_maximum_packet_size(std::uint32_t maximum_packet_size) noexcept {
        maximum_packet_size_ = maximum_packet_size;
    }
    std::uint32_t maximum_packet_size() const noexcept { return maximum_packet_size_; }

    /// Bytes held for a frame split across inputs.
    std::size_t buffered_bytes() const noexcept { return body_.capacity(); }

    /// True between frames: no part of a frame has been read since the last one completed.
    bool idle() const noexcept { return stage_ == stage::first_byte; }

    /// Forgets any partial frame and any failure.
    void reset() noexcept;

private:
    enum class stage : std::uint8_t { first_byte, length, body, failed };

    decode_step fail(std::size_t consumed, std::error_code error) noexcept;
    std::error_code check_header() const noexcept;

    std::uint32_t maximum_packet_size_;
    stage stage_ = stage::first_byte;
    std::uint8_t first_byte_ = 0;
    std::uint8_t length_bytes_ = 0;
    std::uint32_t remaining_length_ = 0;
    std::vector<std::uint8_t> body_;
    std::error_code error_;
};

} // namespace fleetmq::protocol
