#include "report_parts.hpp"

#include <array>
#include <fmt/format.h>

namespace fleetmq::bench {

namespace {

constexpr std::array<std::pair<const char*, double>, 6> quantiles{
    {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99_9", 0.999}, {"max", 1.0}, {"", 0}}};

} // namespace

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

std::string failures_json(const std::map<std::string, std::size_t>& failures) {
    std::string out = "{";
    for (const auto& [reason, n] : failures) {
        out += fmt::format("{}\"{}\":{}", out.size() > 1 ? "," : "", escape(reason), n);
    }
    return out + "}";
}

std::string table_head() {
    return fmt::format("| {:<34} | {:>12} |\n|{:-<36}|{:-<14}|\n", "", "", "", "");
}

std::string table_row(const std::string& name, const std::string& value) {
    return fmt::format("| {:<34} | {:>12} |\n", name, value);
}

std::string latencies_header(const char* title) {
    return fmt::format("\n{}\n| {:<20} | {:>9} | {:>9} | {:>9} | {:>9} | {:>9} |\n", title, "",
                       "p50", "p90", "p99", "p99.9", "max") +
           fmt::format("|{:-<22}|{:-<11}|{:-<11}|{:-<11}|{:-<11}|{:-<11}|\n", "", "", "", "", "",
                       "");
}

} // namespace fleetmq::bench
