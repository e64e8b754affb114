#include "fleetmq/auth/identity_policy.hpp"

#include "fleetmq/protocol/utf8.hpp"

namespace fleetmq::auth {

std::string_view to_string(role r) noexcept {
    return r == role::controller ? "controller" : "device";
}

std::string_view to_string(identity_failure failure) noexcept {
    switch (failure) {
    case identity_failure::id_missing:
        return "id_missing";
    case identity_failure::id_ambiguous:
        return "id_ambiguous";
    case identity_failure::id_empty:
        return "id_empty";
    case identity_failure::id_too_long:
        return "id_too_long";
    case identity_failure::id_not_utf8:
        return "id_not_utf8";
    case identity_failure::id_has_nul:
        return "id_has_nul";
    case identity_failure::id_forbidden_character:
        return "id_forbidden_character";
    case identity_failure::id_prefix_mismatch:
        return "id_prefix_mismatch";
    case identity_failure::unknown_trust_entry:
        return "unknown_trust_entry";
    }
    return "unknown";
}

std::optional<identity_failure> check_device_id(std::string_view id) noexcept {
    if (id.empty()) {
        return identity_failure::id_empty;
    }
    if (id.size() > max_id_length) {
        return identity_failure::id_too_long;
    }
    if (id.find('\0') != std::string_view::npos) {
        return identity_failure::id_has_nul;
    }
    // The id becomes a topic level and a client id: the topic rules for text apply, control
    // characters included.
    if (protocol::check_utf8(id) != protocol::utf8_verdict::valid) {
        return identity_failure::id_not_utf8;
    }
    if (id.find_first_of("+#/") != std::string_view::npos) {
        return identity_failure::id_forbidden_character;
    }
    return std::nullopt;
}

namespace {

std::variant<std::string, identity_failure> exactly_one(std::vector<std::string> values) {
    if (values.empty()) {
        return identity_failure::id_missing;
    }
    if (values.size() > 1) {
        return identity_failure::id_ambiguous;
    }
    return std::move(values.front());
}

std::variant<std::string, identity_failure> raw_id(const certificate_facts& facts,
                                                   const trust_policy& policy) {
    switch (policy.source) {
    case id_source::common_name:
        return exactly_one(facts.subject_values("CN"));
    case id_source::serial_number_attribute:
        return exactly_one(facts.subject_values("serialNumber"));
    case id_source::san_uri: {
        std::vector<std::string> ids;
        for (const auto& uri : facts.san_uris) {
            if (uri.starts_with(policy.uri_prefix)) {
                ids.push_back(uri.substr(policy.uri_prefix.size()));
            }
        }
        return exactly_one(std::move(ids));
    }
    }
    return identity_failure::id_missing;
}

} // namespace

std::variant<identity, identity_failure>
identity_from_certificate(const certificate_facts& facts,
                          const std::vector<trust_policy>& policies) {
    if (facts.trust_entry >= policies.size()) {
        return identity_failure::unknown_trust_entry;
    }
    const auto& policy = policies[facts.trust_entry];
    auto id = raw_id(facts, policy);
    if (auto* failure = std::get_if<identity_failure>(&id)) {
        return *failure;
    }
    auto& value = std::get<std::string>(id);
    if (auto failure = check_device_id(value)) {
        return *failure;
    }
    if (!value.starts_with(policy.id_prefix)) {
        return identity_failure::id_prefix_mismatch;
    }
    return identity{std::move(value), policy.role, policy.name};
}

} // namespace fleetmq::auth
