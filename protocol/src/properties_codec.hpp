#pragma once

#include "byte_reader.hpp"
#include "byte_writer.hpp"
#include "fleetmq/protocol/properties.hpp"

#include <system_error>

namespace fleetmq::protocol::detail {

/// Reads a property list (its Variable Byte Integer length, then the properties) into `out`.
/// Errors, per MQTT 5.0 section 2.2.2: a length past the packet, a truncated value, an unknown
/// identifier or one not allowed in `context`, or a string that is not UTF-8 is a Malformed
/// Packet; a property given twice where only one is allowed, or a value the specification rules
/// out (a Receive Maximum of 0, a flag other than 0 or 1, ...) is a Protocol Error; a Topic
/// Alias of 0 is Topic Alias invalid.
std::error_code read_properties(byte_reader& reader, property_context context, properties& out);

/// Writes the property list with its length prefix.
void write_properties(byte_writer& writer, const properties& props) noexcept;

/// The number of bytes `write_properties` writes, length prefix included.
std::size_t properties_wire_size(const properties& props) noexcept;

/// True if nothing is set.
bool properties_empty(const properties& props) noexcept;

} // namespace fleetmq::protocol::detail
