#include "fleetmq/client/mqtt_client.hpp"

#include <fleetmq/protocol/decode.hpp>
#include <fleetmq/protocol/encode.hpp>
#include <fleetmq/protocol/packets.hpp>

#include <algorithm>

namespace fleetmq::client {

struct mqtt_client::incoming {
    std::vector<std::uint8_t> bytes; // the frame's body: the packet's views point into it
    protocol::packet packet;
};

namespace {

constexpr auto ack_time = std::chrono::seconds{10};

std::string owned(std::optional<std::string_view> v) {
    return v ? std::string{*v} : std::string{};
}

[[noreturn]] void protocol_failure(const std::string& what) {
    throw connection_error{failure_stage::mqtt, what};
}

std::string reason_text(protocol::reason_code code, const protocol::properties& p) {
    std::string text{protocol::to_string(code)};
    if (p.reason_string) {
        text += " (" + std::string{*p.reason_string} + ")";
    }
    return text;
}

} // namespace

void mqtt_client::send(const std::vector<std::uint8_t>& bytes, clock::time_point deadline) {
    connection_.write_all(bytes, deadline);
    last_sent_ = clock::now();
}

std::uint16_t mqtt_client::next_packet_id() noexcept {
    packet_id_ = static_cast<std::uint16_t>(packet_id_ == 65535 ? 1 : packet_id_ + 1);
    return packet_id_;
}

connect_result mqtt_client::connect(const connect_options& options, clock::time_point deadline) {
    version_ = options.version;
    protocol::connect c;
    c.version = options.version;
    c.client_id = options.client_id;
    c.keep_alive = options.keep_alive;
    c.clean_start = options.clean_start;
    if (options.version == protocol::protocol_version::v5 && options.session_expiry > 0) {
        c.properties.session_expiry_interval = options.session_expiry;
    } else if (options.version == protocol::protocol_version::v3_1_1 &&
               options.session_expiry > 0) {
        c.clean_start = false; // 3.1.1: Clean Session 0 keeps the session
    }
    std::vector<std::uint8_t> bytes;
    if (const auto r = protocol::encode(protocol::packet{c}, version_, bytes); r.error) {
        protocol_failure("cannot encode CONNECT: " + r.error.message());
    }
    send(bytes, deadline);
    auto reply = next_control_packet(deadline);
    if (!reply) {
        protocol_failure("no CONNACK in time");
    }
    const auto* ack = std::get_if<protocol::connack>(&reply->packet);
    if (ack == nullptr) {
        protocol_failure("expected CONNACK, got another packet");
    }
    connect_result result;
    result.code = ack->code;
    result.session_present = ack->session_present;
    result.keep_alive = ack->properties.server_keep_alive.value_or(options.keep_alive);
    result.assigned_client_id = owned(ack->properties.assigned_client_identifier);
    result.reason_string = owned(ack->properties.reason_string);
    return result;
}

protocol::reason_code mqtt_client::subscribe(const std::string& filter, protocol::qos qos,
                                             clock::time_point deadline) {
    protocol::subscribe s;
    s.packet_id = next_packet_id();
    s.subscriptions.push_back({filter, qos});
    std::vector<std::uint8_t> bytes;
    if (const auto r = protocol::encode(protocol::packet{s}, version_, bytes); r.error) {
        protocol_failure("cannot encode SUBSCRIBE for '" + filter + "': " + r.error.message());
    }
    send(bytes, deadline);
    for (;;) {
        auto reply = next_control_packet(deadline);
        if (!reply) {
            protocol_failure("no SUBACK in time");
        }
        if (const auto* ack = std::get_if<protocol::suback>(&reply->packet);
            ack != nullptr && ack->packet_id == s.packet_id) {
            if (ack->codes.size() != 1) {
                protocol_failure("SUBACK with " + std::to_string(ack->codes.size()) + " codes");
            }
            return ack->codes.front();
        }
    }
}

protocol::reason_code mqtt_client::publish(const message& m, clock::time_point deadline) {
    protocol::publish p;
    p.topic = m.topic;
    p.payload = m.payload;
    p.qos = m.qos;
    p.retain = m.retain;
    if (m.qos != protocol::qos::at_most_once) {
        p.packet_id = next_packet_id();
    }
    if (m.response_topic) {
        p.properties.response_topic = *m.response_topic;
    }
    if (m.correlation_data) {
        p.properties.correlation_data = *m.correlation_data;
    }
    std::vector<std::uint8_t> bytes;
    if (const auto r = protocol::encode(protocol::packet{p}, version_, bytes); r.error) {
        protocol_failure("cannot encode PUBLISH to '" + m.topic + "': " + r.error.message());
    }
    send(bytes, deadline);
    if (m.qos == protocol::qos::at_most_once) {
        return protocol::reason_code::success;
    }
    for (;;) {
        auto reply = next_control_packet(deadline);
        if (!reply) {
            protocol_failure("no acknowledgement of the PUBLISH in time");
        }
        if (const auto* ack = std::get_if<protocol::puback>(&reply->packet);
            ack != nullptr && ack->packet_id == p.packet_id) {
            return ack->code;
        }
        if (const auto* rec = std::get_if<protocol::pubrec>(&reply->packet);
            rec != nullptr && rec->packet_id == p.packet_id) {
            if (protocol::is_failure(rec->code)) {
                return rec->code;
            }
            std::vector<std::uint8_t> release;
            protocol::encode(protocol::packet{protocol::pubrel{p.packet_id}}, version_, release);
            send(release, deadline);
        }
        if (const auto* comp = std::get_if<protocol::pubcomp>(&reply->packet);
            comp != nullptr && comp->packet_id == p.packet_id) {
            return comp->code;
        }
    }
}

std::optional<message> mqtt_client::receive(clock::time_point deadline) {
    while (messages_.empty()) {
        if (!read_once(deadline)) {
            return std::nullopt;
        }
    }
    auto m = std::move(messages_.front());
    messages_.pop_front();
    return m;
}

void mqtt_client::ping(clock::time_point deadline) {
    std::vector<std::uint8_t> bytes;
    protocol::encode(protocol::packet{protocol::pingreq{}}, version_, bytes);
    send(bytes, deadline);
    ++unanswered_pings_;
}

void mqtt_client::disconnect() noexcept {
    try {
        std::vector<std::uint8_t> bytes;
        protocol::encode(protocol::packet{protocol::disconnect{}}, version_, bytes);
        send(bytes, clock::now() + std::chrono::seconds{1});
    } catch (const std::exception&) {
        // Closing anyway: the broker treats a lost connection as a disconnect.
    }
    connection_.close();
}

std::optional<mqtt_client::incoming> mqtt_client::next_control_packet(clock::time_point deadline) {
    while (control_.empty()) {
        if (!read_once(deadline)) {
            return std::nullopt;
        }
    }
    incoming in;
    in.bytes = std::move(control_.front());
    control_.pop_front();
    protocol::frame f{in.bytes.front(), std::span<const std::uint8_t>{in.bytes}.subspan(1)};
    if (const auto error = protocol::decode_packet(f, version_, in.packet)) {
        protocol_failure("a malformed packet from the broker: " + error.message());
    }
    return in;
}

bool mqtt_client::read_once(clock::time_point deadline) {
    if (input_at_ == input_.size()) {
        input_.resize(16384);
        const auto n = connection_.read_some(input_, deadline);
        input_.resize(n);
        input_at_ = 0;
        if (n == 0) {
            return false;
        }
    }
    while (input_at_ < input_.size()) {
        const auto step = decoder_.feed(std::span<const std::uint8_t>{input_}.subspan(input_at_));
        input_at_ += step.consumed;
        if (step.status == protocol::frame_status::failed) {
            protocol_failure("a malformed packet from the broker: " + step.error.message());
        }
        if (step.status != protocol::frame_status::complete) {
            break;
        }
        const auto& f = step.frame;
        if (f.type() == protocol::packet_type::pingresp) {
            unanswered_pings_ = std::max(0, unanswered_pings_ - 1);
            continue;
        }
        if (f.type() != protocol::packet_type::publish &&
            f.type() != protocol::packet_type::pubrel &&
            f.type() != protocol::packet_type::disconnect) {
            std::vector<std::uint8_t> raw{f.first_byte};
            raw.insert(raw.end(), f.body.begin(), f.body.end());
            control_.push_back(std::move(raw));
            continue;
        }
        protocol::packet p;
        if (const auto error = protocol::decode_packet(f, version_, p)) {
            protocol_failure("a malformed packet from the broker: " + error.message());
        }
        if (const auto* d = std::get_if<protocol::disconnect>(&p)) {
            protocol_failure("the broker disconnected: " + reason_text(d->code, d->properties));
        }
        const auto answer_deadline = clock::now() + ack_time;
        std::vector<std::uint8_t> reply;
        if (const auto* rel = std::get_if<protocol::pubrel>(&p)) {
            std::erase(awaiting_release_, rel->packet_id);
            protocol::encode(protocol::packet{protocol::pubcomp{rel->packet_id}}, version_, reply);
            send(reply, answer_deadline);
            continue;
        }
        const auto& pub = std::get<protocol::publish>(p);
        bool deliver = true;
        if (pub.qos == protocol::qos::at_least_once) {
            protocol::encode(protocol::packet{protocol::puback{pub.packet_id}}, version_, reply);
        } else if (pub.qos == protocol::qos::exactly_once) {
            // Delivered once: a resent PUBLISH whose PUBREL has not come is not handed out again.
            deliver = std::find(awaiting_release_.begin(), awaiting_release_.end(),
                                pub.packet_id) == awaiting_release_.end();
            if (deliver) {
                awaiting_release_.push_back(pub.packet_id);
            }
            protocol::encode(protocol::packet{protocol::pubrec{pub.packet_id}}, version_, reply);
        }
        if (deliver) {
            if (messages_.size() >= max_waiting_messages) {
                protocol_failure("more than " + std::to_string(max_waiting_messages) +
                                 " messages wait for the application: it does not keep up");
            }
            message m;
            m.topic = pub.topic;
            m.payload = pub.payload;
            m.qos = pub.qos;
            m.retain = pub.retain;
            if (pub.properties.response_topic) {
                m.response_topic = std::string{*pub.properties.response_topic};
            }
            if (pub.properties.correlation_data) {
                m.correlation_data = std::string{*pub.properties.correlation_data};
            }
            messages_.push_back(std::move(m));
        }
        if (!reply.empty()) {
            send(reply, answer_deadline);
        }
    }
    return true;
}

} // namespace fleetmq::client
