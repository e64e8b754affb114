#pragma once

#include "fleetmq/broker/server.hpp"

#include <functional>

namespace fleetmq::broker::detail {

struct shared_state;

/// Reads the configuration file again (checked as --check-config checks it) and the
/// certificates, keys, CAs, CRLs and ACL file it names; applies what can change live and
/// reports what needs a restart (reload_plan). Builds everything on the calling thread, off
/// the shards' hot path, then hands each shard its copies on its own thread; each disconnects
/// its devices whose certificate is now revoked. `done` is called once, on some shard's thread
/// (or on the caller's when a file is bad: then nothing changes). Reloads are serialised.
void reload(shared_state& state, std::function<void(reload_result)> done);

} // namespace fleetmq::broker::detail
