#pragma once

#include "fleetmq/session/subscription_ids.hpp"
#include "message.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace fleetmq::broker::detail {

using fleetmq::session::subscription_ids;

class connection;

/// A session anywhere in the broker: its home shard (the owner of its client id, where its
/// connection lives while it is online) and its id there. Subscriptions name sessions, so that
/// they outlive a connection and messages reach a session while it is offline.
struct session_ref {
    std::uint32_t shard = 0;
    std::uint64_t id = 0;

    bool operator==(const session_ref&) const = default;
};

// The messages shards send each other through their mailboxes. A shard never touches another
// shard's state: it asks the owner.

/// To a filter's owner (exact filters) or to every shard (wildcard filters): add or update a
/// subscription, then confirm to `who` with `token`.
struct subscribe_request {
    std::string filter;
    session_ref who;
    protocol::qos qos = protocol::qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    protocol::retain_handling retain_handling = protocol::retain_handling::send_on_subscribe;
    std::uint32_t subscription_id = 0; // 0: none
    std::uint32_t token = 0;
    bool acl_filtered = false;
};

struct subscribe_done {
    std::uint64_t session = 0;
    std::uint32_t token = 0;
};

struct unsubscribe_request {
    std::string filter;
    session_ref who;
};

/// To the owner of a topic's exact subscriptions: find them and deliver.
struct route_request {
    message_ptr msg;
    session_ref origin;
};

/// To a subscriber's home shard: queue this message for the session. `retain` is the RETAIN flag
/// to send; a retained message sent because of a new subscription carries the subscription's
/// token, so that it follows that subscription's SUBACK. `acl_check`: the ACL decides at
/// delivery (filtered subscriptions), with the session's identity and the rules of the moment.
struct deliver_request {
    std::uint64_t session = 0;
    message_ptr msg;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain = false;
    bool acl_check = false;
    subscription_ids ids;
    std::uint32_t token = 0;
};

/// To a client id's home shard: a connection whose CONNECT was accepted moves there, to live
/// next to its session (socket, TLS state and unread bytes travel with it).
struct hand_off {
    std::shared_ptr<connection> moving;
};

using envelope = std::variant<subscribe_request, subscribe_done, unsubscribe_request, route_request,
                              deliver_request, hand_off>;

} // namespace fleetmq::broker::detail
