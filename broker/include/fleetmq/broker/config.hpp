#pragma once

#include "fleetmq/auth/client_id_policy.hpp"
#include "fleetmq/tls/server_config.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetmq::broker {

/// A configuration that cannot be used. The message names the file, the line and the key:
/// "fleetmq.toml:12: limits.max_inflight: must be between 1 and 65535".
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct listener_config {
    std::string address = "0.0.0.0";
    std::uint16_t port = 8883;
    /// TLS settings; the trust entries are the configuration's, shared by every listener.
    tls::server_config tls;
};

struct limits_config {
    std::size_t max_connections = 100'000;
    /// TLS handshakes a shard runs at once; past it the shard stops accepting until one ends,
    /// so that a reconnect storm queues in the kernel instead of starving connected clients.
    std::size_t max_handshakes_in_flight = 128;
    /// The largest packet accepted before CONNECT completes: small, so that an unauthenticated
    /// peer cannot make the broker buffer much.
    std::uint32_t max_connect_packet_size = 8 * 1024;
    /// The largest packet accepted afterwards (announced as Maximum Packet Size).
    std::uint32_t max_packet_size = 256 * 1024;
    /// QoS 1/2 PUBLISHes a client may have unacknowledged (announced as Receive Maximum).
    std::uint16_t max_inflight = 32;
    /// Per session: messages and bytes queued for delivery; past them QoS 0 is dropped and a
    /// session over its bound is disconnected (Quota exceeded).
    std::size_t max_queued_messages = 1000;
    std::size_t max_queued_bytes = 1024 * 1024;
    std::size_t max_subscriptions = 32;
    /// Keep alive a client may ask for; a larger one (or 0) is replaced by this (Server Keep
    /// Alive in 5.0).
    std::uint16_t max_keep_alive = 1200;
    /// Seconds an offline session is kept (a client asking for longer is told this); also
    /// how long a 3.1.1 Clean Session 0 session is kept.
    std::uint32_t max_session_expiry = 7 * 24 * 3600;
    /// Topics with a retained message, broker-wide; past it a retained message for a new topic
    /// is delivered but not stored (replacing or clearing one always works).
    std::size_t max_retained_messages = 1'000'000;
    /// Topic Aliases the broker assigns per 5.0 connection to the topics it sends, when the
    /// client announces a Topic Alias Maximum (the smaller of the two applies); 0: none.
    std::uint16_t max_outbound_topic_aliases = 16;
};

/// The trust entry with the broker-side rules that go with it.
struct trust_config {
    tls::trust_entry entry;
    auth::client_id_rule client_id = auth::client_id_rule::equal_to_id;
};

/// The HTTP endpoint for Prometheus and operators: /metrics, /healthz, /readyz, /api/v1/...
struct admin_config {
    bool enabled = true;
    std::string address = "127.0.0.1";
    std::uint16_t port = 9883;
    /// When not empty, every path but /healthz needs "Authorization: Bearer <token>".
    std::string token;
};

struct config {
    std::filesystem::path source;
    /// 0: one shard per core.
    unsigned shards = 0;
    std::string log_level = "info";
    std::vector<listener_config> listeners;
    std::vector<trust_config> trust;
    limits_config limits;
    /// Rule file; empty: the built-in default rules.
    std::filesystem::path acl_file;
    admin_config admin;

    /// The TLS settings of `listener` with the trust entries filled in.
    tls::server_config tls_for(const listener_config& listener) const;
};

/// Reads and checks a TOML configuration file: unknown keys, missing ones and bad values are
/// config_errors naming the file, the line and the key. Relative paths in it are relative to
/// the file's directory. It does not open the certificate files (building the TLS context does).
config load_config(const std::filesystem::path& path);

} // namespace fleetmq::broker
