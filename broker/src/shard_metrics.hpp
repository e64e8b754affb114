#pragma once

#include "fleetmq/tls/handshake_failure.hpp"
#include "fleetmq/tls/lean_counters.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fleetmq::broker::detail {

/// Observations counted in fixed buckets given by their upper bounds (Prometheus `le`); the
/// last count is the +Inf bucket.
template <std::size_t N>
struct bucket_counts {
    std::array<std::uint64_t, N + 1> counts{};
    double sum = 0;

    /// `times` observations of `value`.
    void observe(double value, const std::array<double, N>& bounds,
                 std::uint64_t times = 1) noexcept {
        const auto at = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
        counts[static_cast<std::size_t>(at)] += times;
        sum += value * static_cast<double>(times);
    }
    void add(const bucket_counts& other) noexcept {
        for (std::size_t i = 0; i < counts.size(); ++i) {
            counts[i] += other.counts[i];
        }
        sum += other.sum;
    }
};

/// TLS handshake duration, 1 ms to 10 s.
inline constexpr std::array<double, 13> handshake_seconds_bounds{
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
/// Time left until a connected device's certificate expires: 1 day to 2 years.
inline constexpr std::array<double, 8> cert_expiry_bounds{
    86400, 7 * 86400, 14 * 86400, 30 * 86400, 90 * 86400, 180 * 86400, 365 * 86400, 730 * 86400};
/// Envelopes handled per mailbox wake-up.
inline constexpr std::array<double, 7> batch_size_bounds{1, 4, 16, 64, 256, 1024, 4096};

/// Why a message was not delivered.
enum class drop_reason : std::uint8_t {
    queue_full,         // QoS 0 to a subscriber whose outbound queue is full
    offline,            // QoS 0 to an offline session (never queued)
    offline_queue_full, // QoS 1/2 to an offline session past its bound
    mailbox_full,       // QoS 0 between shards while the target shard is far behind
    retained_store_full,
    expired, // Message Expiry Interval passed while it waited
    count_
};
inline constexpr std::array<const char*, static_cast<std::size_t>(drop_reason::count_)>
    drop_reason_labels{"queue_full",          "offline", "offline_queue_full", "mailbox_full",
                       "retained_store_full", "expired"};

inline constexpr std::size_t handshake_failure_count =
    static_cast<std::size_t>(tls::handshake_failure::other) + 1;

/// What one shard counts, written only by its thread and read by the scrape on that same
/// thread (a copy is taken there), so plain integers suffice. Gauges that the shard can compute
/// cheaply when asked (connections, sessions, retained messages, mailbox depth) are not here.
struct shard_metrics {
    struct listener_handshakes {
        std::uint64_t ok = 0;
        std::uint64_t resumed = 0;
        std::array<std::uint64_t, handshake_failure_count> failed{};
        bucket_counts<handshake_seconds_bounds.size()> seconds;
    };
    std::vector<listener_handshakes> handshakes; // per listener

    /// CONNACKs sent, by reason code.
    std::array<std::uint64_t, 256> connacks{};
    /// Refused identities: certificate problems, bad ids, client-id mismatches (bounded set).
    std::map<std::string, std::uint64_t> auth_failures;
    std::array<std::uint64_t, 2> acl_denied{}; // publish, subscribe
    /// Messages not delivered through a filtered subscription: a deny rule covers the topic.
    std::uint64_t acl_withheld = 0;
    /// Outbound Topic Aliases set up, PUBLISHes sent with an alias instead of their topic, and
    /// the topic bytes left out of those (less their alias property's 3 bytes).
    std::uint64_t topic_aliases_assigned = 0;
    std::uint64_t topic_alias_publishes = 0;
    std::uint64_t topic_alias_bytes_saved = 0;

    /// Per trust entry: connected devices and the notAfter (unix seconds) of their certificates.
    std::vector<std::int64_t> connections_by_trust;
    std::vector<std::map<std::int64_t, std::int64_t>> not_after_by_trust;

    std::array<std::uint64_t, 16> packets_received{}; // by packet type
    std::array<std::uint64_t, 16> packets_sent{};
    std::array<std::uint64_t, 3> publish_received{}; // by QoS
    std::array<std::uint64_t, 3> publish_sent{};
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(drop_reason::count_)> drops{};
    std::int64_t outbound_bytes = 0;   // queued in connections, not yet written
    std::int64_t lean_connections = 0; // connected, records by the lean layer
    std::uint64_t refused_max_connections = 0;
    std::uint64_t accept_errors = 0;    // e.g. out of file descriptors
    std::uint64_t connect_timeouts = 0; // handshake done, no complete CONNECT by the deadline
    std::int64_t subscriptions = 0;
    std::int64_t sessions_online = 0;
    bucket_counts<batch_size_bounds.size()> mailbox_batches;

    void drop(drop_reason reason) noexcept { ++drops[static_cast<std::size_t>(reason)]; }
};

/// What a scrape reads from one shard, taken on its thread.
struct shard_snapshot {
    shard_metrics counted;
    /// What the lean record layers did on this shard's thread.
    tls::lean_counters lean;
    std::int64_t connections = 0; // open sockets, handshakes included
    std::int64_t handshakes_in_flight = 0;
    std::int64_t sessions = 0;
    std::int64_t retained = 0;
    std::int64_t mailbox_depth = 0;    // envelopes waiting in this shard's inboxes
    std::int64_t mailbox_overflow = 0; // envelopes this shard holds back for others (full rings)
    std::int64_t mailbox_overflow_bytes = 0; // and the message bytes they hold
};

} // namespace fleetmq::broker::detail
