#pragma once

#include <fleetmq/client/device_config.hpp>

#include <optional>
#include <string>

namespace fleetmq::tools {

/// The problems that keep the agent from starting, as one message with its fix each; empty when
/// it may start: the CA, certificate and key are readable, the key is not readable by others,
/// and the certificate holds exactly one CN that is a valid device id (returned in `id`).
std::string preflight(const client::device_config& config, std::string& id);

} // namespace fleetmq::tools
