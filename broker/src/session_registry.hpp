#pragma once

// The sessions a shard owns: which client id has which session, what an offline one waits for
// (its will's delay, its expiry) and what ending one means. It makes no MQTT decision of its
// own beyond those (the session library's) and does no I/O: publishing a will and taking
// subscriptions out of the router are the shard's, reached through `session_events`.
#include "session.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace fleetmq::broker::detail {

/// What the registry asks of its shard when a session's will comes due or a session ends.
class session_events {
public:
    /// Publish `s.take_will()` (the registry calls this only when `s.has_will()`).
    virtual void will_due(hosted_session& s) = 0;
    /// `s` is about to go: take its subscriptions out of the routing state.
    virtual void session_ending(hosted_session& s) = 0;

    virtual ~session_events() = default;
};

class session_registry {
public:
    session_registry(std::uint32_t shard, session_events& events)
        : shard_{shard}, events_{events} {}
    session_registry(const session_registry&) = delete;
    session_registry& operator=(const session_registry&) = delete;

    hosted_session* find(const std::string& client_id) noexcept;
    const hosted_session* find(const std::string& client_id) const noexcept;
    hosted_session* find(std::uint64_t session_id) noexcept;

    struct opened {
        hosted_session* session;
        bool present; ///< an existing session is resumed (CONNACK's Session Present)
    };
    /// A connection for `client_id` arrives: its existing session is resumed when it asks for
    /// no clean start and has the same identity (nothing is due while it is online); otherwise
    /// the existing one ends (its will published) and a new one begins. The caller takes over
    /// a connection holding the client id first: its session must be offline here.
    opened open(const std::string& client_id, const auth::identity& identity, bool clean_start);

    /// `s`'s connection has gone (the caller cleared `s.online`) at `now_ms`: it ends now
    /// (no expiry interval), or waits with its will due after its delay. Returns false when
    /// it ended (`s` is gone).
    bool went_offline(hosted_session& s, std::uint64_t now_ms);

    /// Takes in an offline session from elsewhere (the store at start-up, another node):
    /// its deadlines, in this process's milliseconds, are kept. An existing session of the
    /// same client id ends first. Returns it.
    hosted_session& adopt(fleetmq::session::session s);

    /// Ends `s` now: its will is published if it has one (5.0 section 3.1.3.2.2: when the
    /// session ends before the will's delay), then it is gone.
    void end(hosted_session& s);

    /// Publishes the wills and ends the sessions that are due at `now_ms`. Returns how many
    /// sessions expired.
    std::size_t run_due(std::uint64_t now_ms);

    std::size_t size() const noexcept { return sessions_.size(); }
    /// Offline sessions waiting for a deadline (each has one entry).
    std::size_t scheduled() const noexcept { return timers_.size(); }
    /// The earliest deadline of an offline session, or UINT64_MAX.
    std::uint64_t next_due() const noexcept;
    /// Drops every session without ending it (wills are not published): the shard stops.
    void clear() noexcept;

private:
    hosted_session& create(fleetmq::session::session s);
    /// Files `s` under its next deadline when offline; takes it out when online.
    void schedule(hosted_session& s);
    void unschedule(hosted_session& s) noexcept;

    std::uint32_t shard_;
    session_events& events_;
    std::unordered_map<std::uint64_t, std::unique_ptr<hosted_session>> sessions_;
    std::unordered_map<std::string, std::uint64_t> by_client_id_;
    session_timers timers_;
    std::uint64_t next_id_ = 1;
};

} // namespace fleetmq::broker::detail
