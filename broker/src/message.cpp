#include "message.hpp"

namespace fleetmq::broker::detail {

std::shared_ptr<const message> message::from(const protocol::publish& p, std::string_view topic) {
    auto m = std::make_shared<message>();
    m->topic = topic;
    m->payload = p.payload;
    m->qos = p.qos;
    m->received = std::chrono::steady_clock::now();
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

} // namespace fleetmq::broker::detail
