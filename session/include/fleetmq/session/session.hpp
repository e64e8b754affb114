#pragma once

#include "fleetmq/auth/identity.hpp"
#include "fleetmq/session/message.hpp"
#include "fleetmq/session/subscription_ids.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleetmq::session {

/// A message waiting to be sent to a session's client: the message, shared, and how this
/// session receives it.
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

/// How much may wait for one session's client.
struct queue_bounds {
    std::size_t messages = 0;
    std::size_t bytes = 0;
};

/// What an acknowledgement from the client did to the message in flight under its packet id.
enum class ack_outcome {
    unknown,   ///< nothing of that kind is in flight under it (ignored, or answered "not found")
    completed, ///< the exchange ended: the window has one more free place
    released,  ///< PUBREC taken: PUBREL is to be sent and PUBCOMP awaited
};

enum class subscribe_outcome { added, existed, full };

/// What a session's connection closing means now.
struct offline_plan {
    bool end_now = false;  ///< no Session Expiry Interval: the session ends with its connection
    bool will_now = false; ///< a will without delay: published now
};

/// What has come due for an offline session at some time.
struct due_now {
    bool will = false;
    bool expired = false;
};

/// The MQTT session state of one client id (MQTT 5.0 section 4.1): what outlives a network
/// connection when the client asked for a Session Expiry Interval (3.1.1: Clean Session 0).
/// Touched by one thread only, its owner's.
///
/// Invariants it keeps: the waiting messages' byte count is the sum of their sizes and stays
/// within the bounds given when they were queued; packet ids in flight are unique and never 0;
/// subscriptions are unique and no more than the maximum given; incoming QoS 2 ids awaiting
/// PUBREL are unique and no more than the maximum given; a will's deadline exists only with a
/// will.
///
/// Compact: a session with nothing queued, in flight or awaiting PUBREL holds its ids, its
/// subscriptions and its will, and no queue storage (see `compact`): millions of idle persistent
/// sessions cost what identifies them.
class session {
public:
    session(std::string client_id, auth::identity identity);
    session(session&&) noexcept = default;
    session& operator=(session&&) noexcept = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    ~session();

    const std::string& client_id() const noexcept { return client_id_; }
    /// Who created it: only the same identity resumes it.
    const auth::identity& identity() const noexcept { return identity_; }

    /// Seconds it is kept after its connection closes; 0 ends it with the connection.
    std::uint32_t expiry_interval() const noexcept { return expiry_interval_; }
    void set_expiry_interval(std::uint32_t seconds) noexcept { expiry_interval_ = seconds; }

    // The will (MQTT 5.0 3.1.3.2): published when the connection ends without a normal
    // DISCONNECT, after its delay, unless the session is resumed first.
    bool has_will() const noexcept { return will_ != nullptr; }
    const message_ptr& will() const noexcept { return will_; }
    std::uint32_t will_delay() const noexcept { return will_delay_; }
    void set_will(message_ptr will, std::uint32_t delay_seconds);
    /// The will, taken out to be published; the session has none after.
    message_ptr take_will() noexcept;
    void drop_will() noexcept;

    // Offline deadlines, in the caller's milliseconds (a monotonic clock).
    /// Its connection closed at `now_ms`: sets the expiry and the will's deadline, neither
    /// before its full interval [MQTT-3.1.2-23], the will's no later than the expiry.
    offline_plan went_offline(std::uint64_t now_ms);
    /// Resumed by a new connection in time: the will is not sent [MQTT-3.1.3-9] and nothing is due.
    void resumed() noexcept;
    /// What is due at `now_ms` (for an offline session).
    due_now due(std::uint64_t now_ms) const noexcept;
    /// The earliest of its deadlines while offline.
    std::uint64_t next_deadline() const noexcept;
    std::uint64_t expires_at() const noexcept { return expires_at_; }
    std::uint64_t will_at() const noexcept { return will_at_; }

    // Subscriptions: filters as the client wrote them (shared ones with their $share/ prefix).
    subscribe_outcome subscribe(std::string_view filter, std::size_t max_subscriptions);
    bool unsubscribe(std::string_view filter);
    bool subscribed(std::string_view filter) const noexcept;
    std::span<const std::string> subscriptions() const noexcept { return subscriptions_; }

    // Messages waiting for the client, oldest first.
    static std::size_t size_of(const outgoing& o) noexcept;
    /// True when one more message of `bytes` fits `bounds`.
    bool has_room(std::size_t bytes, const queue_bounds& bounds) const noexcept;
    /// Queues `o` if it fits `bounds`; false (and nothing queued) otherwise.
    bool enqueue(outgoing o, const queue_bounds& bounds);
    const outgoing* next_waiting() const noexcept;
    void drop_next_waiting() noexcept;
    /// The next waiting message, taken out to be sent: a QoS 1/2 one stays in flight under the
    /// packet id returned (the next free one), a QoS 0 one is gone (packet id 0).
    std::pair<std::uint16_t, outgoing> take_next_waiting();
    std::size_t waiting_count() const noexcept;
    std::size_t waiting_bytes() const noexcept;

    // Messages in flight to the client, by packet id.
    std::size_t inflight_count() const noexcept;
    ack_outcome on_puback(std::uint16_t packet_id);
    /// `refused`: a PUBREC with a failure reason, which ends the exchange (MQTT 5.0 4.3.3).
    ack_outcome on_pubrec(std::uint16_t packet_id, bool refused);
    ack_outcome on_pubcomp(std::uint16_t packet_id);
    /// Calls `f(packet_id, const inflight_message&)` in packet id order (to send them again on
    /// resume).
    template <class F>
    void for_each_inflight(F&& f) const {
        if (traffic_) {
            for (const auto& [id, m] : traffic_->inflight) {
                f(id, m);
            }
        }
    }

    // Incoming QoS 2 packet ids received and not yet released by PUBREL.
    bool awaiting_release(std::uint16_t packet_id) const noexcept;
    /// Records `packet_id` as received; false (nothing recorded) when `max` are awaited already.
    bool await_release(std::uint16_t packet_id, std::size_t max);
    /// PUBREL: true if `packet_id` was awaited.
    bool release(std::uint16_t packet_id);
    std::size_t awaiting_release_count() const noexcept;

    /// Frees the queue storage when nothing waits, is in flight or awaits PUBREL.
    void compact() noexcept;
    /// True while it holds queue storage (for the memory figures and their tests).
    bool holds_queue_storage() const noexcept { return traffic_ != nullptr; }

private:
    friend struct session_codec;

    /// What flows to and from the client, allocated when the first message does.
    struct traffic {
        std::map<std::uint16_t, inflight_message> inflight;
        std::deque<outgoing> waiting;
        std::size_t waiting_bytes = 0;
        std::set<std::uint16_t> awaiting_pubrel;
    };
    traffic& flowing();

    std::string client_id_;
    auth::identity identity_;
    message_ptr will_;
    /// Sorted, unique: a small flat set (most sessions have one or two filters).
    std::vector<std::string> subscriptions_;
    std::unique_ptr<traffic> traffic_;
    std::uint64_t expires_at_ = 0;
    std::uint64_t will_at_ = 0; ///< 0: no will due
    std::uint32_t expiry_interval_ = 0;
    std::uint32_t will_delay_ = 0;
    std::uint16_t last_packet_id_ = 0;
};

} // namespace fleetmq::session
