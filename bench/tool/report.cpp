#include "report.hpp"

#include "report_parts.hpp"

#include <fmt/format.h>

namespace fleetmq::bench {

namespace {

double throughput(const pubsub_result& r) {
    return r.publish_seconds > 0 ? static_cast<double>(r.received) / r.publish_seconds : 0;
}

double rate(const flood_result& r) {
    return r.connect_seconds > 0 ? static_cast<double>(r.established) / r.connect_seconds : 0;
}

} // namespace

std::string flood_table(const flood_options& o, const device_identities& devices,
                        const flood_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench flood: {} connections to {}:{}, MQTT {}, TLS {}, {} certificate(s), {}\n\n",
        r.attempted, o.to.host, o.to.port, protocol::to_string(o.to.mqtt),
        o.to.tls_version == 0 ? std::string{"1.2/1.3"} : fmt::format("1.{}", o.to.tls_version % 10),
        devices.size(),
        o.rate > 0 ? fmt::format("{:.0f}/s target", o.rate) : std::string{"no rate limit"});
    out += table_head();
    const auto row = [&](const std::string& name, const std::string& value) {
        out += table_row(name, value);
    };
    row("established", std::to_string(r.established));
    for (const auto& [reason, n] : r.failures) {
        row("failed: " + reason, std::to_string(n));
    }
    row("lost while held", std::to_string(r.lost_while_held));
    row("seconds to settle all", fmt::format("{:.2f}", r.connect_seconds));
    row("connections per second", fmt::format("{:.0f}", rate(r)));
    row("bench CPU seconds", fmt::format("{:.2f}", r.bench_cpu_seconds));
    if (o.broker_pid != 0) {
        row("broker CPU seconds", fmt::format("{:.2f}", r.broker_cpu_seconds));
        if (r.established != 0) {
            row("broker CPU per connection (us)",
                fmt::format("{:.0f}",
                            r.broker_cpu_seconds * 1e6 / static_cast<double>(r.established)));
        }
        row("broker RSS before (MiB)",
            fmt::format("{:.1f}", static_cast<double>(r.broker_rss_before) / 1048576.0));
        row("broker RSS held (MiB)",
            fmt::format("{:.1f}", static_cast<double>(r.broker_rss_after) / 1048576.0));
        if (r.established != 0) {
            row("broker RSS per connection (KiB)",
                fmt::format("{:.2f}", (static_cast<double>(r.broker_rss_after) -
                                       static_cast<double>(r.broker_rss_before)) /
                                          1024.0 / static_cast<double>(r.established)));
        }
    }
    out += latencies_header("latency from TCP connect (ms)");
    out += latencies_row("TLS handshake", r.tls_micros);
    out += latencies_row("CONNACK", r.connack_micros);
    return out;
}

std::string flood_json(const flood_options& o, const device_identities& devices,
                       const flood_result& r) {
    std::size_t failed = 0;
    for (const auto& entry : r.failures) {
        failed += entry.second;
    }
    const auto failures = failures_json(r.failures);
    return fmt::format(
        "{{\"command\":\"flood\",\"connections\":{},\"established\":{},\"failed\":{},"
        "\"failures\":{},\"lost_while_held\":{},\"certificates\":{},\"mqtt\":\"{}\","
        "\"seconds\":{:.3f},\"per_second\":{:.1f},\"bench_cpu_seconds\":{:.3f},"
        "\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f},\"rss_before\":{},\"rss_after\":{}}},"
        "\"tls_handshake_ms\":{},\"connack_ms\":{}}}\n",
        r.attempted, r.established, failed, failures, r.lost_while_held, devices.size(),
        protocol::to_string(o.to.mqtt), r.connect_seconds, rate(r), r.bench_cpu_seconds,
        o.broker_pid, r.broker_cpu_seconds, r.broker_rss_before, r.broker_rss_after,
        latencies_json(r.tls_micros), latencies_json(r.connack_micros));
}

std::string pubsub_table(const pubsub_options& o, const pubsub_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench pubsub: {} {} → {} {}, QoS {}, {} B payload, {}, {:.0f} s, to {}:{}\n\n",
        o.publishers, o.mode == pubsub_mode::fan_in ? "devices" : "controller connections",
        o.subscribers,
        o.mode == pubsub_mode::fan_in ? "controller connections ($share)" : "devices",
        static_cast<int>(o.qos), std::max<std::size_t>(o.payload_bytes, 16),
        o.rate > 0 ? fmt::format("open loop at {:.0f} msg/s", o.rate)
                   : fmt::format("closed loop, window {}", o.window),
        o.seconds, o.to.host, o.to.port);
    out += table_head();
    const auto row = [&](const std::string& name, const std::string& value) {
        out += table_row(name, value);
    };
    for (const auto& [reason, n] : r.connect_failures) {
        row("connect failed: " + reason, std::to_string(n));
    }
    if (r.connections_lost != 0) {
        row("connections lost", std::to_string(r.connections_lost));
    }
    row("messages sent", std::to_string(r.sent));
    row("messages received", std::to_string(r.received));
    row("lost", std::to_string(r.sent - std::min(r.sent, r.received)));
    row("messages per second", fmt::format("{:.0f}", throughput(r)));
    row("bench CPU seconds", fmt::format("{:.2f}", r.bench_cpu_seconds));
    if (o.broker_pid != 0) {
        row("broker CPU seconds", fmt::format("{:.2f}", r.broker_cpu_seconds));
        if (r.received != 0) {
            row("broker CPU per message (us)",
                fmt::format("{:.2f}",
                            r.broker_cpu_seconds * 1e6 / static_cast<double>(r.received)));
        }
        row("broker RSS (MiB)",
            fmt::format("{:.1f}", static_cast<double>(r.broker_rss_after) / 1048576.0));
    }
    out += latencies_header("end-to-end latency, publish to receipt (ms)");
    out += latencies_row("message", r.latency_micros);
    return out;
}

std::string pubsub_json(const pubsub_options& o, const pubsub_result& r) {
    return fmt::format(
        "{{\"command\":\"pubsub\",\"mode\":\"{}\",\"publishers\":{},\"subscribers\":{},"
        "\"qos\":{},\"payload_bytes\":{},\"rate\":{:.1f},\"window\":{},"
        "\"connect_failures\":{},\"connections_lost\":{},\"sent\":{},\"received\":{},\"seconds\":{:"
        ".3f},"
        "\"per_second\":{:.1f},\"bench_cpu_seconds\":{:.3f},"
        "\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f},\"rss_after\":{}}},\"latency_ms\":{}}}\n",
        o.mode == pubsub_mode::fan_in ? "fan-in" : "fan-out", o.publishers, o.subscribers,
        static_cast<int>(o.qos), std::max<std::size_t>(o.payload_bytes, 16), o.rate, o.window,
        failures_json(r.connect_failures), r.connections_lost, r.sent, r.received,
        r.publish_seconds, throughput(r), r.bench_cpu_seconds, o.broker_pid, r.broker_cpu_seconds,
        r.broker_rss_after, latencies_json(r.latency_micros));
}

std::string round_trip_table(const round_trip_options& o, const round_trip_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench command: {} devices, {} controller connection(s), QoS {}, {} B commands, "
        "{}, to {}:{}\n\n",
        o.devices, o.controllers, static_cast<int>(o.qos), o.payload_bytes,
        o.rate > 0 ? fmt::format("{:.0f} commands/s", o.rate)
                   : fmt::format("{} in flight", o.inflight),
        o.to.host, o.to.port);
    out += table_head();
    const auto row = [&](const std::string& name, const std::string& value) {
        out += table_row(name, value);
    };
    for (const auto& [reason, n] : r.connect_failures) {
        row("connect failed: " + reason, std::to_string(n));
    }
    row("seconds to connect everyone", fmt::format("{:.2f}", r.connect_seconds));
    if (r.connections_lost != 0) {
        row("connections lost", std::to_string(r.connections_lost));
    }
    row("commands sent", std::to_string(r.sent));
    row("answered", std::to_string(r.answered));
    row("not answered", std::to_string(o.devices - std::min<std::uint64_t>(o.devices, r.answered)));
    row("seconds until the last answer", fmt::format("{:.3f}", r.seconds));
    row("answers per second",
        fmt::format("{:.0f}", r.seconds > 0 ? static_cast<double>(r.answered) / r.seconds : 0));
    row("bench CPU seconds", fmt::format("{:.2f}", r.bench_cpu_seconds));
    if (o.broker_pid != 0) {
        row("broker CPU seconds", fmt::format("{:.2f}", r.broker_cpu_seconds));
    }
    out += latencies_header("round trip, command sent to answer received (ms)");
    out += latencies_row("command", r.round_trip_micros);
    return out;
}

std::string round_trip_json(const round_trip_options& o, const round_trip_result& r) {
    return fmt::format(
        "{{\"command\":\"command\",\"devices\":{},\"controllers\":{},\"qos\":{},"
        "\"rate\":{:.1f},\"inflight\":{},\"connect_failures\":{},\"connect_seconds\":{:.3f},"
        "\"connections_lost\":{},\"sent\":{},\"answered\":{},\"seconds\":{:.3f},"
        "\"bench_cpu_seconds\":{:.3f},\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f}}},"
        "\"round_trip_ms\":{}}}\n",
        o.devices, o.controllers, static_cast<int>(o.qos), o.rate, o.inflight,
        failures_json(r.connect_failures), r.connect_seconds, r.connections_lost, r.sent,
        r.answered, r.seconds, r.bench_cpu_seconds, o.broker_pid, r.broker_cpu_seconds,
        latencies_json(r.round_trip_micros));
}

std::string storm_table(const storm_options& o, const storm_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench storm: {} devices dropped at once, back within {:.1f} s of jitter, "
        "retries from {:.1f} s up to {:.0f} s, TLS resumption {}, to {}:{}\n\n",
        o.devices, o.jitter_seconds, o.retry_seconds, o.max_retry_seconds, o.resume ? "on" : "off",
        o.to.host, o.to.port);
    out += table_head();
    const auto row = [&](const std::string& name, const std::string& value) {
        out += table_row(name, value);
    };
    for (const auto& [reason, n] : r.connect_failures) {
        row("first connect failed: " + reason, std::to_string(n));
    }
    row("connected before the drop", std::to_string(r.connected));
    row("back after the drop", std::to_string(r.back));
    row("of those, TLS session resumed", std::to_string(r.resumed));
    row("retries", std::to_string(r.retries));
    for (const auto& [reason, n] : r.retry_reasons) {
        row("retried after: " + reason, std::to_string(n));
    }
    row("seconds until all were back", fmt::format("{:.2f}", r.seconds_until_all_back));
    if (o.broker_pid != 0) {
        row("broker CPU seconds in the storm", fmt::format("{:.2f}", r.broker_cpu_seconds));
        if (r.back != 0) {
            row("broker CPU per reconnection (us)",
                fmt::format("{:.0f}", r.broker_cpu_seconds * 1e6 / static_cast<double>(r.back)));
        }
    }
    out += latencies_header("latency (ms)");
    out += latencies_row("back after the drop", r.back_after_micros);
    out += latencies_row("reconnect handshake", r.handshake_micros);
    return out;
}

std::string storm_json(const storm_options& o, const storm_result& r) {
    return fmt::format(
        "{{\"command\":\"storm\",\"devices\":{},\"jitter_seconds\":{:.3f},\"resume\":{},"
        "\"connect_failures\":{},\"connected\":{},\"back\":{},\"resumed\":{},"
        "\"retries\":{},\"retry_reasons\":{},\"seconds_until_all_back\":{:.3f},"
        "\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f}}},\"back_after_ms\":{},"
        "\"handshake_ms\":{}}}\n",
        o.devices, o.jitter_seconds, o.resume ? "true" : "false", failures_json(r.connect_failures),
        r.connected, r.back, r.resumed, r.retries, failures_json(r.retry_reasons),
        r.seconds_until_all_back, o.broker_pid, r.broker_cpu_seconds,
        latencies_json(r.back_after_micros), latencies_json(r.handshake_micros));
}

namespace {

double mebibytes_per_second(std::uint64_t bytes, double seconds) {
    return seconds > 0 ? static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds : 0;
}

std::string direction_json(const bulk_direction& d) {
    return fmt::format("{{\"messages_sent\":{},\"messages_received\":{},\"bytes_verified\":{},"
                       "\"corrupt\":{},\"out_of_order\":{}}}",
                       d.messages_sent, d.messages_received, d.bytes_verified, d.corrupt,
                       d.out_of_order);
}

} // namespace

std::string bulk_table(const bulk_options& o, const bulk_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench bulk: {} bytes each way through one device connection (down: controller "
        "to device, up: device to controller), {} B messages, QoS {}, to {}:{}\n\n",
        o.bytes, o.payload_bytes, static_cast<int>(o.qos), o.to.host, o.to.port);
    out += table_head();
    const auto row = [&](const std::string& name, const std::string& value) {
        out += table_row(name, value);
    };
    for (const auto& [reason, n] : r.connect_failures) {
        row("connect failed: " + reason, std::to_string(n));
    }
    row("connections lost", std::to_string(r.connections_lost));
    // "down": controller -> broker -> device; "up": device -> broker -> controller.
    for (const auto& [name, d] : {std::pair{"down", r.to_device}, std::pair{"up", r.from_device}}) {
        row(fmt::format("{}: messages sent", name), std::to_string(d.messages_sent));
        row(fmt::format("{}: messages received", name), std::to_string(d.messages_received));
        row(fmt::format("{}: bytes verified", name), std::to_string(d.bytes_verified));
        row(fmt::format("{}: corrupt", name), std::to_string(d.corrupt));
        row(fmt::format("{}: out of order", name), std::to_string(d.out_of_order));
    }
    row("seconds", fmt::format("{:.2f}", r.seconds));
    row("MiB/s each way", fmt::format("{:.1f}", mebibytes_per_second(o.bytes, r.seconds)));
    row("bench CPU seconds", fmt::format("{:.2f}", r.bench_cpu_seconds));
    if (o.broker_pid != 0) {
        row("broker CPU seconds", fmt::format("{:.2f}", r.broker_cpu_seconds));
    }
    row("complete", r.complete ? "yes" : "NO");
    return out;
}

std::string bulk_json(const bulk_options& o, const bulk_result& r) {
    return fmt::format(
        "{{\"command\":\"bulk\",\"bytes\":{},\"payload\":{},\"qos\":{},\"connect_failures\":{},"
        "\"connections_lost\":{},\"to_device\":{},\"from_device\":{},\"seconds\":{:.3f},"
        "\"mib_per_second\":{:.1f},\"bench_cpu_seconds\":{:.3f},"
        "\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f}}},\"complete\":{}}}\n",
        o.bytes, o.payload_bytes, static_cast<int>(o.qos), failures_json(r.connect_failures),
        r.connections_lost, direction_json(r.to_device), direction_json(r.from_device), r.seconds,
        mebibytes_per_second(o.bytes, r.seconds), r.bench_cpu_seconds, o.broker_pid,
        r.broker_cpu_seconds, r.complete ? "true" : "false");
}

} // namespace fleetmq::bench
