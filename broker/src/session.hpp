#pragma once

#include "envelope.hpp"

#include "fleetmq/session/session.hpp"

#include <cstdint>
#include <map>
#include <optional>

namespace fleetmq::broker::detail {

class connection;

using fleetmq::session::inflight_message;
using fleetmq::session::outgoing;

/// (millisecond, session id): when an offline session's will or expiry is next due. One entry per
/// offline session at most (see session_registry): the map is as large as the offline
/// sessions, however often clients come and go.
using session_timers = std::multimap<std::uint64_t, std::uint64_t>;

/// A session as its home shard holds it: the MQTT state (the session library's) and where it
/// is in this shard. Lives on its client id's home shard, next to its connection while it is
/// online, and is touched only there.
struct hosted_session : fleetmq::session::session {
    hosted_session(session_ref where, fleetmq::session::session state)
        : session{std::move(state)}, ref{where} {}

    session_ref ref;
    /// Its connection while online (the connection detaches itself before it goes away).
    connection* online = nullptr;
    /// Its entry in the shard's session_timers while offline.
    std::optional<session_timers::iterator> timer;
    /// Numbers the SUBSCRIBEs whose SUBACK waits for other shards' confirmations.
    std::uint32_t next_token = 1;
};

} // namespace fleetmq::broker::detail
