#pragma once

#include "message.hpp"

#include <cstdint>
#include <string>
#include <variant>

namespace fleetmq::broker::detail {

/// A connection anywhere in the broker: its shard and its id there.
struct connection_ref {
    std::uint32_t shard = 0;
    std::uint64_t id = 0;

    bool operator==(const connection_ref&) const = default;
};

// The messages shards send each other through their mailboxes. A shard never touches another
// shard's state: it asks the owner.

/// To a filter's owner (exact filters) or to every shard (wildcard filters): add or update a
/// subscription, then confirm to `who` with `token`.
struct subscribe_request {
    std::string filter;
    connection_ref who;
    protocol::qos qos = protocol::qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    protocol::retain_handling retain_handling = protocol::retain_handling::send_on_subscribe;
    std::uint32_t subscription_id = 0; // 0: none
    std::uint32_t token = 0;
};

struct subscribe_done {
    std::uint64_t connection = 0;
    std::uint32_t token = 0;
};

struct unsubscribe_request {
    std::string filter;
    connection_ref who;
};

/// To the owner of a topic's exact subscriptions: find them and deliver.
struct route_request {
    message_ptr msg;
    connection_ref origin;
};

/// To a subscriber's shard: queue this message for the connection. `retain` is the RETAIN flag
/// to send; a retained message sent because of a new subscription carries the subscription's
/// token, so that it follows that subscription's SUBACK.
struct deliver_request {
    std::uint64_t connection = 0;
    message_ptr msg;
    protocol::qos qos = protocol::qos::at_most_once;
    bool retain = false;
    std::uint32_t subscription_id = 0;
    std::uint32_t token = 0;
};

/// To a client id's home shard: `who` connects with it; any earlier owner is taken over.
struct claim_request {
    std::string client_id;
    connection_ref who;
};

struct claim_done {
    std::uint64_t connection = 0;
};

/// To the shard of a connection that lost its client id to a newer connection.
struct take_over_request {
    std::uint64_t connection = 0;
};

/// To a client id's home shard: `who` has gone.
struct release_request {
    std::string client_id;
    connection_ref who;
};

using envelope =
    std::variant<subscribe_request, subscribe_done, unsubscribe_request, route_request,
                 deliver_request, claim_request, claim_done, take_over_request, release_request>;

} // namespace fleetmq::broker::detail
