#include "fleetmq/broker/log_escape.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <memory>

namespace fleetmq::broker {

namespace {

/// The length of the well-formed UTF-8 sequence at the start of `s` (1 for ASCII), or 0.
std::size_t utf8_sequence(std::string_view s) {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto c0 = b(0);
    if (c0 < 0x80) {
        return 1;
    }
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (c0 >= 0xC2 && c0 <= 0xDF) {
        n = 2, min = 0x80;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        n = 3, min = 0x800;
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
        n = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (s.size() < n) {
        return 0;
    }
    std::uint32_t cp = c0 & (0x7F >> n);
    for (std::size_t i = 1; i < n; ++i) {
        if ((b(i) & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (b(i) & 0x3F);
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    return cp < min || cp > 0x10FFFF || surrogate ? 0 : n;
}

void append_hex(std::string& out, const char* format, unsigned value) {
    char text[8];
    std::snprintf(text, sizeof text, format, value);
    out += text;
}

/// %v with the message escaped.
class escaped_message final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const auto text = escape_for_log({msg.payload.data(), msg.payload.size()});
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<escaped_message>();
    }
};

} // namespace

std::string escape_for_log(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto c = static_cast<unsigned char>(text[0]);
        const auto n = utf8_sequence(text);
        if (n == 0) {
            append_hex(out, "\\x%02x", c); // not UTF-8
            text.remove_prefix(1);
            continue;
        }
        if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[1]) < 0xA0) {
            append_hex(out, "\\u%04x", static_cast<unsigned char>(text[1])); // C1 control
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            append_hex(out, "\\x%02x", c);
        } else {
            out.append(text.data(), n);
        }
        text.remove_prefix(n);
    }
    return out;
}

void set_escaped_log_pattern(const std::string& pattern) {
    std::string with_flag = pattern;
    for (auto at = with_flag.find("%v"); at != std::string::npos; at = with_flag.find("%v", at)) {
        with_flag.replace(at, 2, "%*");
    }
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<escaped_message>('*').set_pattern(with_flag);
    spdlog::set_formatter(std::move(formatter));
}

} // namespace fleetmq::broker
