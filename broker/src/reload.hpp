#pragma once

#include "fleetmq/broker/server.hpp"

#include <functional>

namespace fleetmq::broker::detail {

struct shared_state;

/// Reads the certificates, keys, CAs, CRLs and ACL file that the configuration names again
/// (the configuration file itself is not re-read), builds them on the calling thread, off the
/// shards' hot path, then hands each shard its copies on its own thread; each disconnects its
/// devices whose certificate is now revoked. `done` is called once, on some shard's thread
/// (or on the caller's when the files are bad: then nothing changes). Reloads are serialised.
void reload(shared_state& state, std::function<void(reload_result)> done);

} // namespace fleetmq::broker::detail
