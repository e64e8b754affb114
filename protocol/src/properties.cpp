#include "fleetmq/protocol/properties.hpp"

#include "fleetmq/protocol/topic.hpp"
#include "properties_codec.hpp"

#include <array>

namespace fleetmq::protocol {
namespace {

enum class wire_type : std::uint8_t { none, byte, two_byte, four_byte, varint, utf8, binary, pair };

constexpr std::uint16_t bit(property_context context) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(context));
}

struct property_rule {
    wire_type type = wire_type::none;
    std::uint16_t contexts = 0;
};

using enum property_context;

constexpr std::uint16_t all_contexts = 0x3FFF;
constexpr std::uint16_t acks = bit(puback) | bit(pubrec) | bit(pubrel) | bit(pubcomp);
constexpr std::uint16_t message = bit(publish) | bit(will);

// MQTT 5.0 section 2.2.2.2, table 2-4: the wire type of each property and where it may appear.
constexpr std::array<property_rule, 0x2B> rules = [] {
    std::array<property_rule, 0x2B> r{};
    r[0x01] = {wire_type::byte, message};
    r[0x02] = {wire_type::four_byte, message};
    r[0x03] = {wire_type::utf8, message};
    r[0x08] = {wire_type::utf8, message};
    r[0x09] = {wire_type::binary, message};
    r[0x0B] = {wire_type::varint, static_cast<std::uint16_t>(bit(publish) | bit(subscribe))};
    r[0x11] = {wire_type::four_byte,
               static_cast<std::uint16_t>(bit(connect) | bit(connack) | bit(disconnect))};
    r[0x12] = {wire_type::utf8, bit(connack)};
    r[0x13] = {wire_type::two_byte, bit(connack)};
    r[0x15] = {wire_type::utf8,
               static_cast<std::uint16_t>(bit(connect) | bit(connack) | bit(auth))};
    r[0x16] = {wire_type::binary,
               static_cast<std::uint16_t>(bit(connect) | bit(connack) | bit(auth))};
    r[0x17] = {wire_type::byte, bit(connect)};
    r[0x18] = {wire_type::four_byte, bit(will)};
    r[0x19] = {wire_type::byte, bit(connect)};
    r[0x1A] = {wire_type::utf8, bit(connack)};
    r[0x1C] = {wire_type::utf8, static_cast<std::uint16_t>(bit(connack) | bit(disconnect))};
    r[0x1F] = {wire_type::utf8,
               static_cast<std::uint16_t>(bit(connack) | acks | bit(suback) | bit(unsuback) |
                                          bit(disconnect) | bit(auth))};
    r[0x21] = {wire_type::two_byte, static_cast<std::uint16_t>(bit(connect) | bit(connack))};
    r[0x22] = {wire_type::two_byte, static_cast<std::uint16_t>(bit(connect) | bit(connack))};
    r[0x23] = {wire_type::two_byte, bit(publish)};
    r[0x24] = {wire_type::byte, bit(connack)};
    r[0x25] = {wire_type::byte, bit(connack)};
    r[0x26] = {wire_type::pair, all_contexts};
    r[0x27] = {wire_type::four_byte, static_cast<std::uint16_t>(bit(connect) | bit(connack))};
    r[0x28] = {wire_type::byte, bit(connack)};
    r[0x29] = {wire_type::byte, bit(connack)};
    r[0x2A] = {wire_type::byte, bit(connack)};
    return r;
}();

const property_rule* find_rule(std::uint32_t id) noexcept {
    if (id >= rules.size() || rules[id].type == wire_type::none) {
        return nullptr;
    }
    return &rules[id];
}

} // namespace

bool is_allowed_in(property_id id, property_context context) noexcept {
    const auto* rule = find_rule(static_cast<std::uint32_t>(id));
    return rule != nullptr && (rule->contexts & bit(context)) != 0;
}

namespace detail {
namespace {

/// One property's value, read according to its wire type.
struct property_value {
    std::uint32_t number = 0;
    std::string_view text;
    std::string_view second;
};

std::error_code read_value(byte_reader& reader, wire_type type, property_value& value) {
    switch (type) {
    case wire_type::byte: {
        std::uint8_t v = 0;
        auto error = reader.u8(v);
        value.number = v;
        return error;
    }
    case wire_type::two_byte: {
        std::uint16_t v = 0;
        auto error = reader.u16(v);
        value.number = v;
        return error;
    }
    case wire_type::four_byte:
        return reader.u32(value.number);
    case wire_type::varint:
        return reader.varint(value.number);
    case wire_type::utf8:
        return reader.utf8(value.text);
    case wire_type::binary:
        return reader.binary(value.text);
    case wire_type::pair:
        if (auto error = reader.utf8(value.text)) {
            return error;
        }
        return reader.utf8(value.second);
    case wire_type::none:
        break;
    }
    return reason_code::malformed_packet;
}

std::error_code set_flag(std::optional<std::uint8_t>& field, std::uint32_t value) {
    if (value > 1) {
        return reason_code::protocol_error;
    }
    field = static_cast<std::uint8_t>(value);
    return {};
}

std::error_code set_nonzero(std::optional<std::uint16_t>& field, std::uint32_t value) {
    if (value == 0) {
        return reason_code::protocol_error;
    }
    field = static_cast<std::uint16_t>(value);
    return {};
}

std::error_code store(property_id id, const property_value& v, properties& out) {
    using enum property_id;
    switch (id) {
    case payload_format_indicator:
        return set_flag(out.payload_format_indicator, v.number);
    case message_expiry_interval:
        out.message_expiry_interval = v.number;
        return {};
    case content_type:
        out.content_type = v.text;
        return {};
    case response_topic:
        // [MQTT-3.3.2-14]: a Topic Name, so no wildcards.
        if (auto error = validate_topic_name(v.text)) {
            return error == reason_code::malformed_packet
                       ? error
                       : make_error_code(reason_code::protocol_error);
        }
        out.response_topic = v.text;
        return {};
    case correlation_data:
        out.correlation_data = v.text;
        return {};
    case subscription_identifier:
        if (v.number == 0) {
            return reason_code::protocol_error; // [MQTT-3.8.2.1.2]: 1 to 268,435,455
        }
        out.subscription_identifiers.push_back(v.number);
        return {};
    case session_expiry_interval:
        out.session_expiry_interval = v.number;
        return {};
    case assigned_client_identifier:
        out.assigned_client_identifier = v.text;
        return {};
    case server_keep_alive:
        out.server_keep_alive = static_cast<std::uint16_t>(v.number);
        return {};
    case authentication_method:
        out.authentication_method = v.text;
        return {};
    case authentication_data:
        out.authentication_data = v.text;
        return {};
    case request_problem_information:
        return set_flag(out.request_problem_information, v.number);
    case will_delay_interval:
        out.will_delay_interval = v.number;
        return {};
    case request_response_information:
        return set_flag(out.request_response_information, v.number);
    case response_information:
        out.response_information = v.text;
        return {};
    case server_reference:
        out.server_reference = v.text;
        return {};
    case reason_string:
        out.reason_string = v.text;
        return {};
    case receive_maximum:
        return set_nonzero(out.receive_maximum, v.number);
    case topic_alias_maximum:
        out.topic_alias_maximum = static_cast<std::uint16_t>(v.number);
        return {};
    case topic_alias:
        if (v.number == 0) {
            return reason_code::topic_alias_invalid; // [MQTT-3.3.2-8]
        }
        out.topic_alias = static_cast<std::uint16_t>(v.number);
        return {};
    case maximum_qos:
        return set_flag(out.maximum_qos, v.number);
    case retain_available:
        return set_flag(out.retain_available, v.number);
    case user_property:
        out.user_properties.push_back({v.text, v.second});
        return {};
    case maximum_packet_size:
        if (v.number == 0) {
            return reason_code::protocol_error;
        }
        out.maximum_packet_size = v.number;
        return {};
    case wildcard_subscription_available:
        return set_flag(out.wildcard_subscription_available, v.number);
    case subscription_identifier_available:
        return set_flag(out.subscription_identifier_available, v.number);
    case shared_subscription_available:
        return set_flag(out.shared_subscription_available, v.number);
    }
    return reason_code::malformed_packet;
}

bool may_repeat(property_id id, property_context context) noexcept {
    return id == property_id::user_property ||
           (id == property_id::subscription_identifier && context == property_context::publish);
}

template <class T>
void put(byte_writer& w, property_id id, const std::optional<T>& value) noexcept {
    if (!value) {
        return;
    }
    w.u8(static_cast<std::uint8_t>(id));
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        w.u8(*value);
    } else if constexpr (std::is_same_v<T, std::uint16_t>) {
        w.u16(*value);
    } else if constexpr (std::is_same_v<T, std::uint32_t>) {
        w.u32(*value);
    } else {
        w.string(*value);
    }
}

void write_content(byte_writer& w, const properties& p) noexcept {
    using enum property_id;
    put(w, payload_format_indicator, p.payload_format_indicator);
    put(w, message_expiry_interval, p.message_expiry_interval);
    put(w, content_type, p.content_type);
    put(w, response_topic, p.response_topic);
    put(w, correlation_data, p.correlation_data);
    for (auto id : p.subscription_identifiers) {
        w.u8(static_cast<std::uint8_t>(subscription_identifier));
        w.varint(id);
    }
    put(w, session_expiry_interval, p.session_expiry_interval);
    put(w, assigned_client_identifier, p.assigned_client_identifier);
    put(w, server_keep_alive, p.server_keep_alive);
    put(w, authentication_method, p.authentication_method);
    put(w, authentication_data, p.authentication_data);
    put(w, request_problem_information, p.request_problem_information);
    put(w, will_delay_interval, p.will_delay_interval);
    put(w, request_response_information, p.request_response_information);
    put(w, response_information, p.response_information);
    put(w, server_reference, p.server_reference);
    put(w, reason_string, p.reason_string);
    put(w, receive_maximum, p.receive_maximum);
    put(w, topic_alias_maximum, p.topic_alias_maximum);
    put(w, topic_alias, p.topic_alias);
    put(w, maximum_qos, p.maximum_qos);
    put(w, retain_available, p.retain_available);
    for (const auto& up : p.user_properties) {
        w.u8(static_cast<std::uint8_t>(user_property));
        w.string(up.name);
        w.string(up.value);
    }
    put(w, maximum_packet_size, p.maximum_packet_size);
    put(w, wildcard_subscription_available, p.wildcard_subscription_available);
    put(w, subscription_identifier_available, p.subscription_identifier_available);
    put(w, shared_subscription_available, p.shared_subscription_available);
}

std::size_t content_size(const properties& p) noexcept {
    byte_writer counter;
    write_content(counter, p);
    return counter.size();
}

} // namespace

std::error_code read_properties(byte_reader& reader, property_context context, properties& out) {
    std::uint32_t length = 0;
    if (auto error = reader.varint(length)) {
        return error;
    }
    byte_reader list{{}};
    if (auto error = reader.take(length, list)) {
        return error;
    }
    std::uint64_t seen = 0;
    while (!list.empty()) {
        // The identifier is a Variable Byte Integer, although every defined one fits one byte.
        std::uint32_t raw_id = 0;
        if (auto error = list.varint(raw_id)) {
            return error;
        }
        const auto* rule = find_rule(raw_id);
        if (rule == nullptr || (rule->contexts & bit(context)) == 0) {
            return reason_code::malformed_packet; // section 2.2.2.2
        }
        const auto id = static_cast<property_id>(raw_id);
        const std::uint64_t mask = std::uint64_t{1} << raw_id;
        if ((seen & mask) != 0 && !may_repeat(id, context)) {
            return reason_code::protocol_error;
        }
        seen |= mask;
        property_value value;
        if (auto error = read_value(list, rule->type, value)) {
            return error;
        }
        if (auto error = store(id, value, out)) {
            return error;
        }
    }
    return {};
}

void write_properties(byte_writer& writer, const properties& props) noexcept {
    const auto size = content_size(props);
    if (size > max_varint) {
        writer.varint(static_cast<std::uint32_t>(max_varint + 1)); // marks the writer failed
        return;
    }
    writer.varint(static_cast<std::uint32_t>(size));
    write_content(writer, props);
}

std::size_t properties_wire_size(const properties& props) noexcept {
    const auto size = content_size(props);
    return varint_size(static_cast<std::uint32_t>(size)) + size;
}

bool properties_empty(const properties& props) noexcept {
    return props == properties{};
}

} // namespace detail
} // namespace fleetmq::protocol
