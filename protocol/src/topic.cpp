#include "fleetmq/protocol/topic.hpp"

#include "fleetmq/protocol/reason_code.hpp"
#include "fleetmq/protocol/utf8.hpp"
#include "swar.hpp"

namespace fleetmq::protocol {
namespace {

constexpr std::string_view shared_prefix = "$share/";

std::error_code check_text(std::string_view text) noexcept {
    // Topics are the one string type that reaches other clients, so the discouraged code points
    // are refused here as the specification allows [MQTT-1.5.4].
    return check_utf8(text) == utf8_verdict::valid ? std::error_code{}
                                                   : make_error_code(reason_code::malformed_packet);
}

bool contains_wildcard(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto* const end = p + text.size();
    for (; end - p >= 8; p += 8) {
        const auto word = detail::load_word(p);
        if ((detail::has_byte(word, '+') | detail::has_byte(word, '#')) != 0) {
            return true;
        }
    }
    for (; p != end; ++p) {
        if (*p == '+' || *p == '#') {
            return true;
        }
    }
    return false;
}

bool valid_wildcards(std::string_view filter) noexcept {
    for (std::size_t i = 0; i < filter.size(); ++i) {
        const char c = filter[i];
        if (c != '+' && c != '#') {
            continue;
        }
        const bool starts_level = i == 0 || filter[i - 1] == '/';
        const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
        if (!starts_level || !ends_level) {
            return false;
        }
        if (c == '#' && i + 1 != filter.size()) {
            return false;
        }
    }
    return true;
}

} // namespace

std::error_code validate_topic_name(std::string_view name, std::size_t max_length) noexcept {
    if (name.empty() || name.size() > max_length) {
        return reason_code::topic_name_invalid;
    }
    if (auto error = check_text(name)) {
        return error;
    }
    if (contains_wildcard(name)) {
        return reason_code::topic_name_invalid;
    }
    return {};
}

std::optional<shared_filter> split_shared_filter(std::string_view filter) noexcept {
    if (!filter.starts_with(shared_prefix)) {
        return std::nullopt;
    }
    const auto rest = filter.substr(shared_prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return shared_filter{rest, {}};
    }
    return shared_filter{rest.substr(0, slash), rest.substr(slash + 1)};
}

std::error_code validate_topic_filter(std::string_view filter, std::size_t max_length) noexcept {
    if (filter.empty() || filter.size() > max_length) {
        return reason_code::topic_filter_invalid;
    }
    if (auto error = check_text(filter)) {
        return error;
    }
    if (auto shared = split_shared_filter(filter)) {
        if (shared->group.empty() || has_wildcard(shared->group) || shared->filter.empty()) {
            return reason_code::topic_filter_invalid;
        }
        filter = shared->filter;
    }
    return valid_wildcards(filter) ? std::error_code{}
                                   : make_error_code(reason_code::topic_filter_invalid);
}

bool has_wildcard(std::string_view filter) noexcept {
    return contains_wildcard(filter);
}

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
    if (!name.empty() && name.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#')) {
        return false;
    }
    std::size_t f = 0;
    std::size_t n = 0;
    while (f < filter.size()) {
        // At the start of a level in both the filter and the name.
        if (filter[f] == '#') {
            return true;
        }
        if (filter[f] == '+') {
            while (n < name.size() && name[n] != '/') {
                ++n;
            }
            ++f;
        } else {
            while (f < filter.size() && filter[f] != '/') {
                if (n == name.size() || name[n] != filter[f]) {
                    return false;
                }
                ++f;
                ++n;
            }
            if (n < name.size() && name[n] != '/') {
                return false;
            }
        }
        if (f == filter.size()) {
            return n == name.size();
        }
        // filter[f] is a separator; the name must have one too, unless only "/#" is left.
        if (n == name.size()) {
            return filter.substr(f) == "/#";
        }
        ++f;
        ++n;
    }
    return n == name.size();
}

} // namespace fleetmq::protocol
