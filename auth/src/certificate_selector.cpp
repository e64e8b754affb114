#include "fleetmq/auth/certificate_selector.hpp"

#include <algorithm>

namespace fleetmq::auth {

bool certificate_selector::matches(const certificate_facts& facts) const {
    for (const auto& [type, value] : subject) {
        const auto values = facts.subject_values(type);
        if (std::find(values.begin(), values.end(), value) == values.end()) {
            return false;
        }
    }
    if (!san_uri_prefix.empty()) {
        return std::any_of(facts.san_uris.begin(), facts.san_uris.end(),
                           [&](const std::string& uri) { return uri.starts_with(san_uri_prefix); });
    }
    return true;
}

bool certificate_selector::within(const certificate_selector& other) const {
    // `other` asks for a subset of what this asks for: then whatever this selects, it does.
    for (const auto& condition : other.subject) {
        if (std::find(subject.begin(), subject.end(), condition) == subject.end()) {
            return false;
        }
    }
    return other.san_uri_prefix.empty() || san_uri_prefix.starts_with(other.san_uri_prefix);
}

std::string certificate_selector::describe() const {
    if (selects_all()) {
        return "every certificate";
    }
    std::string text;
    for (const auto& [type, value] : subject) {
        text += (text.empty() ? "" : ", ") + type + "=" + value;
    }
    if (!san_uri_prefix.empty()) {
        text += (text.empty() ? "" : ", ") + std::string{"SAN URI "} + san_uri_prefix + "*";
    }
    return text;
}

} // namespace fleetmq::auth
