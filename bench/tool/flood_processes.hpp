#pragma once

#include "flood.hpp"

namespace fleetmq::bench {

/// The flood in `processes` forked processes, each with its slice of the devices and of the
/// source addresses, and its own open-files limit (one process holds at most ~20,000 sockets
/// here). The parent samples the broker once every process has settled, while all hold, then
/// merges the processes' results (counts summed, histograms merged, the slowest settle time).
flood_result run_flood_in_processes(const flood_options& options, const device_identities& devices,
                                    unsigned processes);

} // namespace fleetmq::bench
