#include "fleetmq/auth/certificate_facts.hpp"

namespace fleetmq::auth {

std::vector<std::string> certificate_facts::subject_values(std::string_view type) const {
    std::vector<std::string> values;
    for (const auto& attribute : subject) {
        if (attribute.type == type) {
            values.push_back(attribute.value);
        }
    }
    return values;
}

} // namespace fleetmq::auth
