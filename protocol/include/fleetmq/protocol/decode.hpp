#pragma once

#include "fleetmq/protocol/frame_decoder.hpp"
#include "fleetmq/protocol/packets.hpp"
#include "fleetmq/protocol/protocol_version.hpp"

#include <system_error>

namespace fleetmq::protocol {

/// Decodes the packet of a complete frame into `out`, as MQTT `version` defines it. A CONNECT
/// carries its own version: `version` is ignored for it, and `out` holds a `connect` whose
/// `version` is set as soon as the protocol level has been read, so that a server can answer a
/// failed CONNECT in the client's version.
///
/// String and binary fields of `out` are views into `f.body`.
///
/// Errors are reason codes, as the specification assigns them:
/// - `malformed_packet`: a field runs past the packet or bytes are left over, a string is not
///   UTF-8, a reserved bit is set, a value is out of its range (QoS 3, an unknown reason code or
///   property), AUTH in 3.1.1;
/// - `protocol_error`: a rule between fields is broken (a duplicate property, a packet
///   identifier of 0, a SUBSCRIBE without filters, No Local on a shared subscription, Retain
///   Handling 3, ...);
/// - `unsupported_protocol_version`: a CONNECT of a level other than 4 or 5;
/// - `topic_name_invalid`: a PUBLISH or will topic that is empty or holds a wildcard;
/// - `topic_alias_invalid`: a Topic Alias of 0.
/// Topic filters are checked for UTF-8 only: whether a filter is acceptable is answered per
/// filter in SUBACK/UNSUBACK (see `validate_topic_filter`).
std::error_code decode_packet(const frame& f, protocol_version version, packet& out);

} // namespace fleetmq::protocol
