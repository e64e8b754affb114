#pragma once

#include <fleetmq/client/device_config.hpp>

#include <atomic>
#include <string>

namespace fleetmq::tools {

/// Why the agent stopped.
enum class agent_exit {
    stopped = 0,      // asked to (SIGTERM, SIGINT)
    config_error = 2, // a file missing, a key others may read, a broker name the certificate
                      // does not list: nothing a retry would fix
};

/// The device agent: preflight checks, then connect, subscribe to the command topic, answer
/// commands, and reconnect with backoff, until `stop` is set.
class device_agent {
public:
    explicit device_agent(client::device_config config) : config_{std::move(config)} {}
    agent_exit run(const std::atomic<bool>& stop);

private:
    client::device_config config_;
};

} // namespace fleetmq::tools
