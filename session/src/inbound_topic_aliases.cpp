#include "fleetmq/session/inbound_topic_aliases.hpp"

namespace fleetmq::session {

void inbound_topic_aliases::reset(std::uint16_t maximum) {
    maximum_ = maximum;
    topics_.clear();
    topics_.shrink_to_fit();
}

inbound_topic_aliases::resolution inbound_topic_aliases::resolve(std::uint16_t alias,
                                                                 std::string_view topic) {
    if (alias == 0 || alias > maximum_) {
        return {{}, protocol::reason_code::topic_alias_invalid, "topic alias over the maximum"};
    }
    if (topics_.empty()) {
        topics_.resize(maximum_);
    }
    auto& slot = topics_[alias - 1U];
    if (!topic.empty()) {
        slot.assign(topic);
        return {topic, std::nullopt, nullptr};
    }
    if (slot.empty()) {
        // An alias the client never set up [MQTT-3.3.2-12] (3.3.2.3.4).
        return {{}, protocol::reason_code::protocol_error, "unknown topic alias"};
    }
    return {slot, std::nullopt, nullptr};
}

} // namespace fleetmq::session
