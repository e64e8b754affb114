#include "fleetmq/session/message.hpp"

#include "fleetmq/protocol/encode.hpp"

namespace fleetmq::session {

namespace {
constexpr std::size_t variant_count = 2 * 3 * 2; // version x QoS x RETAIN

std::size_t variant_index(protocol::protocol_version version, protocol::qos qos, bool retain) {
    const std::size_t v = version == protocol::protocol_version::v5 ? 1 : 0;
    return (v * 3 + static_cast<std::size_t>(qos)) * 2 + (retain ? 1 : 0);
}
} // namespace

/// One slot per variant, each filled once: an encoding (or an empty pointer, for a message that
/// cannot be encoded that way) that stays until the message goes.
struct message::variants {
    std::array<std::atomic<const shared_bytes*>, variant_count> slots{};

    ~variants() {
        for (auto& slot : slots) {
            delete slot.load(std::memory_order_acquire);
        }
    }
};

message::~message() {
    delete variants_.load(std::memory_order_acquire);
}

shared_bytes message::encoded(protocol::protocol_version version, protocol::qos as_qos,
                              bool as_retain) const {
    if (properties.message_expiry_interval) {
        return nullptr;
    }
    auto* v = variants_.load(std::memory_order_acquire);
    if (v == nullptr) {
        auto fresh = std::make_unique<variants>();
        if (variants_.compare_exchange_strong(v, fresh.get(), std::memory_order_acq_rel)) {
            v = fresh.release();
        } // else another thread made them first: `v` is theirs
    }
    auto& slot = v->slots[variant_index(version, as_qos, as_retain)];
    if (const auto* made = slot.load(std::memory_order_acquire)) {
        return *made;
    }
    protocol::publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = as_qos;
    p.retain = as_retain;
    p.packet_id = as_qos == protocol::qos::at_most_once ? 0 : 1; // replaced by each receiver
    p.properties = properties;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    auto mine = std::make_unique<const shared_bytes>(
        protocol::encode(p, version, *bytes).error ? nullptr : std::move(bytes));
    const shared_bytes* expected = nullptr;
    if (slot.compare_exchange_strong(expected, mine.get(), std::memory_order_acq_rel)) {
        return *mine.release();
    }
    return *expected; // another thread was first: every receiver shares its bytes
}

std::size_t message::packet_id_offset(std::span<const std::uint8_t> encoding,
                                      std::size_t topic_size) noexcept {
    std::size_t header = 2; // the first byte and the last byte of the Remaining Length
    while (header < encoding.size() && (encoding[header - 1] & 0x80) != 0) {
        ++header;
    }
    return header + 2 + topic_size;
}

std::shared_ptr<const message> message::from(const protocol::publish& p, std::string_view topic,
                                             std::chrono::steady_clock::time_point received) {
    auto m = std::make_shared<message>();
    m->topic = topic;
    m->payload = p.payload;
    m->qos = p.qos;
    m->received = received;
    m->retain = p.retain;
    // Properties forwarded untouched [MQTT-3.3.2-17..20]; Topic Alias and Subscription
    // Identifiers are per connection and are not.
    const auto& in = p.properties;
    auto& out = m->properties;
    const std::size_t strings = (in.content_type ? 1u : 0u) + (in.response_topic ? 1u : 0u) +
                                (in.correlation_data ? 1u : 0u) + 2 * in.user_properties.size();
    m->strings.reserve(strings); // no reallocation: views into it stay valid
    const auto keep = [&](std::string_view text) -> std::string_view {
        return m->strings.emplace_back(text);
    };
    out.payload_format_indicator = in.payload_format_indicator;
    out.message_expiry_interval = in.message_expiry_interval;
    if (in.content_type) {
        out.content_type = keep(*in.content_type);
    }
    if (in.response_topic) {
        out.response_topic = keep(*in.response_topic);
    }
    if (in.correlation_data) {
        out.correlation_data = keep(*in.correlation_data);
    }
    for (const auto& up : in.user_properties) {
        const auto name = keep(up.name);
        out.user_properties.push_back({name, keep(up.value)});
    }
    return m;
}

std::optional<std::uint32_t> message::expiry_left(std::chrono::steady_clock::time_point now) const {
    if (!properties.message_expiry_interval) {
        return std::nullopt;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - received).count();
    const auto interval = static_cast<long long>(*properties.message_expiry_interval);
    return static_cast<std::uint32_t>(elapsed >= interval ? 0 : interval - elapsed);
}

} // namespace fleetmq::session
