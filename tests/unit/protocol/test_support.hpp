#pragma once

#include "fleetmq/protocol/decode.hpp"
#include "fleetmq/protocol/encode.hpp"
#include "fleetmq/protocol/frame_decoder.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fleetmq::protocol::test {

using bytes = std::vector<std::uint8_t>;

/// Bytes from hex digits; spaces are ignored ("30 0a 00 03").
inline bytes hex(std::string_view text) {
    bytes out;
    int high = -1;
    for (char c : text) {
        if (c == ' ') {
            continue;
        }
        int v = 0;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            throw std::invalid_argument("not a hex digit");
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) {
        throw std::invalid_argument("odd number of hex digits");
    }
    return out;
}

/// The bytes of a string, for building packets: str("MQTT").
inline bytes str(std::string_view text) {
    return {text.begin(), text.end()};
}

inline bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

/// A decoded packet with the bytes its views point into, which it keeps alive (on the heap, so
/// that moving the result does not move them).
struct decoded {
    std::shared_ptr<const bytes> wire;
    std::error_code error;
    packet value;
};

/// Decodes exactly one packet that `wire` holds whole. A frame error or leftover bytes fail the
/// calling test through the returned error.
inline decoded decode_one(bytes wire_bytes, protocol_version version,
                          std::uint32_t maximum = max_packet_size_limit) {
    decoded result;
    result.wire = std::make_shared<const bytes>(std::move(wire_bytes));
    const auto& wire = *result.wire;
    frame_decoder decoder{maximum};
    const auto step = decoder.feed(wire);
    if (step.status == frame_status::failed) {
        result.error = step.error;
        return result;
    }
    if (step.status != frame_status::complete || step.consumed != wire.size()) {
        throw std::runtime_error("the bytes are not exactly one frame");
    }
    result.error = decode_packet(step.frame, version, result.value);
    return result;
}

/// Encodes a packet that must encode.
inline bytes encode_ok(const packet& p, protocol_version version) {
    bytes out;
    const auto result = encode(p, version, out);
    if (result.error) {
        throw std::runtime_error("encode failed: " + result.error.message());
    }
    return out;
}

} // namespace fleetmq::protocol::test
