#pragma once

#include <string>
#include <string_view>

namespace fleetmq::broker {

/// `text` with everything that could forge, split or colour a log line written as an escape:
/// C0 controls (newline, carriage return, ESC ...) and DEL as \n, \r, \t or \xNN, C1 controls
/// (U+0080..U+009F, e.g. the single-byte CSI) as \u00NN, bytes that are not UTF-8 as \xNN, and
/// the backslash itself as \\ so that an escape in the log is never ambiguous. Other text,
/// UTF-8 included, is kept as it is.
std::string escape_for_log(std::string_view text);

/// Sets spdlog's pattern, in which %v is the message escaped by escape_for_log: whatever a peer
/// put in a client id, topic, property or certificate field, each log call stays one line.
void set_escaped_log_pattern(const std::string& pattern);

} // namespace fleetmq::broker
