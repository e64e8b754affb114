#pragma once

#include "envelope.hpp"

#include "fleetmq/auth/identity.hpp"
#include "fleetmq/broker/config.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace fleetmq::broker::detail {

class connection;

/// (millisecond, session id): when an offline session's will or expiry is next due. One entry per
/// offline session at most: the map is as large as the offline sessions, however often
/// clients come and go.
using session_timers = std::multimap<std::uint64_t, std::uint64_t>;

/// A message waiting to be sent to a session.
struct outgoing {
    message_ptr msg;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain = false;
    subscription_ids ids;
};

/// A QoS 1 or 2 message sent and not yet acknowledged; for QoS 2, whether PUBREC came (then
/// PUBREL was sent and PUBCOMP is awaited). Kept to be sent again, with DUP, on resume.
struct inflight_message {
    outgoing sent;
    bool released = false;
};

/// The MQTT session state of one client id (MQTT 5.0 section 4.1): what outlives a network
/// connection when the client asked for a Session Expiry Interval (3.1.1: Clean Session 0).
/// Lives on its client id's home shard, next to its connection while it is online, and is
/// touched only there.
struct session {
    session_ref ref;
    std::string client_id;
    /// Who created it: only the same identity resumes it.
    auth::identity identity;
    /// Seconds it is kept after its connection closes; 0 ends it with the connection.
    std::uint32_t expiry_interval = 0;
    /// Its connection while online (the connection detaches itself before it goes away).
    connection* online = nullptr;
    /// When an offline session ends (shard milliseconds), and when its will is due (0: none).
    std::uint64_t expires_at = 0;
    std::uint64_t will_at = 0;
    /// Its entry in the shard's session_timers while offline.
    std::optional<session_timers::iterator> timer;

    std::optional<message_ptr> will;
    std::uint32_t will_delay = 0;
    std::set<std::string> subscriptions;
    std::map<std::uint16_t, inflight_message> inflight;
    std::deque<outgoing> waiting;
    std::size_t waiting_bytes = 0;
    /// Incoming QoS 2 packet ids received and not yet released by PUBREL.
    std::set<std::uint16_t> awaiting_pubrel;
    std::uint16_t last_packet_id = 0;
    std::uint32_t next_token = 1;

    /// True when one more message of `bytes` fits the session's bounds.
    bool has_room(std::size_t bytes, const broker::limits_config& limits) const noexcept {
        return waiting.size() < limits.max_queued_messages &&
               waiting_bytes + bytes <= limits.max_queued_bytes;
    }
    void push_waiting(outgoing o) {
        waiting_bytes += size_of(o);
        waiting.push_back(std::move(o));
    }
    void pop_waiting() {
        waiting_bytes -= size_of(waiting.front());
        waiting.pop_front();
    }
    /// The next free packet id for a message to the client.
    std::uint16_t next_packet_id() {
        for (;;) {
            last_packet_id =
                static_cast<std::uint16_t>(last_packet_id == 65535 ? 1 : last_packet_id + 1);
            if (!inflight.contains(last_packet_id)) {
                return last_packet_id;
            }
        }
    }
    static std::size_t size_of(const outgoing& o) noexcept {
        return o.msg->topic.size() + o.msg->payload.size();
    }
};

} // namespace fleetmq::broker::detail
