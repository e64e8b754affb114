#include "fleetmq/broker/acl_file.hpp"

#include <fstream>
#include <sstream>

namespace fleetmq::broker {

std::shared_ptr<const acl::rule_set> load_acl(const config& c) {
    if (c.acl_file.empty()) {
        return std::make_shared<const acl::rule_set>(acl::rule_set::defaults());
    }
    std::ifstream file{c.acl_file};
    if (!file) {
        throw acl::rule_error{"acl.file " + c.acl_file.string() + ": cannot be read"};
    }
    std::stringstream text;
    text << file.rdbuf();
    return std::make_shared<const acl::rule_set>(
        acl::rule_set::parse(text.str(), c.acl_file.string()));
}

} // namespace fleetmq::broker
