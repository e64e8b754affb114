#include "report.hpp"

#include <fmt/format.h>

namespace fleetmq::bench {

namespace {

constexpr std::array<std::pair<const char*, double>, 6> quantiles{
    {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99_9", 0.999}, {"max", 1.0}, {"", 0}}};

double rate(const flood_result& r) {
    return r.connect_seconds > 0 ? static_cast<double>(r.established) / r.connect_seconds : 0;
}

std::string latencies_json(const latency_histogram& h) {
    std::string out = "{";
    for (const auto& [name, q] : quantiles) {
        if (*name == '\0') {
            break;
        }
        out += fmt::format("\"{}\":{:.3f},", name,
                           static_cast<double>(q >= 1.0 ? h.max() : h.quantile(q)) / 1000.0);
    }
    out += fmt::format("\"count\":{}}}", h.count());
    return out;
}

std::string latencies_row(const char* what, const latency_histogram& h) {
    const auto ms = [&](double q) {
        return static_cast<double>(q >= 1.0 ? h.max() : h.quantile(q)) / 1000.0;
    };
    return fmt::format("| {:<20} | {:>9.2f} | {:>9.2f} | {:>9.2f} | {:>9.2f} | {:>9.2f} |\n", what,
                       ms(0.5), ms(0.9), ms(0.99), ms(0.999), ms(1.0));
}

std::string escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

} // namespace

std::string flood_table(const flood_options& o, const device_identities& devices,
                        const flood_result& r) {
    std::string out = fmt::format(
        "fleetmq-bench flood: {} connections to {}:{}, MQTT {}, TLS {}, {} certificate(s), {}\n\n",
        r.attempted, o.host, o.port, protocol::to_string(o.mqtt),
        o.tls_version == 0 ? std::string{"1.2/1.3"} : fmt::format("1.{}", o.tls_version % 10),
        devices.size(),
        o.rate > 0 ? fmt::format("{:.0f}/s target", o.rate) : std::string{"no rate limit"});
    out += fmt::format("| {:<34} | {:>12} |\n|{:-<36}|{:-<14}|\n", "", "", "", "");
    const auto row = [&](const std::string& name, const std::string& value) {
        out += fmt::format("| {:<34} | {:>12} |\n", name, value);
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
    out += fmt::format(
        "\nlatency from TCP connect (ms)\n| {:<20} | {:>9} | {:>9} | {:>9} | {:>9} | {:>9} |\n", "",
        "p50", "p90", "p99", "p99.9", "max");
    out +=
        fmt::format("|{:-<22}|{:-<11}|{:-<11}|{:-<11}|{:-<11}|{:-<11}|\n", "", "", "", "", "", "");
    out += latencies_row("TLS handshake", r.tls_micros);
    out += latencies_row("CONNACK", r.connack_micros);
    return out;
}

std::string flood_json(const flood_options& o, const device_identities& devices,
                       const flood_result& r) {
    std::string failures = "{";
    std::size_t failed = 0;
    for (const auto& [reason, n] : r.failures) {
        failures += fmt::format("{}\"{}\":{}", failures.size() > 1 ? "," : "", escape(reason), n);
        failed += n;
    }
    failures += "}";
    return fmt::format(
        "{{\"command\":\"flood\",\"connections\":{},\"established\":{},\"failed\":{},"
        "\"failures\":{},\"lost_while_held\":{},\"certificates\":{},\"mqtt\":\"{}\","
        "\"seconds\":{:.3f},\"per_second\":{:.1f},\"bench_cpu_seconds\":{:.3f},"
        "\"broker\":{{\"pid\":{},\"cpu_seconds\":{:.3f},\"rss_before\":{},\"rss_after\":{}}},"
        "\"tls_handshake_ms\":{},\"connack_ms\":{}}}\n",
        r.attempted, r.established, failed, failures, r.lost_while_held, devices.size(),
        protocol::to_string(o.mqtt), r.connect_seconds, rate(r), r.bench_cpu_seconds, o.broker_pid,
        r.broker_cpu_seconds, r.broker_rss_before, r.broker_rss_after, latencies_json(r.tls_micros),
        latencies_json(r.connack_micros));
}

} // namespace fleetmq::bench
