#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fleetmq::session {

/// The Topic Aliases the broker assigns to the topics it sends one 5.0 client (MQTT 5.0
/// 3.3.2.3.4): the first PUBLISH of a topic carries the topic and a new alias, the next ones
/// the alias and an empty topic. A device's command topic is the same every time, so from the
/// second command on it costs 3 bytes instead of its length.
///
/// Aliases belong to one network connection [MQTT-3.3.2-7]: a new connection starts empty
/// (`reset`). The table is bounded by the smaller of the client's Topic Alias Maximum and the
/// broker's limit; once full it keeps its topics (no replacement), so a connection that sees
/// many different topics (a controller reading every device's responses) pays nothing extra
/// for the topics that do not fit. Nothing is allocated until the first alias.
class outbound_topic_aliases {
public:
    /// An alias costs 3 bytes (property id and value) on the PUBLISH that sets it up; a topic
    /// this short saves nothing later.
    static constexpr std::size_t shortest_topic = 4;

    struct choice {
        /// 0: send the topic without an alias.
        std::uint16_t alias = 0;
        /// The client knows the alias already: send an empty topic.
        bool known = false;
    };

    /// Starts a new connection with room for `maximum` aliases (0: none).
    void reset(std::uint16_t maximum) {
        maximum_ = maximum;
        topics_.clear();
        topics_.shrink_to_fit();
    }

    bool enabled() const noexcept { return maximum_ != 0; }
    std::size_t size() const noexcept { return topics_.size(); }

    /// The alias to send `topic` with, without changing anything: the PUBLISH might not be
    /// sent (over the client's Maximum Packet Size), and an alias the client never saw must
    /// not be used later.
    choice choose(std::string_view topic) const noexcept {
        if (maximum_ == 0 || topic.size() < shortest_topic) {
            return {};
        }
        for (std::size_t i = 0; i < topics_.size(); ++i) {
            if (topics_[i] == topic) {
                return {static_cast<std::uint16_t>(i + 1), true};
            }
        }
        if (topics_.size() < maximum_) {
            return {static_cast<std::uint16_t>(topics_.size() + 1), false};
        }
        return {};
    }

    /// Records that the PUBLISH for `c` (from `choose(topic)`) was sent.
    void sent(const choice& c, std::string_view topic) {
        if (c.alias != 0 && !c.known && c.alias == topics_.size() + 1) {
            topics_.emplace_back(topic);
        }
    }

private:
    std::uint16_t maximum_ = 0;
    /// Alias i + 1 is topics_[i].
    std::vector<std::string> topics_;
};

} // namespace fleetmq::session
