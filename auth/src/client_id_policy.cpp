#include "fleetmq/auth/client_id_policy.hpp"

namespace fleetmq::auth {

std::string_view to_string(client_id_rule rule) noexcept {
    switch (rule) {
    case client_id_rule::equal_to_id:
        return "equal_to_id";
    case client_id_rule::prefixed_by_id:
        return "prefixed_by_id";
    case client_id_rule::any:
        return "any";
    }
    return "unknown";
}

client_id_decision decide_client_id(client_id_rule rule, const identity& who,
                                    std::string_view requested, std::string_view unique_suffix) {
    if (requested.empty()) {
        // [MQTT-3.1.3-6]: the server may assign a client id; it is always one this identity owns.
        std::string assigned = who.id;
        if (rule == client_id_rule::any) {
            assigned.append("/").append(unique_suffix);
        }
        return {true, std::move(assigned), true};
    }
    bool accepted = false;
    switch (rule) {
    case client_id_rule::equal_to_id:
        accepted = requested == who.id;
        break;
    case client_id_rule::prefixed_by_id:
        accepted = requested == who.id ||
                   (requested.starts_with(who.id) && requested.size() > who.id.size() &&
                    requested[who.id.size()] == '/');
        break;
    case client_id_rule::any:
        accepted = true;
        break;
    }
    return {accepted, accepted ? std::string{requested} : std::string{}, false};
}

} // namespace fleetmq::auth
