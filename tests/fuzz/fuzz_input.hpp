#pragma once

#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/protocol_version.hpp"

#include <cstdint>
#include <span>

namespace fleetmq::protocol::fuzz {

/// How the fuzzer reads an input: a first byte that picks the protocol version (bit 0), the
/// decoder's limit (bit 1: 64 KiB or the protocol's own) and the size of the pieces the stream
/// is fed in (bits 2-7, 0 meaning all at once); the rest is the byte stream.
struct input {
    protocol_version version = protocol_version::v5;
    std::uint32_t maximum_packet_size = max_packet_size_limit;
    std::size_t piece_size = 0;
    std::span<const std::uint8_t> stream;

    static input parse(std::span<const std::uint8_t> data) {
        input in;
        if (data.empty()) {
            return in;
        }
        const auto control = data[0];
        in.version = (control & 1) != 0 ? protocol_version::v5 : protocol_version::v3_1_1;
        in.maximum_packet_size = (control & 2) != 0 ? 65536 : max_packet_size_limit;
        in.piece_size = control >> 2;
        in.stream = data.subspan(1);
        return in;
    }

    static std::uint8_t control_byte(protocol_version version, std::size_t piece_size) {
        return static_cast<std::uint8_t>((version == protocol_version::v5 ? 1 : 0) |
                                         ((piece_size & 0x3F) << 2));
    }
};

} // namespace fleetmq::protocol::fuzz
