#pragma once

#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/broker/config.hpp"

#include <memory>

namespace fleetmq::broker {

/// The rules of `c.acl_file`, or the built-in defaults when it names none. Throws
/// acl::rule_error naming the file (and line) when it cannot be read or parsed.
std::shared_ptr<const acl::rule_set> load_acl(const config& c);

} // namespace fleetmq::broker
