#pragma once

#include "fleetmq/session/message.hpp"

namespace fleetmq::broker::detail {

// The message type is the session library's: sessions queue it, the store and the cluster will
// carry it.
using fleetmq::session::message;
using fleetmq::session::message_ptr;
using fleetmq::session::shared_bytes;

} // namespace fleetmq::broker::detail
