#pragma once

#include "fleetmq/protocol/reason_code.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetmq::session {

/// The Topic Aliases a 5.0 client sets up on the PUBLISHes it sends (MQTT 5.0 3.3.2.3.4), up to
/// the maximum the broker announced in CONNACK. They belong to one network connection
/// [MQTT-3.3.2-7]: `reset` at every new one. Nothing is allocated until the first alias, since
/// most devices never use one.
class inbound_topic_aliases {
public:
    struct resolution {
        /// The PUBLISH's topic: `topic` itself, or what the alias stands for (valid until the
        /// next call).
        std::string_view topic;
        /// Set when the PUBLISH is a protocol violation: the client is disconnected with it.
        std::optional<protocol::reason_code> error;
        /// Why, for the log.
        const char* reason = nullptr;
    };

    /// Starts a new connection that may use aliases 1..maximum.
    void reset(std::uint16_t maximum);

    std::uint16_t maximum() const noexcept { return maximum_; }

    /// The topic of a PUBLISH with Topic Alias `alias` (never 0: the decoder refuses it) and
    /// `topic`. A topic sets (or replaces) the alias; an empty one uses it.
    resolution resolve(std::uint16_t alias, std::string_view topic);

private:
    std::uint16_t maximum_ = 0;
    /// Alias i + 1 is topics_[i]; empty: not set up.
    std::vector<std::string> topics_;
};

} // namespace fleetmq::session
