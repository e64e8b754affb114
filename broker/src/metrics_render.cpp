#include "metrics_render.hpp"

#include "metrics_text.hpp"

#include "fleetmq/auth/identity_policy.hpp"
#include "fleetmq/protocol/packet_type.hpp"
#include "fleetmq/protocol/reason_code.hpp"

#include <cctype>

namespace fleetmq::broker::detail {

namespace {

/// Every auth failure reason, so that each series exists (at 0) before its first event and
/// alerts on a rate see it.
std::vector<std::string> auth_failure_reasons() {
    std::vector<std::string> reasons;
    for (std::size_t f = 0; f < handshake_failure_count; ++f) {
        if (tls::is_certificate_failure(static_cast<tls::handshake_failure>(f))) {
            reasons.emplace_back(tls::to_string(static_cast<tls::handshake_failure>(f)));
        }
    }
    for (std::uint8_t i = 0;
         i <= static_cast<std::uint8_t>(auth::identity_failure::unknown_trust_entry); ++i) {
        reasons.emplace_back(auth::to_string(static_cast<auth::identity_failure>(i)));
    }
    reasons.emplace_back("client_id_mismatch");
    reasons.emplace_back("authentication_method");
    return reasons;
}

std::string shard_label(std::size_t i) {
    return std::to_string(i);
}

/// What one scrape renders: the shards' counters summed, and what stays per shard.
struct metrics_view {
    std::span<const shard_snapshot> shards;
    const metrics_names& names;
    const process_metrics& process;
    std::chrono::system_clock::time_point now;
    const reload_counts& reloads;
    shard_metrics total;
    tls::lean_counters lean;
    std::int64_t handshakes_in_flight = 0;
    std::int64_t sessions = 0;
    std::int64_t retained = 0;
};

/// Sums what is summed; what is per shard stays in `v.shards`.
void sum_shards(metrics_view& v) {
    auto& total = v.total;
    auto& lean = v.lean;
    const auto& names = v.names;
    total.handshakes.resize(names.listeners.size());
    total.connections_by_trust.assign(names.trusts.size(), 0);
    total.not_after_by_trust.resize(names.trusts.size());
    for (const auto& s : v.shards) {
        const auto& c = s.counted;
        lean.key_updates_received += s.lean.key_updates_received;
        lean.key_updates_sent += s.lean.key_updates_sent;
        for (std::size_t a = 0; a < tls::lean_alert_count; ++a) {
            lean.alerts_received[a] += s.lean.alerts_received[a];
            lean.alerts_sent[a] += s.lean.alerts_sent[a];
        }
        for (std::size_t l = 0; l < c.handshakes.size() && l < total.handshakes.size(); ++l) {
            auto& t = total.handshakes[l];
            t.ok += c.handshakes[l].ok;
            t.resumed += c.handshakes[l].resumed;
            for (std::size_t r = 0; r < t.failed.size(); ++r) {
                t.failed[r] += c.handshakes[l].failed[r];
            }
            t.seconds.add(c.handshakes[l].seconds);
        }
        for (std::size_t i = 0; i < total.connacks.size(); ++i) {
            total.connacks[i] += c.connacks[i];
        }
        for (const auto& [reason, n] : c.auth_failures) {
            total.auth_failures[reason] += n;
        }
        for (std::size_t i = 0; i < total.acl_denied.size(); ++i) {
            total.acl_denied[i] += c.acl_denied[i];
        }
        total.acl_withheld += c.acl_withheld;
        total.topic_aliases_assigned += c.topic_aliases_assigned;
        total.topic_alias_publishes += c.topic_alias_publishes;
        total.topic_alias_bytes_saved += c.topic_alias_bytes_saved;
        for (std::size_t t = 0; t < c.connections_by_trust.size() && t < names.trusts.size(); ++t) {
            total.connections_by_trust[t] += c.connections_by_trust[t];
            for (const auto& [not_after, n] : c.not_after_by_trust[t]) {
                total.not_after_by_trust[t][not_after] += n;
            }
        }
        for (std::size_t i = 0; i < 16; ++i) {
            total.packets_received[i] += c.packets_received[i];
            total.packets_sent[i] += c.packets_sent[i];
        }
        for (std::size_t i = 0; i < 3; ++i) {
            total.publish_received[i] += c.publish_received[i];
            total.publish_sent[i] += c.publish_sent[i];
        }
        total.bytes_received += c.bytes_received;
        total.bytes_sent += c.bytes_sent;
        for (std::size_t i = 0; i < total.drops.size(); ++i) {
            total.drops[i] += c.drops[i];
        }
        total.outbound_bytes += c.outbound_bytes;
        total.lean_connections += c.lean_connections;
        total.refused_max_connections += c.refused_max_connections;
        total.accept_errors += c.accept_errors;
        total.connect_timeouts += c.connect_timeouts;
        total.subscriptions += c.subscriptions;
        total.sessions_online += c.sessions_online;
        v.handshakes_in_flight += s.handshakes_in_flight;
        v.sessions += s.sessions;
        v.retained += s.retained;
    }
    // Every reason has its series (at 0) before its first event, for alerts on a rate.
    for (const auto& reason : auth_failure_reasons()) {
        total.auth_failures.try_emplace(reason, 0);
    }
}

/// TLS handshakes by listener and result, their durations, and those in progress.
void render_tls(metrics_text& m, const metrics_view& v) {
    const auto& total = v.total;
    const auto& names = v.names;
    const auto handshakes_in_flight = v.handshakes_in_flight;
    m.family("fleetmq_tls_handshakes_total", "counter",
             "TLS handshakes by listener, result and failure reason.");
    for (std::size_t l = 0; l < names.listeners.size(); ++l) {
        const auto& h = total.handshakes[l];
        m.sample("fleetmq_tls_handshakes_total",
                 {{"listener", names.listeners[l]}, {"result", "ok"}, {"reason", "none"}}, h.ok);
        for (std::size_t r = 1; r < h.failed.size(); ++r) {
            const auto reason = tls::to_string(static_cast<tls::handshake_failure>(r));
            m.sample("fleetmq_tls_handshakes_total",
                     {{"listener", names.listeners[l]}, {"result", "failed"}, {"reason", reason}},
                     h.failed[r]);
        }
    }
    m.family("fleetmq_tls_resumed_handshakes_total", "counter",
             "Successful TLS handshakes that resumed a session (ticket).");
    for (std::size_t l = 0; l < names.listeners.size(); ++l) {
        m.sample("fleetmq_tls_resumed_handshakes_total", {{"listener", names.listeners[l]}},
                 total.handshakes[l].resumed);
    }
    m.family("fleetmq_tls_handshake_duration_seconds", "histogram",
             "Time from accept to the end of a successful TLS handshake.");
    for (std::size_t l = 0; l < names.listeners.size(); ++l) {
        const auto& h = total.handshakes[l].seconds;
        m.histogram("fleetmq_tls_handshake_duration_seconds", {{"listener", names.listeners[l]}},
                    handshake_seconds_bounds, h.counts, h.sum);
    }
    m.family("fleetmq_tls_handshakes_in_flight", "gauge", "TLS handshakes in progress.");
    m.sample("fleetmq_tls_handshakes_in_flight", {}, handshakes_in_flight);
}

/// Certificate and identity refusals, CONNACKs, ACL decisions, topic aliases.
void render_auth(metrics_text& m, const metrics_view& v) {
    const auto& total = v.total;
    m.family("fleetmq_connects_total", "counter", "CONNACKs sent, by reason code.");
    for (std::size_t code = 0; code < total.connacks.size(); ++code) {
        if (total.connacks[code] != 0 || code == 0) {
            const auto name =
                label_value(protocol::to_string(static_cast<protocol::reason_code>(code)));
            m.sample("fleetmq_connects_total", {{"result", name}}, total.connacks[code]);
        }
    }
    m.family("fleetmq_auth_failures_total", "counter",
             "Clients refused for who they are: certificate problems, unusable ids, client ids "
             "that are not theirs.");
    for (const auto& [reason, n] : total.auth_failures) {
        m.sample("fleetmq_auth_failures_total", {{"reason", reason}}, n);
    }
    m.family("fleetmq_acl_denied_total", "counter",
             "PUBLISHes and SUBSCRIBE filters the ACL denied.");
    m.sample("fleetmq_acl_denied_total", {{"action", "publish"}}, total.acl_denied[0]);
    m.sample("fleetmq_acl_denied_total", {{"action", "subscribe"}}, total.acl_denied[1]);
    m.family("fleetmq_acl_withheld_total", "counter",
             "Messages not delivered through a subscription granted wider than a deny rule "
             "(\"everything except X\"), because the deny rule covers their topic.");
    m.sample("fleetmq_acl_withheld_total", {}, total.acl_withheld);
    m.family("fleetmq_outbound_topic_aliases_assigned_total", "counter",
             "Topic Aliases the broker set up on PUBLISHes to 5.0 clients.");
    m.sample("fleetmq_outbound_topic_aliases_assigned_total", {}, total.topic_aliases_assigned);
    m.family("fleetmq_outbound_topic_alias_publishes_total", "counter",
             "PUBLISHes sent to clients with a Topic Alias in place of their topic.");
    m.sample("fleetmq_outbound_topic_alias_publishes_total", {}, total.topic_alias_publishes);
    m.family("fleetmq_outbound_topic_alias_saved_bytes_total", "counter",
             "Topic bytes left out of PUBLISHes sent with a known Topic Alias, less their "
             "alias property's 3 bytes (each PUBLISH that set an alias up carried 3 more).");
    m.sample("fleetmq_outbound_topic_alias_saved_bytes_total", {}, total.topic_alias_bytes_saved);
}

/// Connected devices and the time left on their certificates, per trust entry (vendor).
void render_trust(metrics_text& m, const metrics_view& v) {
    const auto& total = v.total;
    const auto& names = v.names;
    const auto now = v.now;
    m.family("fleetmq_connections", "gauge", "Connected MQTT clients by trust entry (vendor).");
    for (std::size_t t = 0; t < names.trusts.size(); ++t) {
        m.sample("fleetmq_connections", {{"trust", names.trusts[t]}},
                 total.connections_by_trust[t]);
    }
    m.family("fleetmq_client_cert_expiry_seconds", "histogram",
             "Time left until the certificates of connected clients expire.");
    const auto now_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    for (std::size_t t = 0; t < names.trusts.size(); ++t) {
        bucket_counts<cert_expiry_bounds.size()> left;
        for (const auto& [not_after, n] : total.not_after_by_trust[t]) {
            const auto seconds = static_cast<double>(not_after - now_seconds);
            left.observe(seconds, cert_expiry_bounds, static_cast<std::uint64_t>(n));
        }
        m.histogram("fleetmq_client_cert_expiry_seconds", {{"trust", names.trusts[t]}},
                    cert_expiry_bounds, left.counts, left.sum);
    }
}

/// Connections, sessions, subscriptions, packets, bytes, drops, queues and lean records.
void render_traffic(metrics_text& m, const metrics_view& v) {
    const auto& total = v.total;
    const auto& names = v.names;
    const auto& shards = v.shards;
    const auto& lean = v.lean;
    const auto sessions = v.sessions;
    const auto retained = v.retained;
    m.family("fleetmq_max_connections", "gauge",
             "limits.max_connections: sockets the broker holds.");
    m.sample("fleetmq_max_connections", {}, names.max_connections);
    m.family("fleetmq_connections_refused_total", "counter",
             "Connections closed at accept: max_connections reached, or accept failed (out of "
             "file descriptors).");
    m.sample("fleetmq_connections_refused_total", {{"reason", "max_connections"}},
             total.refused_max_connections);
    m.sample("fleetmq_connections_refused_total", {{"reason", "accept_error"}},
             total.accept_errors);
    m.family("fleetmq_connect_timeouts_total", "counter",
             "Connections closed because no complete CONNECT arrived within handshake_timeout_ms "
             "of the accept (slow or silent clients).");
    m.sample("fleetmq_connect_timeouts_total", {}, total.connect_timeouts);
    m.family("fleetmq_shard_connections", "gauge", "Open client sockets by shard.");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        m.sample("fleetmq_shard_connections", {{"shard", shard_label(i)}}, shards[i].connections);
    }
    m.family("fleetmq_sessions", "gauge", "MQTT sessions, online (with a connection) or offline.");
    m.sample("fleetmq_sessions", {{"state", "online"}}, total.sessions_online);
    m.sample("fleetmq_sessions", {{"state", "offline"}}, sessions - total.sessions_online);
    m.family("fleetmq_subscriptions", "gauge", "Subscriptions held by sessions.");
    m.sample("fleetmq_subscriptions", {}, total.subscriptions);
    m.family("fleetmq_retained_messages", "gauge", "Topics with a retained message.");
    m.sample("fleetmq_retained_messages", {}, retained);
    const auto per_type = [&](std::string_view name, std::string_view help,
                              const std::array<std::uint64_t, 16>& counts) {
        m.family(name, "counter", help);
        for (std::uint8_t t = 1; t < 16; ++t) {
            const auto type =
                label_value(protocol::to_string(static_cast<protocol::packet_type>(t)));
            m.sample(name, {{"type", type}}, counts[t]);
        }
    };
    per_type("fleetmq_packets_received_total", "MQTT packets received, by type.",
             total.packets_received);
    per_type("fleetmq_packets_sent_total", "MQTT packets sent, by type.", total.packets_sent);
    const auto per_qos = [&](std::string_view name, std::string_view help,
                             const std::array<std::uint64_t, 3>& counts) {
        m.family(name, "counter", help);
        for (std::size_t q = 0; q < counts.size(); ++q) {
            m.sample(name, {{"qos", std::to_string(q)}}, counts[q]);
        }
    };
    per_qos("fleetmq_publish_received_total", "PUBLISH packets received, by QoS.",
            total.publish_received);
    per_qos("fleetmq_publish_sent_total", "PUBLISH packets sent, by QoS.", total.publish_sent);
    m.family("fleetmq_received_bytes_total", "counter", "MQTT bytes received (inside TLS).");
    m.sample("fleetmq_received_bytes_total", {}, total.bytes_received);
    m.family("fleetmq_sent_bytes_total", "counter", "MQTT bytes sent (inside TLS).");
    m.sample("fleetmq_sent_bytes_total", {}, total.bytes_sent);
    m.family("fleetmq_dropped_messages_total", "counter", "Messages not delivered, by reason.");
    for (std::size_t r = 0; r < total.drops.size(); ++r) {
        m.sample("fleetmq_dropped_messages_total", {{"reason", drop_reason_labels[r]}},
                 total.drops[r]);
    }
    m.family("fleetmq_outbound_queue_bytes", "gauge",
             "Bytes queued to clients and not yet written to their sockets.");
    m.sample("fleetmq_outbound_queue_bytes", {}, total.outbound_bytes);
    m.family("fleetmq_tls_lean_connections", "gauge",
             "Connected clients whose records the lean layer protects (OpenSSL's state freed).");
    m.sample("fleetmq_tls_lean_connections", {}, total.lean_connections);
    m.family("fleetmq_tls_lean_key_updates_total", "counter",
             "TLS 1.3 KeyUpdates on lean connections: received from clients, sent by the broker "
             "(asked for, or at the key's usage limit).");
    m.sample("fleetmq_tls_lean_key_updates_total", {{"direction", "received"}},
             lean.key_updates_received);
    m.sample("fleetmq_tls_lean_key_updates_total", {{"direction", "sent"}}, lean.key_updates_sent);
    m.family("fleetmq_tls_lean_alerts_total", "counter",
             "TLS alerts on lean connections, received and sent, by description.");
    for (std::size_t a = 0; a < tls::lean_alert_count; ++a) {
        const auto alert = std::string{tls::to_string(static_cast<tls::lean_alert>(a))};
        m.sample("fleetmq_tls_lean_alerts_total", {{"direction", "received"}, {"alert", alert}},
                 lean.alerts_received[a]);
        m.sample("fleetmq_tls_lean_alerts_total", {{"direction", "sent"}, {"alert", alert}},
                 lean.alerts_sent[a]);
    }
}

/// Per shard: connections, mailboxes and batches.
void render_shards(metrics_text& m, const metrics_view& v) {
    const auto& shards = v.shards;
    m.family("fleetmq_mailbox_depth", "gauge", "Envelopes waiting in a shard's inboxes.");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        m.sample("fleetmq_mailbox_depth", {{"shard", shard_label(i)}}, shards[i].mailbox_depth);
    }
    m.family("fleetmq_mailbox_overflow", "gauge",
             "Envelopes a shard holds back because another shard's inbox is full.");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        m.sample("fleetmq_mailbox_overflow", {{"shard", shard_label(i)}},
                 shards[i].mailbox_overflow);
    }
    m.family("fleetmq_mailbox_overflow_bytes", "gauge",
             "Bytes (envelopes and their messages) a shard holds back for full inboxes; QoS 0 "
             "is dropped past 8 MiB per target shard.");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        m.sample("fleetmq_mailbox_overflow_bytes", {{"shard", shard_label(i)}},
                 shards[i].mailbox_overflow_bytes);
    }
    m.family("fleetmq_mailbox_batch_size", "histogram", "Envelopes handled per mailbox wake-up.");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const auto& b = shards[i].counted.mailbox_batches;
        m.histogram("fleetmq_mailbox_batch_size", {{"shard", shard_label(i)}}, batch_size_bounds,
                    b.counts, b.sum);
    }
}

/// Reloads by result and the time of the last good one.
void render_reloads(metrics_text& m, const metrics_view& v) {
    const auto& reloads = v.reloads;
    m.family("fleetmq_reloads_total", "counter",
             "Reloads (SIGHUP or the admin API) by result; a failed one changed nothing.");
    m.sample("fleetmq_reloads_total", {{"result", "ok"}}, reloads.succeeded);
    m.sample("fleetmq_reloads_total", {{"result", "failed"}}, reloads.failed);
    m.family("fleetmq_last_reload_success_timestamp_seconds", "gauge",
             "When the configuration in force was loaded (the start, or the last good reload).");
    m.sample("fleetmq_last_reload_success_timestamp_seconds", {}, reloads.last_success_seconds);
}

/// The process_* series Prometheus expects of every exporter.
void render_process(metrics_text& m, const metrics_view& v) {
    const auto& process = v.process;
    m.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    m.sample("process_resident_memory_bytes", {}, process.resident_bytes);
    m.family("process_open_fds", "gauge", "Number of open file descriptors.");
    m.sample("process_open_fds", {}, process.open_fds);
    m.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    m.sample("process_max_fds", {}, process.max_fds);
    m.family("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
    m.sample("process_cpu_seconds_total", {}, process.cpu_seconds);
    m.family("process_start_time_seconds", "gauge",
             "Start time of the process since the epoch in seconds.");
    m.sample("process_start_time_seconds", {}, process.start_time_seconds);
}

} // namespace

std::string label_value(std::string_view text) {
    std::string out;
    for (const char c : text) {
        out += c == ' ' || c == '-'
                   ? '_'
                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string render_metrics(std::span<const shard_snapshot> shards, const metrics_names& names,
                           const process_metrics& process,
                           std::chrono::system_clock::time_point now,
                           const reload_counts& reloads) {
    metrics_view v{shards, names, process, now, reloads, {}, {}};
    sum_shards(v);
    metrics_text m;
    m.family("fleetmq_build_info", "gauge", "The running fleetmq's version (always 1).");
    m.sample("fleetmq_build_info", {{"version", names.version}}, std::int64_t{1});
    render_tls(m, v);
    render_auth(m, v);
    render_trust(m, v);
    render_traffic(m, v);
    render_shards(m, v);
    render_reloads(m, v);
    render_process(m, v);
    return m.take();
}

} // namespace fleetmq::broker::detail
