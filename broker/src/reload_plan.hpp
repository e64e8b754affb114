#pragma once

#include "fleetmq/broker/config.hpp"

#include <string>
#include <vector>

namespace fleetmq::broker::detail {

/// What a reload applies of a configuration file read again, and what of it only a restart
/// can apply (the listening sockets, the shard threads, the admin endpoint, the open-files
/// reserve, and trust entries removed, renamed or reordered, which connected devices and
/// per-vendor metrics are indexed by).
struct reload_plan {
    /// `next` with every restart-only part replaced by the running one's.
    config apply;
    /// What changed but waits for a restart, in words for the answer and the log.
    std::vector<std::string> restart_needed;
};

/// `running` is the configuration in force (itself the start's with earlier reloads applied).
/// Everything else in `next` applies live: trust entries changed in place or added at the end
/// (CA and CRL paths, id rules, client-id rules), the listeners' TLS settings, the ACL file,
/// the other limits and the log level.
reload_plan plan_reload(const config& running, config next);

} // namespace fleetmq::broker::detail
