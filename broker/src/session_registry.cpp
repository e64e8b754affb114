#include "session_registry.hpp"

#include <spdlog/spdlog.h>

#include <cassert>
#include <limits>

namespace fleetmq::broker::detail {

hosted_session* session_registry::find(const std::string& client_id) noexcept {
    const auto it = by_client_id_.find(client_id);
    return it == by_client_id_.end() ? nullptr : find(it->second);
}

const hosted_session* session_registry::find(const std::string& client_id) const noexcept {
    return const_cast<session_registry*>(this)->find(client_id);
}

hosted_session* session_registry::find(std::uint64_t session_id) noexcept {
    const auto it = sessions_.find(session_id);
    return it == sessions_.end() ? nullptr : it->second.get();
}

session_registry::opened session_registry::open(const std::string& client_id,
                                                const auth::identity& identity, bool clean_start) {
    if (auto* existing = find(client_id); existing != nullptr) {
        assert(existing->online == nullptr && "a connection holding it is taken over first");
        // Only the identity that created a session resumes it: a client id is not a credential.
        if (!clean_start && existing->identity() == identity) {
            existing->resumed(); // its will is not sent [MQTT-3.1.3-9]
            unschedule(*existing);
            return {existing, true};
        }
        end(*existing);
    }
    return {&create(fleetmq::session::session{client_id, identity}), false};
}

bool session_registry::went_offline(hosted_session& s, std::uint64_t now_ms) {
    assert(s.online == nullptr);
    const auto plan = s.went_offline(now_ms);
    if (plan.end_now) {
        end(s);
        return false;
    }
    if (plan.will_now) {
        events_.will_due(s);
    }
    s.compact(); // an idle offline session keeps no queue storage
    schedule(s);
    return true;
}

hosted_session& session_registry::adopt(fleetmq::session::session s) {
    if (auto* existing = find(s.client_id()); existing != nullptr) {
        assert(existing->online == nullptr);
        end(*existing);
    }
    auto& adopted = create(std::move(s));
    adopted.compact();
    schedule(adopted);
    return adopted;
}

void session_registry::end(hosted_session& s) {
    if (s.has_will()) {
        events_.will_due(s);
    }
    unschedule(s);
    events_.session_ending(s);
    if (const auto it = by_client_id_.find(s.client_id());
        it != by_client_id_.end() && it->second == s.ref.id) {
        by_client_id_.erase(it);
    }
    sessions_.erase(s.ref.id); // last: `s` goes with it
}

std::size_t session_registry::run_due(std::uint64_t now_ms) {
    std::size_t expired = 0;
    while (!timers_.empty() && timers_.begin()->first <= now_ms) {
        // Every entry is its session's only one (schedule() and unschedule() see to it).
        auto& s = *sessions_.at(timers_.begin()->second);
        unschedule(s);
        const auto due = s.due(now_ms);
        if (due.will && s.has_will()) {
            events_.will_due(s);
        }
        if (due.expired) {
            spdlog::info("session expired: client_id={} ({} messages waiting dropped)",
                         s.client_id(), s.waiting_count() + s.inflight_count());
            ++expired;
            end(s);
        } else {
            schedule(s); // the will was due first; the expiry is next
        }
    }
    return expired;
}

std::uint64_t session_registry::next_due() const noexcept {
    return timers_.empty() ? std::numeric_limits<std::uint64_t>::max() : timers_.begin()->first;
}

void session_registry::clear() noexcept {
    timers_.clear();
    by_client_id_.clear();
    sessions_.clear();
}

hosted_session& session_registry::create(fleetmq::session::session s) {
    const auto id = next_id_++;
    const auto client_id = s.client_id();
    auto hosted = std::make_unique<hosted_session>(session_ref{shard_, id}, std::move(s));
    auto& created = *hosted;
    sessions_.emplace(id, std::move(hosted));
    by_client_id_.insert_or_assign(client_id, id);
    return created;
}

void session_registry::schedule(hosted_session& s) {
    unschedule(s);
    if (s.online == nullptr) {
        s.timer = timers_.emplace(s.next_deadline(), s.ref.id);
    }
}

void session_registry::unschedule(hosted_session& s) noexcept {
    if (s.timer) {
        timers_.erase(*s.timer);
        s.timer.reset();
    }
}

} // namespace fleetmq::broker::detail
