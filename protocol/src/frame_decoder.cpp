#include "fleetmq/protocol/frame_decoder.hpp"

#include "byte_writer.hpp"
#include "fleetmq/protocol/reason_code.hpp"

#include <algorithm>

namespace fleetmq::protocol {

std::size_t frame::wire_size() const noexcept {
    return 1 + detail::varint_size(static_cast<std::uint32_t>(body.size())) + body.size();
}

void frame_decoder::reset() noexcept {
    stage_ = stage::first_byte;
    length_bytes_ = 0;
    remaining_length_ = 0;
    std::vector<std::uint8_t>{}.swap(body_);
    error_ = {};
}

decode_step frame_decoder::fail(std::size_t consumed, std::error_code error) noexcept {
    stage_ = stage::failed;
    error_ = error;
    std::vector<std::uint8_t>{}.swap(body_);
    return {frame_status::failed, consumed, {}, error};
}

std::error_code frame_decoder::check_header() const noexcept {
    const auto flags = first_byte_ & 0x0F;
    switch (static_cast<packet_type>(first_byte_ >> 4)) {
    case packet_type::publish:
        // QoS 3 is malformed [MQTT-3.3.1-4]; so is DUP on a QoS 0 message [MQTT-3.3.1-2].
        if ((flags & 0x06) == 0x06 || (flags & 0x0E) == 0x08) {
            return reason_code::malformed_packet;
        }
        break;
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe:
        // [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]
        if (flags != 0x02) {
            return reason_code::malformed_packet;
        }
        break;
    case packet_type::connect:
    case packet_type::connack:
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubcomp:
    case packet_type::suback:
    case packet_type::unsuback:
    case packet_type::pingreq:
    case packet_type::pingresp:
    case packet_type::disconnect:
    case packet_type::auth:
        if (flags != 0) {
            return reason_code::malformed_packet;
        }
        break;
    default:
        return reason_code::malformed_packet; // type 0 is reserved [MQTT-2.1.3-1]
    }
    return {};
}

decode_step frame_decoder::feed(std::span<const std::uint8_t> input) {
    if (stage_ == stage::failed) {
        return {frame_status::failed, 0, {}, error_};
    }
    if (stage_ == stage::first_byte && !body_.empty()) {
        // The frame returned by the previous step was gathered here; the caller is done with it.
        std::vector<std::uint8_t>{}.swap(body_);
    }
    std::size_t used = 0;
    if (stage_ == stage::first_byte) {
        if (input.empty()) {
            return {};
        }
        first_byte_ = input[used++];
        if (auto error = check_header()) {
            return fail(used, error);
        }
        stage_ = stage::length;
        length_bytes_ = 0;
        remaining_length_ = 0;
    }
    while (stage_ == stage::length) {
        if (used == input.size()) {
            return {frame_status::need_more, used, {}, {}};
        }
        const std::uint8_t byte = input[used++];
        remaining_length_ |= std::uint32_t{byte & 0x7Fu} << (7 * length_bytes_);
        ++length_bytes_;
        if ((byte & 0x80) == 0) {
            if (length_bytes_ > 1 && byte == 0) {
                return fail(used, reason_code::malformed_packet); // not in its shortest form
            }
            const std::uint64_t total = 1u + length_bytes_ + std::uint64_t{remaining_length_};
            if (total > maximum_packet_size_) {
                return fail(used, reason_code::packet_too_large);
            }
            stage_ = stage::body;
        } else if (length_bytes_ == 4) {
            return fail(used, reason_code::malformed_packet); // [MQTT-1.5.5]: at most 4 bytes
        }
    }
    // stage_ == stage::body
    const auto rest = input.subspan(used);
    if (body_.empty() && rest.size() >= remaining_length_) {
        stage_ = stage::first_byte;
        used += remaining_length_;
        return {frame_status::complete, used, {first_byte_, rest.first(remaining_length_)}, {}};
    }
    const std::size_t wanted = remaining_length_ - body_.size();
    const std::size_t take = std::min(wanted, rest.size());
    body_.insert(body_.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(take));
    used += take;
    if (body_.size() < remaining_length_) {
        return {frame_status::need_more, used, {}, {}};
    }
    stage_ = stage::first_byte;
    return {frame_status::complete, used, {first_byte_, body_}, {}};
}

} // namespace fleetmq::protocol
