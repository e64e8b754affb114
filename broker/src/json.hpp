#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace fleetmq::broker::detail {

/// `text` as a JSON string, quoted. Client ids and certificate fields may hold anything valid
/// UTF-8 allows (quotes, backslashes, control characters): all are escaped (RFC 8259 section 7).
inline std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                out += escaped;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

} // namespace fleetmq::broker::detail
