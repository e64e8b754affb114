#include "fleetmq/protocol/topic.hpp"
#include "packet_codec.hpp"
#include "properties_codec.hpp"

namespace fleetmq::protocol {
namespace detail {

std::error_code check_authentication(const properties& props) {
    if (props.authentication_data && !props.authentication_method) {
        return reason_code::protocol_error;
    }
    return {};
}

namespace {

std::error_code read_protocol_level(byte_reader& reader, connect& out) {
    std::string_view name;
    if (auto error = reader.utf8(name)) {
        return error;
    }
    std::uint8_t level = 0;
    if (auto error = reader.u8(level)) {
        return error;
    }
    if (name == "MQIsdp") {
        // MQTT 3.1: answered as an unacceptable protocol version, which its clients understand.
        out.version = protocol_version::v3_1_1;
        return reason_code::unsupported_protocol_version;
    }
    if (name != "MQTT") {
        // [MQTT-3.1.2-1]: 5.0 may answer Unsupported Protocol Version; 3.1.1 (and anything
        // else) is closed, since it is not MQTT as this broker knows it.
        if (level == 5) {
            out.version = protocol_version::v5;
            return reason_code::unsupported_protocol_version;
        }
        out.version = protocol_version::v3_1_1;
        return reason_code::malformed_packet;
    }
    if (level != 4 && level != 5) {
        // Answer in 3.1.1 form, which every client can read [MQTT-3.1.2-2].
        out.version = protocol_version::v3_1_1;
        return reason_code::unsupported_protocol_version;
    }
    out.version = static_cast<protocol_version>(level);
    return {};
}

std::error_code read_will(byte_reader& reader, bool v5, will_message& will) {
    if (v5) {
        if (auto error = read_properties(reader, property_context::will, will.properties)) {
            return error;
        }
    }
    if (auto error = reader.utf8(will.topic)) {
        return error;
    }
    if (auto error = validate_topic_name(will.topic)) {
        return error;
    }
    return reader.binary(will.payload);
}

} // namespace

std::error_code decode_connect(byte_reader reader, connect& out) {
    if (auto error = read_protocol_level(reader, out)) {
        return error;
    }
    const bool v5 = out.version == protocol_version::v5;
    std::uint8_t flags = 0;
    if (auto error = reader.u8(flags)) {
        return error;
    }
    const bool has_username = (flags & 0x80) != 0;
    const bool has_password = (flags & 0x40) != 0;
    const bool will_retain = (flags & 0x20) != 0;
    const auto will_qos = static_cast<std::uint8_t>((flags >> 3) & 0x03);
    const bool has_will = (flags & 0x04) != 0;
    if ((flags & 0x01) != 0) {
        return reason_code::malformed_packet; // reserved flag [MQTT-3.1.2-3]
    }
    if (will_qos == 3 || (!has_will && (will_qos != 0 || will_retain))) {
        return reason_code::malformed_packet; // [MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-15]
    }
    if (!v5 && has_password && !has_username) {
        return reason_code::malformed_packet; // 3.1.1 [MQTT-3.1.2-22]
    }
    out.clean_start = (flags & 0x02) != 0;
    if (auto error = reader.u16(out.keep_alive)) {
        return error;
    }
    if (v5) {
        if (auto error = read_properties(reader, property_context::connect, out.properties)) {
            return error;
        }
        if (auto error = check_authentication(out.properties)) {
            return error;
        }
    }
    if (auto error = reader.utf8(out.client_id)) {
        return error;
    }
    if (has_will) {
        auto& will = out.will.emplace();
        will.qos = static_cast<qos>(will_qos);
        will.retain = will_retain;
        if (auto error = read_will(reader, v5, will)) {
            return error;
        }
    }
    if (has_username) {
        if (auto error = reader.utf8(out.username.emplace())) {
            return error;
        }
    }
    if (has_password) {
        if (auto error = reader.binary(out.password.emplace())) {
            return error;
        }
    }
    return reader.empty() ? std::error_code{} : make_error_code(reason_code::malformed_packet);
}

std::error_code decode_connack(byte_reader reader, protocol_version version, connack& out) {
    std::uint8_t flags = 0;
    std::uint8_t code = 0;
    if (auto error = reader.u8(flags)) {
        return error;
    }
    if (auto error = reader.u8(code)) {
        return error;
    }
    if ((flags & 0xFE) != 0) {
        return reason_code::malformed_packet; // [MQTT-3.2.2-1]
    }
    out.session_present = (flags & 0x01) != 0;
    if (version == protocol_version::v5) {
        out.code = static_cast<reason_code>(code);
        if (!is_allowed_in(out.code, packet_type::connack)) {
            return reason_code::malformed_packet;
        }
        if (auto error = read_properties(reader, property_context::connack, out.properties)) {
            return error;
        }
        if (auto error = check_authentication(out.properties)) {
            return error;
        }
    } else {
        const auto mapped = from_v3_return_code(code);
        if (!mapped) {
            return reason_code::malformed_packet;
        }
        out.code = *mapped;
    }
    if (out.session_present && is_failure(out.code)) {
        return reason_code::protocol_error; // [MQTT-3.2.2-6]
    }
    return reader.empty() ? std::error_code{} : make_error_code(reason_code::malformed_packet);
}

} // namespace detail

std::uint8_t to_v3_return_code(reason_code code) noexcept {
    switch (code) {
    case reason_code::success:
        return 0;
    case reason_code::unsupported_protocol_version:
        return 1;
    case reason_code::client_identifier_not_valid:
        return 2;
    case reason_code::bad_user_name_or_password:
        return 4;
    case reason_code::not_authorized:
    case reason_code::banned:
    case reason_code::bad_authentication_method:
        return 5;
    default:
        return 3;
    }
}

std::optional<reason_code> from_v3_return_code(std::uint8_t return_code) noexcept {
    switch (return_code) {
    case 0:
        return reason_code::success;
    case 1:
        return reason_code::unsupported_protocol_version;
    case 2:
        return reason_code::client_identifier_not_valid;
    case 3:
        return reason_code::server_unavailable;
    case 4:
        return reason_code::bad_user_name_or_password;
    case 5:
        return reason_code::not_authorized;
    default:
        return std::nullopt;
    }
}

} // namespace fleetmq::protocol
