#pragma once

#include "fleetmq/tls/record_protection.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace fleetmq::tls {

/// A block that holds two whole TLS records, lent by its thread's pool to a lean connection
/// while bytes are in flight (a record partly received or read ahead, or sealed and not yet
/// sent) and returned when it is empty: an idle connection holds none, and a busy one does not
/// allocate (nor zero) memory per record.
using record_buffer = std::unique_ptr<std::uint8_t[]>;
inline constexpr std::size_t record_buffer_size = 2 * (record_header_size + max_ciphertext);

/// From this thread's pool, or new; its bytes are not initialised.
record_buffer acquire_record_buffer();
/// Back to this thread's pool (a connection that moved shards returns it to the pool of the
/// thread it is on now); freed when the pool already keeps enough for a burst.
void release_record_buffer(record_buffer& buffer) noexcept;
/// Blocks this thread's pool keeps for reuse now.
std::size_t pooled_record_buffers() noexcept;

} // namespace fleetmq::tls
