#pragma once

#include "byte_reader.hpp"
#include "fleetmq/protocol/packets.hpp"

#include <system_error>

namespace fleetmq::protocol::detail {

// Decoders of the connection-establishing packets, split from the rest to keep files small.
std::error_code decode_connect(byte_reader reader, connect& out);
std::error_code decode_connack(byte_reader reader, protocol_version version, connack& out);

/// Authentication Data without an
/// Authentication Method is a Protocol Error (MQTT 5.0 sections 3.1.2.11.10, 3.2.2.3.18,
/// 3.15.2.2.3).
std::error_code check_authentication(const properties& props);

} // namespace fleetmq::protocol::detail
