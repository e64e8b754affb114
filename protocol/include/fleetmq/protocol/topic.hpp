#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <system_error>

namespace fleetmq::protocol {

/// The longest topic a UTF-8 Encoded String can hold.
inline constexpr std::size_t max_topic_length = 65535;

/// Checks a Topic Name (the topic of a PUBLISH, a will or a Response Topic).
/// Returns no error if valid; `malformed_packet` if it is not well-formed UTF-8 or holds U+0000
/// or a disallowed code point [MQTT-1.5.4]; `topic_name_invalid` if it is empty, longer than
/// `max_length` bytes, or holds a wildcard character [MQTT-3.3.2-2] [MQTT-4.7.3-1].
std::error_code validate_topic_name(std::string_view name,
                                    std::size_t max_length = max_topic_length) noexcept;

/// A shared subscription filter split into its parts: `$share/<group>/<filter>`.
struct shared_filter {
    std::string_view group;
    std::string_view filter;
};

/// If `filter` starts with `$share/`, splits it (without validating the parts); otherwise empty.
std::optional<shared_filter> split_shared_filter(std::string_view filter) noexcept;

/// Checks a Topic Filter of SUBSCRIBE or UNSUBSCRIBE, shared subscriptions included.
/// Returns no error if valid; `malformed_packet` for bad UTF-8 as for topic names;
/// `topic_filter_invalid` if it is empty, too long, uses `+` or `#` other than as a whole level
/// (`#` last only) [MQTT-4.7.1-1] [MQTT-4.7.1-2], or is a shared filter whose group is empty or
/// holds a wildcard, or whose filter part is missing or invalid [MQTT-4.8.2-1] [MQTT-4.8.2-2].
std::error_code validate_topic_filter(std::string_view filter,
                                      std::size_t max_length = max_topic_length) noexcept;

/// True if the filter holds `+` or `#`.
bool has_wildcard(std::string_view filter) noexcept;

/// True if the valid, non-shared topic filter `filter` matches the valid topic name `name`.
/// `#` also matches the parent level ("a/#" matches "a"); `+` matches one level, empty
/// included; a filter starting with a wildcard does not match a name starting with `$`
/// [MQTT-4.7.2-1].
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

} // namespace fleetmq::protocol
