#include "fleetmq/protocol/encode.hpp"

#include "byte_writer.hpp"
#include "properties_codec.hpp"

#include <type_traits>

namespace fleetmq::protocol {
namespace {

using detail::byte_writer;
using detail::write_properties;

/// Why a packet cannot be written at all, before its size is considered.
std::error_code check_packet(const packet& p, protocol_version version) {
    if (version != protocol_version::v5 && std::holds_alternative<auth>(p)) {
        return reason_code::protocol_error;
    }
    if (const auto* c = std::get_if<connect>(&p)) {
        if (c->version != protocol_version::v5 && c->password && !c->username) {
            return reason_code::malformed_packet; // 3.1.1 [MQTT-3.1.2-22]
        }
    } else if (const auto* pub = std::get_if<publish>(&p)) {
        if (pub->qos != qos::at_most_once && pub->packet_id == 0) {
            return reason_code::protocol_error;
        }
    } else if (const auto* sub = std::get_if<subscribe>(&p)) {
        if (sub->packet_id == 0 || sub->subscriptions.empty()) {
            return reason_code::protocol_error;
        }
    } else if (const auto* unsub = std::get_if<unsubscribe>(&p)) {
        if (unsub->packet_id == 0 || unsub->filters.empty()) {
            return reason_code::protocol_error;
        }
    }
    return {};
}

std::uint8_t publish_first_byte(const publish& p) {
    return static_cast<std::uint8_t>(0x30u | (p.dup ? 0x08u : 0u) |
                                     (static_cast<unsigned>(p.qos) << 1) | (p.retain ? 0x01u : 0u));
}

std::uint8_t first_byte(const packet& p) {
    if (const auto* pub = std::get_if<publish>(&p)) {
        return publish_first_byte(*pub);
    }
    const auto type = type_of(p);
    const auto byte = static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4);
    // [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]
    if (type == packet_type::pubrel || type == packet_type::subscribe ||
        type == packet_type::unsubscribe) {
        return byte | 0x02;
    }
    return byte;
}

std::uint8_t connect_flags(const connect& c) {
    unsigned flags = c.clean_start ? 0x02u : 0u;
    if (c.will) {
        flags |= 0x04u | (static_cast<unsigned>(c.will->qos) << 3) | (c.will->retain ? 0x20u : 0u);
    }
    flags |= c.password ? 0x40u : 0u;
    flags |= c.username ? 0x80u : 0u;
    return static_cast<std::uint8_t>(flags);
}

void write_body(byte_writer& w, const connect& c, bool) {
    const bool v5 = c.version == protocol_version::v5;
    w.string("MQTT");
    w.u8(static_cast<std::uint8_t>(c.version));
    w.u8(connect_flags(c));
    w.u16(c.keep_alive);
    if (v5) {
        write_properties(w, c.properties);
    }
    w.string(c.client_id);
    if (c.will) {
        if (v5) {
            write_properties(w, c.will->properties);
        }
        w.string(c.will->topic);
        w.string(c.will->payload);
    }
    if (c.username) {
        w.string(*c.username);
    }
    if (c.password) {
        w.string(*c.password);
    }
}

void write_body(byte_writer& w, const connack& c, bool v5) {
    w.u8(c.session_present ? 1 : 0);
    w.u8(v5 ? static_cast<std::uint8_t>(c.code) : to_v3_return_code(c.code));
    if (v5) {
        write_properties(w, c.properties);
    }
}

void write_publish_head(byte_writer& w, const publish& p, bool v5) {
    w.string(p.topic);
    if (p.qos != qos::at_most_once) {
        w.u16(p.packet_id);
    }
    if (v5) {
        write_properties(w, p.properties);
    }
}

void write_body(byte_writer& w, const publish& p, bool v5) {
    write_publish_head(w, p, v5);
    w.bytes(p.payload);
}

/// The short forms of MQTT 5.0: a Success code with no properties is left out, and properties
/// are left out when there are none (sections 3.4.2.1, 3.14.2.1, 3.15.2.1).
void write_reason_and_properties(byte_writer& w, reason_code code, const properties& props) {
    const bool no_properties = detail::properties_empty(props);
    if (code == reason_code::success && no_properties) {
        return;
    }
    w.u8(static_cast<std::uint8_t>(code));
    if (!no_properties) {
        write_properties(w, props);
    }
}

template <packet_type Type>
void write_body(byte_writer& w, const basic_ack<Type>& a, bool v5) {
    w.u16(a.packet_id);
    if (v5) {
        write_reason_and_properties(w, a.code, a.properties);
    }
}

void write_body(byte_writer& w, const subscribe& s, bool v5) {
    w.u16(s.packet_id);
    if (v5) {
        write_properties(w, s.properties);
    }
    for (const auto& sub : s.subscriptions) {
        w.string(sub.filter);
        unsigned options = static_cast<unsigned>(sub.max_qos);
        if (v5) {
            options |= (sub.no_local ? 0x04u : 0u) | (sub.retain_as_published ? 0x08u : 0u) |
                       (static_cast<unsigned>(sub.retain_handling) << 4);
        }
        w.u8(static_cast<std::uint8_t>(options));
    }
}

void write_body(byte_writer& w, const suback& s, bool v5) {
    w.u16(s.packet_id);
    if (v5) {
        write_properties(w, s.properties);
    }
    for (auto code : s.codes) {
        // 3.1.1 knows one failure code, 0x80 [MQTT-3.9.3].
        w.u8(!v5 && is_failure(code) ? std::uint8_t{0x80} : static_cast<std::uint8_t>(code));
    }
}

void write_body(byte_writer& w, const unsubscribe& u, bool v5) {
    w.u16(u.packet_id);
    if (v5) {
        write_properties(w, u.properties);
    }
    for (auto filter : u.filters) {
        w.string(filter);
    }
}

void write_body(byte_writer& w, const unsuback& u, bool v5) {
    w.u16(u.packet_id);
    if (v5) {
        write_properties(w, u.properties);
        for (auto code : u.codes) {
            w.u8(static_cast<std::uint8_t>(code));
        }
    }
}

void write_body(byte_writer&, const pingreq&, bool) {}
void write_body(byte_writer&, const pingresp&, bool) {}

void write_body(byte_writer& w, const disconnect& d, bool v5) {
    if (v5) {
        write_reason_and_properties(w, d.code, d.properties);
    }
}

void write_body(byte_writer& w, const auth& a, bool) {
    write_reason_and_properties(w, a.code, a.properties);
}

/// The packets whose Reason String and User Properties a sender drops rather than exceed the
/// receiver's Maximum Packet Size.
bool may_shed_properties(packet_type type) {
    switch (type) {
    case packet_type::connack:
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp:
    case packet_type::suback:
    case packet_type::unsuback:
    case packet_type::disconnect:
    case packet_type::auth:
        return true;
    default:
        return false;
    }
}

properties* properties_of(packet& p) {
    return std::visit(
        [](auto& alternative) -> properties* {
            if constexpr (requires { alternative.properties; }) {
                return &alternative.properties;
            } else {
                return nullptr;
            }
        },
        p);
}

struct sized_body {
    std::error_code error;
    std::size_t body = 0;
    std::size_t total = 0;
};

sized_body size_of(const packet& p, bool v5, std::uint32_t maximum_packet_size) {
    byte_writer counter;
    std::visit([&](const auto& alternative) { write_body(counter, alternative, v5); }, p);
    if (counter.failed()) {
        return {make_error_code(reason_code::malformed_packet)};
    }
    const auto body = counter.size();
    if (body > detail::max_varint) {
        return {make_error_code(reason_code::packet_too_large)};
    }
    const auto total = 1 + detail::varint_size(static_cast<std::uint32_t>(body)) + body;
    if (total > maximum_packet_size) {
        return {make_error_code(reason_code::packet_too_large), body, total};
    }
    return {{}, body, total};
}

/// Sizes `p`, shedding what MQTT 5.0 lets a sender shed when it is too large. Returns the packet
/// to write in `shed` if anything was shed.
sized_body fit(const packet& p, protocol_version version, std::uint32_t maximum_packet_size,
               std::optional<packet>& shed) {
    const bool v5 = version == protocol_version::v5;
    if (auto error = check_packet(p, version)) {
        return {error};
    }
    auto sized = size_of(p, v5, maximum_packet_size);
    if (sized.error != reason_code::packet_too_large || !v5 || !may_shed_properties(type_of(p))) {
        return sized;
    }
    auto* props = properties_of(shed.emplace(p));
    if (props->reason_string) {
        props->reason_string.reset();
        sized = size_of(*shed, v5, maximum_packet_size);
        if (!sized.error) {
            return sized;
        }
    }
    props->user_properties.clear();
    return size_of(*shed, v5, maximum_packet_size);
}

} // namespace

encode_result encoded_size(const packet& p, protocol_version version,
                           std::uint32_t maximum_packet_size) {
    std::optional<packet> shed;
    const auto sized = fit(p, version, maximum_packet_size, shed);
    return {sized.error, sized.error ? 0 : sized.total};
}

encode_result encode(const packet& p, protocol_version version, std::span<std::uint8_t> out,
                     std::uint32_t maximum_packet_size) {
    std::optional<packet> shed;
    const auto sized = fit(p, version, maximum_packet_size, shed);
    if (sized.error) {
        return {sized.error, 0};
    }
    if (out.size() < sized.total) {
        return {std::make_error_code(std::errc::no_buffer_space), 0};
    }
    const packet& chosen = shed ? *shed : p;
    byte_writer writer{out.data()};
    writer.u8(first_byte(chosen));
    writer.varint(static_cast<std::uint32_t>(sized.body));
    const bool v5 = version == protocol_version::v5;
    std::visit([&](const auto& alternative) { write_body(writer, alternative, v5); }, chosen);
    return {{}, writer.size()};
}

encode_result encode(const packet& p, protocol_version version, std::vector<std::uint8_t>& out,
                     std::uint32_t maximum_packet_size) {
    const auto sized = encoded_size(p, version, maximum_packet_size);
    if (sized.error) {
        return sized;
    }
    const auto start = out.size();
    out.resize(start + sized.size);
    return encode(p, version, std::span{out}.subspan(start), maximum_packet_size);
}

encode_result encode_publish_head(const publish& p, protocol_version version,
                                  std::span<std::uint8_t> head, std::uint32_t maximum_packet_size) {
    if (p.qos != qos::at_most_once && p.packet_id == 0) {
        return {make_error_code(reason_code::protocol_error), 0};
    }
    const bool v5 = version == protocol_version::v5;
    byte_writer counter;
    write_publish_head(counter, p, v5);
    if (counter.failed()) {
        return {make_error_code(reason_code::malformed_packet), 0};
    }
    const auto body = counter.size() + p.payload.size();
    if (body > detail::max_varint) {
        return {make_error_code(reason_code::packet_too_large), 0};
    }
    const auto length_size = detail::varint_size(static_cast<std::uint32_t>(body));
    if (1 + length_size + body > maximum_packet_size) {
        return {make_error_code(reason_code::packet_too_large), 0};
    }
    const auto head_size = 1 + length_size + counter.size();
    if (head.size() < head_size) {
        return {std::make_error_code(std::errc::no_buffer_space), 0};
    }
    byte_writer writer{head.data()};
    writer.u8(publish_first_byte(p));
    writer.varint(static_cast<std::uint32_t>(body));
    write_publish_head(writer, p, v5);
    return {{}, writer.size()};
}

std::size_t max_publish_head_size(const publish& p) noexcept {
    return 1 + 4 + 2 + p.topic.size() + 2 + detail::properties_wire_size(p.properties);
}

} // namespace fleetmq::protocol
