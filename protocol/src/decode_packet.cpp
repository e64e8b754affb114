#include "fleetmq/protocol/decode.hpp"

#include "fleetmq/protocol/topic.hpp"
#include "packet_codec.hpp"
#include "properties_codec.hpp"

namespace fleetmq::protocol {
namespace {

using detail::byte_reader;
using detail::read_properties;

std::error_code finish(const byte_reader& reader) {
    return reader.empty() ? std::error_code{} : make_error_code(reason_code::malformed_packet);
}

/// A packet identifier, which must not be 0 [MQTT-2.2.1-3].
std::error_code read_packet_id(byte_reader& reader, std::uint16_t& id) {
    if (auto error = reader.u16(id)) {
        return error;
    }
    return id == 0 ? make_error_code(reason_code::protocol_error) : std::error_code{};
}

std::error_code read_reason_code(byte_reader& reader, packet_type type, reason_code& code) {
    std::uint8_t value = 0;
    if (auto error = reader.u8(value)) {
        return error;
    }
    code = static_cast<reason_code>(value);
    return is_allowed_in(code, type) ? std::error_code{}
                                     : make_error_code(reason_code::malformed_packet);
}

std::error_code decode_publish(const frame& f, byte_reader reader, protocol_version version,
                               publish& out) {
    const auto flags = f.flags();
    out.dup = (flags & 0x08) != 0;
    out.qos = static_cast<qos>((flags >> 1) & 0x03);
    out.retain = (flags & 0x01) != 0;
    // Checked below with the topic rules, which include UTF-8, in one pass.
    if (auto error = reader.binary(out.topic)) {
        return error;
    }
    if (out.qos != qos::at_most_once) {
        if (auto error = read_packet_id(reader, out.packet_id)) {
            return error;
        }
    }
    if (version == protocol_version::v5) {
        if (auto error = read_properties(reader, property_context::publish, out.properties)) {
            return error;
        }
    }
    if (out.topic.empty()) {
        // MQTT 5.0 lets a Topic Alias stand in for the name (section 3.3.2.1).
        if (version == protocol_version::v5 && out.properties.topic_alias) {
            out.payload = reader.rest();
            return {};
        }
        return version == protocol_version::v5 ? reason_code::protocol_error
                                               : reason_code::topic_name_invalid;
    }
    if (auto error = validate_topic_name(out.topic)) {
        return error;
    }
    out.payload = reader.rest();
    return {};
}

template <packet_type Type>
std::error_code decode_ack(byte_reader reader, protocol_version version, basic_ack<Type>& out) {
    if (auto error = read_packet_id(reader, out.packet_id)) {
        return error;
    }
    if (version == protocol_version::v5 && !reader.empty()) {
        // Reason code and properties may be left out when they are Success and none
        // (MQTT 5.0 section 3.4.2.1).
        if (auto error = read_reason_code(reader, Type, out.code)) {
            return error;
        }
        if (!reader.empty()) {
            constexpr auto context = static_cast<property_context>(
                static_cast<int>(property_context::puback) + static_cast<int>(Type) -
                static_cast<int>(packet_type::puback));
            if (auto error = read_properties(reader, context, out.properties)) {
                return error;
            }
        }
    }
    return finish(reader);
}

std::error_code decode_subscribe(byte_reader reader, protocol_version version, subscribe& out) {
    const bool v5 = version == protocol_version::v5;
    if (auto error = read_packet_id(reader, out.packet_id)) {
        return error;
    }
    if (v5) {
        if (auto error = read_properties(reader, property_context::subscribe, out.properties)) {
            return error;
        }
    }
    if (reader.empty()) {
        return reason_code::protocol_error; // [MQTT-3.8.3-2]
    }
    while (!reader.empty()) {
        subscription sub;
        std::uint8_t options = 0;
        if (auto error = reader.utf8(sub.filter)) {
            return error;
        }
        if (auto error = reader.u8(options)) {
            return error;
        }
        const std::uint8_t reserved_mask = v5 ? 0xC0 : 0xFC;
        if ((options & reserved_mask) != 0 || (options & 0x03) == 3) {
            return reason_code::malformed_packet; // [MQTT-3.8.3-5], QoS 3
        }
        sub.max_qos = static_cast<qos>(options & 0x03);
        if (v5) {
            sub.no_local = (options & 0x04) != 0;
            sub.retain_as_published = (options & 0x08) != 0;
            const auto handling = static_cast<std::uint8_t>((options >> 4) & 0x03);
            if (handling == 3) {
                return reason_code::protocol_error; // section 3.8.3.1
            }
            sub.retain_handling = static_cast<retain_handling>(handling);
            if (sub.no_local && split_shared_filter(sub.filter)) {
                return reason_code::protocol_error; // [MQTT-3.8.3-4]
            }
        }
        out.subscriptions.push_back(sub);
    }
    return {};
}

std::error_code decode_suback(byte_reader reader, protocol_version version, suback& out) {
    const bool v5 = version == protocol_version::v5;
    if (auto error = read_packet_id(reader, out.packet_id)) {
        return error;
    }
    if (v5) {
        if (auto error = read_properties(reader, property_context::suback, out.properties)) {
            return error;
        }
    }
    if (reader.empty()) {
        return reason_code::protocol_error; // one code per filter of a non-empty SUBSCRIBE
    }
    while (!reader.empty()) {
        reason_code code{};
        if (auto error = read_reason_code(reader, packet_type::suback, code)) {
            return error;
        }
        if (!v5 && static_cast<std::uint8_t>(code) > 0x02 &&
            code != reason_code::unspecified_error) {
            return reason_code::malformed_packet; // 3.1.1: 0x00, 0x01, 0x02 or 0x80
        }
        out.codes.push_back(code);
    }
    return {};
}

std::error_code decode_unsubscribe(byte_reader reader, protocol_version version, unsubscribe& out) {
    if (auto error = read_packet_id(reader, out.packet_id)) {
        return error;
    }
    if (version == protocol_version::v5) {
        if (auto error = read_properties(reader, property_context::unsubscribe, out.properties)) {
            return error;
        }
    }
    if (reader.empty()) {
        return reason_code::protocol_error; // [MQTT-3.10.3-2]
    }
    while (!reader.empty()) {
        if (auto error = reader.utf8(out.filters.emplace_back())) {
            return error;
        }
    }
    return {};
}

std::error_code decode_unsuback(byte_reader reader, protocol_version version, unsuback& out) {
    if (auto error = read_packet_id(reader, out.packet_id)) {
        return error;
    }
    if (version != protocol_version::v5) {
        return finish(reader);
    }
    if (auto error = read_properties(reader, property_context::unsuback, out.properties)) {
        return error;
    }
    if (reader.empty()) {
        return reason_code::protocol_error; // one code per filter of a non-empty UNSUBSCRIBE
    }
    while (!reader.empty()) {
        if (auto error =
                read_reason_code(reader, packet_type::unsuback, out.codes.emplace_back())) {
            return error;
        }
    }
    return {};
}

/// DISCONNECT and AUTH: an optional reason code, then optional properties (sections 3.14.2,
/// 3.15.2).
template <class Packet>
std::error_code decode_reason_and_properties(byte_reader reader, packet_type type,
                                             property_context context, Packet& out) {
    if (reader.empty()) {
        return {};
    }
    if (auto error = read_reason_code(reader, type, out.code)) {
        return error;
    }
    if (!reader.empty()) {
        if (auto error = read_properties(reader, context, out.properties)) {
            return error;
        }
    }
    return finish(reader);
}

std::error_code decode_auth(byte_reader reader, auth& out) {
    const bool has_body = !reader.empty();
    if (auto error =
            decode_reason_and_properties(reader, packet_type::auth, property_context::auth, out)) {
        return error;
    }
    // Section 3.15.2.2.2: an AUTH that says anything names its Authentication Method.
    if (has_body && !out.properties.authentication_method) {
        return reason_code::protocol_error;
    }
    return detail::check_authentication(out.properties);
}

} // namespace

std::error_code decode_packet(const frame& f, protocol_version version, packet& out) {
    const byte_reader reader{f.body};
    const bool v5 = version == protocol_version::v5;
    switch (f.type()) {
    case packet_type::connect:
        return detail::decode_connect(reader, out.emplace<connect>());
    case packet_type::connack:
        return detail::decode_connack(reader, version, out.emplace<connack>());
    case packet_type::publish:
        return decode_publish(f, reader, version, out.emplace<publish>());
    case packet_type::puback:
        return decode_ack(reader, version, out.emplace<puback>());
    case packet_type::pubrec:
        return decode_ack(reader, version, out.emplace<pubrec>());
    case packet_type::pubrel:
        return decode_ack(reader, version, out.emplace<pubrel>());
    case packet_type::pubcomp:
        return decode_ack(reader, version, out.emplace<pubcomp>());
    case packet_type::subscribe:
        return decode_subscribe(reader, version, out.emplace<subscribe>());
    case packet_type::suback:
        return decode_suback(reader, version, out.emplace<suback>());
    case packet_type::unsubscribe:
        return decode_unsubscribe(reader, version, out.emplace<unsubscribe>());
    case packet_type::unsuback:
        return decode_unsuback(reader, version, out.emplace<unsuback>());
    case packet_type::pingreq:
        out.emplace<pingreq>();
        return finish(reader);
    case packet_type::pingresp:
        out.emplace<pingresp>();
        return finish(reader);
    case packet_type::disconnect:
        if (!v5) {
            out.emplace<disconnect>();
            return finish(reader);
        }
        return decode_reason_and_properties(reader, packet_type::disconnect,
                                            property_context::disconnect,
                                            out.emplace<disconnect>());
    case packet_type::auth:
        if (!v5) {
            return reason_code::malformed_packet; // a reserved packet type in 3.1.1
        }
        return decode_auth(reader, out.emplace<auth>());
    }
    return reason_code::malformed_packet;
}

} // namespace fleetmq::protocol
