#include "fleetmq/client/device_config.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace fleetmq::client {
namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

/// The value without its quotes, or, unquoted, without a trailing ` # comment`.
std::string unquote(const std::string& raw, const std::string& where) {
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
        const auto close = raw.find(raw.front(), 1);
        if (close == std::string::npos) {
            throw config_error{where + ": the quote is not closed"};
        }
        const auto rest = trim(raw.substr(close + 1));
        if (!rest.empty() && rest.front() != '#') {
            throw config_error{where + ": text after the closing quote"};
        }
        return raw.substr(1, close - 1);
    }
    const auto comment = raw.find(" #");
    return trim(comment == std::string::npos ? raw : raw.substr(0, comment));
}

std::uint64_t whole_number(const std::string& value, std::uint64_t least, std::uint64_t most,
                           const std::string& where) {
    std::uint64_t n = 0;
    const auto* end = value.data() + value.size();
    const auto [rest, error] = std::from_chars(value.data(), end, n);
    if (value.empty() || error != std::errc{} || rest != end || n < least || n > most) {
        throw config_error{where + ": expected a whole number from " + std::to_string(least) +
                           " to " + std::to_string(most) + ", got '" + value + "'"};
    }
    return n;
}

/// Seconds ("5", "0.5", "5s"), milliseconds ("500ms") or minutes ("2m").
std::chrono::milliseconds duration(const std::string& value, const std::string& where) {
    double factor = 1000;
    std::string number = value;
    if (value.ends_with("ms")) {
        factor = 1;
        number = value.substr(0, value.size() - 2);
    } else if (value.ends_with("s")) {
        number = value.substr(0, value.size() - 1);
    } else if (value.ends_with("m")) {
        factor = 60000;
        number = value.substr(0, value.size() - 1);
    }
    double amount = -1;
    std::istringstream in{number};
    in >> amount;
    if (number.empty() || !in.eof() || in.fail() || !std::isfinite(amount) || amount < 0 ||
        amount * factor > 86'400'000.0) {
        throw config_error{where +
                           ": expected a duration such as 5, 0.5s, 500ms or 2m (at most "
                           "a day), got '" +
                           value + "'"};
    }
    return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(amount * factor))};
}

void check_topic_pattern(const std::string& topic, const std::string& where) {
    if (topic.empty() || topic.find_first_of("+#") != std::string::npos ||
        topic.find('\0') != std::string::npos) {
        throw config_error{where + ": a topic without wildcards is needed, got '" + topic + "'"};
    }
}

} // namespace

std::string expand_topic(const std::string& pattern, const std::string& id) {
    std::string out;
    std::size_t at = 0;
    for (auto found = pattern.find("{id}"); found != std::string::npos;
         found = pattern.find("{id}", at)) {
        out.append(pattern, at, found - at).append(id);
        at = found + 4;
    }
    return out.append(pattern, at);
}

device_config parse_device_config(const std::string& text, const std::filesystem::path& origin) {
    device_config c;
    c.file = origin;
    const auto base = origin.parent_path();
    auto path_value = [&](const std::string& value) {
        const std::filesystem::path p{value};
        return p.is_absolute() || base.empty() ? p : base / p;
    };
    using setter = std::function<void(const std::string&, const std::string&)>;
    const std::map<std::string, setter> keys{
        {"broker_address", [&](auto& v, auto&) { c.broker_address = v; }},
        {"broker_port",
         [&](auto& v, auto& w) {
             c.broker_port = static_cast<std::uint16_t>(whole_number(v, 1, 65535, w));
         }},
        {"protocol_version",
         [&](auto& v, auto& w) {
             if (v == "5" || v == "5.0") {
                 c.protocol_version = 5;
             } else if (v == "3.1.1" || v == "4" || v == "311") {
                 c.protocol_version = 4;
             } else {
                 throw config_error{w + ": expected 5.0 or 3.1.1, got '" + v + "'"};
             }
         }},
        {"transport",
         [&](auto& v, auto& w) {
             if (v != "TLS" && v != "tls") {
                 throw config_error{w +
                                    ": only TLS is supported (devices authenticate with their "
                                    "certificate), got '" +
                                    v + "'"};
             }
             c.transport = "TLS";
         }},
        {"ca_cert", [&](auto& v, auto&) { c.ca_cert = path_value(v); }},
        {"client_cert", [&](auto& v, auto&) { c.client_cert = path_value(v); }},
        {"client_key", [&](auto& v, auto&) { c.client_key = path_value(v); }},
        {"keep_alive",
         [&](auto& v, auto& w) {
             c.keep_alive = static_cast<std::uint16_t>(whole_number(v, 0, 65535, w));
         }},
        {"connect_retry_time", [&](auto& v, auto& w) { c.connect_retry_time = duration(v, w); }},
        {"connect_retry_max_interval",
         [&](auto& v, auto& w) { c.connect_retry_max_interval = duration(v, w); }},
        {"command_topic",
         [&](auto& v, auto& w) {
             check_topic_pattern(v, w);
             c.command_topic = v;
         }},
        {"response_topic",
         [&](auto& v, auto& w) {
             check_topic_pattern(v, w);
             c.response_topic = v;
         }},
        {"tls_version",
         [&](auto& v, auto& w) {
             if (v != "1.2" && v != "1.3") {
                 throw config_error{
                     w + ": expected 1.2 or 1.3 (the lowest version offered), got '" + v + "'"};
             }
             c.tls_min_version = v;
         }},
        {"command_handler", [&](auto& v, auto&) { c.command_handler = path_value(v); }},
        {"command_timeout", [&](auto& v, auto& w) { c.command_timeout = duration(v, w); }},
    };

    std::set<std::string> seen;
    std::istringstream in{text};
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto content = trim(line);
        if (content.empty() || content.front() == '#') {
            continue;
        }
        const auto where = origin.string() + ":" + std::to_string(number);
        const auto colon = content.find(':');
        if (colon == std::string::npos) {
            throw config_error{where + ": expected 'key: value', got '" + content + "'"};
        }
        const auto key = trim(content.substr(0, colon));
        const auto it = keys.find(key);
        if (it == keys.end()) {
            throw config_error{where + ": unknown key '" + key + "'"};
        }
        if (!seen.insert(key).second) {
            throw config_error{where + ": '" + key + "' is set twice"};
        }
        const auto value = unquote(trim(content.substr(colon + 1)), where + ": " + key);
        if (value.empty()) {
            throw config_error{where + ": '" + key + "' has no value"};
        }
        it->second(value, where + ": " + key);
    }
    for (const char* required : {"broker_address", "ca_cert", "client_cert", "client_key"}) {
        if (!seen.contains(required)) {
            throw config_error{origin.string() + ": '" + required + "' is missing"};
        }
    }
    if (c.connect_retry_time.count() <= 0 || c.connect_retry_max_interval < c.connect_retry_time) {
        throw config_error{origin.string() + ": connect_retry_time must be above zero and at most "
                                             "connect_retry_max_interval"};
    }
    return c;
}

device_config read_device_config(const std::filesystem::path& file) {
    std::ifstream in{file};
    if (!in) {
        throw config_error{file.string() + ": cannot read the configuration"};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_device_config(text.str(), file);
}

} // namespace fleetmq::client
