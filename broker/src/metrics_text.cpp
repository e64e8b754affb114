#include "metrics_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace fleetmq::broker::detail {

namespace {

/// Label values escape backslash, double quote and line feed; help texts backslash and line
/// feed (exposition format 0.0.4).
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_number(std::string& out, double value) {
    if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
    } else if (std::isnan(value)) {
        out += "NaN";
    } else {
        fmt::format_to(std::back_inserter(out), "{}", value);
    }
}

} // namespace

void metrics_text::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void metrics_text::head(std::string_view name, std::string_view suffix,
                        std::initializer_list<label> labels, std::string_view extra_name,
                        std::string_view extra_value) {
    out_ += name;
    out_ += suffix;
    if (labels.size() != 0 || !extra_name.empty()) {
        out_ += '{';
        bool first = true;
        const auto one = [&](std::string_view key, std::string_view value) {
            if (!first) {
                out_ += ',';
            }
            first = false;
            out_ += key;
            out_ += "=\"";
            append_escaped(out_, value, true);
            out_ += '"';
        };
        for (const auto& [key, value] : labels) {
            one(key, value);
        }
        if (!extra_name.empty()) {
            one(extra_name, extra_value);
        }
        out_ += '}';
    }
    out_ += ' ';
}

void metrics_text::sample(std::string_view name, std::initializer_list<label> labels,
                          std::uint64_t value) {
    head(name, {}, labels);
    fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void metrics_text::sample(std::string_view name, std::initializer_list<label> labels,
                          std::int64_t value) {
    head(name, {}, labels);
    fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void metrics_text::sample(std::string_view name, std::initializer_list<label> labels,
                          double value) {
    head(name, {}, labels);
    append_number(out_, value);
    out_ += '\n';
}

void metrics_text::histogram(std::string_view name, std::initializer_list<label> labels,
                             std::span<const double> bounds, std::span<const std::uint64_t> counts,
                             double sum) {
    std::uint64_t cumulative = 0;
    std::string bound;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        bound.clear();
        append_number(bound, i < bounds.size() ? bounds[i] : HUGE_VAL);
        head(name, "_bucket", labels, "le", bound);
        fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
    }
    head(name, "_sum", labels);
    append_number(out_, sum);
    out_ += '\n';
    head(name, "_count", labels);
    fmt::format_to(std::back_inserter(out_), "{}\n", cumulative);
}

} // namespace fleetmq::broker::detail
