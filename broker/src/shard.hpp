#pragma once

#include "envelope.hpp"
#include "keep_alive_wheel.hpp"
#include "lingering_close.hpp"
#include "log_limiter.hpp"
#include "mailbox.hpp"
#include "placement.hpp"
#include "retained_store.hpp"
#include "router.hpp"
#include "session.hpp"
#include "session_registry.hpp"
#include "shard_metrics.hpp"

#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/auth/identity.hpp"
#include "fleetmq/broker/config.hpp"
#include "fleetmq/tls/server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

namespace fleetmq::broker::detail {

class connection;
class shard;

/// What every shard reads. `config` is the start's and never changes (listeners, shards);
/// what a reload may change is in `live`, of which each shard holds its own copy.
struct shared_state {
    broker::config config;
    /// The configuration in force: the start's with the reloads applied (see reload_plan).
    std::shared_ptr<const broker::config> live_config() const {
        const std::lock_guard lock{live_mutex};
        return live;
    }
    void set_live_config(std::shared_ptr<const broker::config> c) {
        const std::lock_guard lock{live_mutex};
        live = std::move(c);
    }
    std::vector<std::shared_ptr<const tls::server_context>> tls; // per listener
    std::shared_ptr<const acl::rule_set> acl;
    std::vector<std::unique_ptr<shard>> shards;
    /// The rings between the shards, made with them.
    std::unique_ptr<mailboxes> mail;
    std::atomic<std::size_t> connections{0};
    std::atomic<bool> stopping{false};
    /// Every listener accepts (for /readyz).
    std::atomic<bool> listening{false};
    /// Held while a reload reads files and replaces `tls` and `acl` above.
    std::mutex reload_mutex;
    std::atomic<std::uint64_t> reloads_succeeded{0};
    std::atomic<std::uint64_t> reloads_failed{0};
    /// Unix time of the start, then of the last successful reload.
    std::atomic<double> last_reload_success{0};

private:
    mutable std::mutex live_mutex;
    std::shared_ptr<const broker::config> live;
};

/// One core's share of the broker: a thread running its own io_context, its acceptors, its
/// connections, its part of the subscription index and of the client-id registry, and its
/// inboxes from the other shards. Everything here is touched only on this shard's thread;
/// other shards reach it only through `send`.
class shard : private session_events {
public:
    shard(shared_state& state, std::uint32_t index);
    ~shard();

    std::uint32_t index() const noexcept { return index_; }
    boost::asio::io_context& io() noexcept { return io_; }
    /// The configuration in force on this shard (changed by adopt()).
    const broker::config& config() const noexcept { return *config_; }
    const acl::rule_set& acl() const noexcept { return *acl_; }
    shared_state& state() noexcept { return state_; }

    /// Opens this shard's SO_REUSEPORT acceptor for listener `i` on `port` (the port the first
    /// shard got, when the configuration asks for port 0). Returns the bound port.
    std::uint16_t listen(std::size_t i, std::uint16_t port);
    void start();
    void join();
    /// Asks every connection to close (5.0 clients get Server shutting down), then stops.
    void shut_down();
    /// After every shard has stopped: drops the envelopes still waiting in the inboxes and
    /// the overflow.
    void discard_mail();

    // For connections (on this shard's thread).
    /// Steady-clock time: seconds for rate limits, milliseconds for every deadline.
    std::uint64_t now_second() const;
    std::uint64_t now_ms() const;
    void watch_keep_alive(std::uint64_t connection, std::uint64_t deadline_ms);
    lingering_closes& lingering() noexcept { return lingering_; }
    std::span<std::uint8_t> scratch() noexcept { return scratch_; }
    /// Where a connection gathers several queued packets into one TLS record (one write).
    std::vector<std::uint8_t>& gather_buffer() noexcept { return gather_; }
    void publish(const message_ptr& msg, const session_ref& origin);
    /// Returns how many confirmations (subscribe_done with `token`) will come.
    std::size_t subscribe(const std::string& filter, const subscription_entry& entry,
                          protocol::retain_handling retain_handling, std::uint32_t token);
    void unsubscribe(const std::string& filter, const session_ref& who);
    void forget(std::uint64_t connection);
    /// Which shard holds a client id's session, a topic's subscribers and retained message.
    const detail::placement& placement() const noexcept { return placement_; }

    // Sessions (on their home shard).
    /// Moves connection `c`, which holds its socket as a bare descriptor now, to shard `home`,
    /// where it goes on with connection::arrive.
    void hand_off(std::shared_ptr<connection> c, std::uint32_t home);
    /// The session `c` continues (true: it existed and is resumed) or a new one. A connection
    /// that holds the client id now is taken over first (5.0: Session taken over).
    std::pair<hosted_session*, bool> open_session(connection& c, const std::string& client_id,
                                                  const auth::identity& identity, bool clean_start);
    /// `s`'s connection has closed: the session ends now, or waits for its expiry with its
    /// will due after the Will Delay Interval.
    void detach(hosted_session& s);
    /// After a reload (on this shard's thread): new connections use `tls` and everyone uses
    /// `rules` from now on; connected devices whose certificate the new CRLs list are
    /// disconnected. Returns how many were.
    std::size_t adopt(std::vector<std::shared_ptr<const tls::server_context>> tls,
                      std::shared_ptr<const acl::rule_set> rules,
                      std::shared_ptr<const broker::config> config);
    /// How many reloads this shard has adopted. Every shard adopts each reload once, in order,
    /// so the numbers agree between shards once they have caught up.
    std::uint64_t trust_generation() const noexcept { return trust_generation_; }
    /// The TLS context (CAs, CRLs) that listener `i`'s connections are judged by now.
    const tls::server_context& trust(std::size_t i) const noexcept { return *tls_[i]; }
    /// The admin API's view of a client id this shard owns: JSON, or nothing if it has no
    /// session here.
    std::optional<std::string> describe_client(const std::string& client_id) const;
    /// Disconnects the client id's connection (Administrative action); false if not connected.
    bool disconnect_client(const std::string& client_id);

    /// This shard's counters (its thread only).
    shard_metrics& metrics() noexcept { return metrics_; }
    /// What a scrape reads, taken on this shard's thread.
    shard_snapshot snapshot() const;
    /// A handshake ended (either way): accepting resumes if it was paused for the bound.
    void handshake_ended();
    /// Rate limits for the log lines a misbehaving fleet can trigger at will.
    log_limiters& refusal_log() noexcept { return refusal_log_; }

    /// Sends to shard `to` (handled later on this thread when `to` is this shard).
    void send(std::uint32_t to, envelope e);

    /// True while envelopes for another shard wait here past the bound: connections then stop
    /// reading (backpressure to publishers) until it drains.
    bool congested() const noexcept;
    /// Registers a connection that stopped reading because of congestion; it is resumed when
    /// the overflow drains.
    void pause_reader(std::weak_ptr<connection> reader);

private:
    void accept(std::size_t listener);
    void drain();
    void handle(envelope& e);
    /// On the topic's owner: retains, matches and sends one delivery per subscriber.
    void route(const route_request& r);
    void deliver(delivery d, const message_ptr& msg);
    /// Stores (or clears) `msg` as its topic's retained message.
    void retain(const message_ptr& msg);
    void send_retained(const subscribe_request& request, bool fresh);
    void tick();
    /// A will due (session_events): published if the rules in force still allow its topic.
    void will_due(hosted_session& s) override;
    /// A session ending (session_events): its subscriptions leave the router.
    void session_ending(hosted_session& s) override;
    void deliver_to_session(const deliver_request& d);
    /// In debug builds, that the caller runs on this shard's thread.
    void assert_owner() const;
    void flush_overflow();
    /// Flushes the overflow again in a millisecond (once, however often it is asked).
    void retry_overflow_soon();
    void wake(std::uint32_t to);

    shared_state& state_;
    std::uint32_t index_;
    boost::asio::io_context io_{1};
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::vector<bool> accept_paused_;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> accept_retry_;
    std::size_t handshakes_in_flight_ = 0;
    log_limiters refusal_log_{20}; // lines per second, per kind
    boost::asio::steady_timer ticker_{io_};
    lingering_closes lingering_{io_};
    std::thread thread_;
    std::thread::id owner_thread_;

    std::unordered_map<std::uint64_t, std::shared_ptr<connection>> connections_;
    std::uint64_t next_connection_ = 1;
    router router_;
    std::vector<delivery> matches_; // route()'s buffer, kept for its capacity
    /// Sessions whose client id this shard owns.
    session_registry sessions_{index_, *this};
    detail::placement placement_{state_.mail->shards()};
    retained_store retained_;
    keep_alive_wheel wheel_;
    std::uint64_t wheel_slot_ = 0; // the next slot of wheel_ to take
    std::array<std::uint8_t, 16 * 1024> scratch_{};
    std::vector<std::uint8_t> gather_;

    /// A wake-up (drain) is posted only when a sender finds this clear, i.e. once per batch.
    std::atomic<bool> wake_pending_{false};
    /// What this shard sends the others, with what their full rings could not take yet.
    outbox outbox_;
    boost::asio::steady_timer overflow_timer_{io_};
    bool overflow_timer_armed_ = false;
    std::vector<std::weak_ptr<connection>> paused_readers_;
    shard_metrics metrics_;
    /// This shard's copies, swapped by adopt(): a reload never touches another thread's.
    std::vector<std::shared_ptr<const tls::server_context>> tls_;
    std::shared_ptr<const acl::rule_set> acl_;
    std::shared_ptr<const broker::config> config_;
    std::uint64_t trust_generation_ = 0;
};

} // namespace fleetmq::broker::detail
