#pragma once

#include "bulk.hpp"
#include "flood.hpp"
#include "pubsub.hpp"
#include "round_trip.hpp"
#include "storm.hpp"

#include <string>

namespace fleetmq::bench {

/// The human summary of a flood: a table of counts, rates and latency percentiles.
std::string flood_table(const flood_options& o, const device_identities& devices,
                        const flood_result& r);
/// The same as one JSON object, for scripts (bench/compare.sh) and the tests.
std::string flood_json(const flood_options& o, const device_identities& devices,
                       const flood_result& r);

/// The summary of a pubsub run: counts, messages per second, end-to-end latency.
std::string pubsub_table(const pubsub_options& o, const pubsub_result& r);
std::string pubsub_json(const pubsub_options& o, const pubsub_result& r);

/// The summary of a command round trip: answers, time until the last one, latency.
std::string round_trip_table(const round_trip_options& o, const round_trip_result& r);
std::string round_trip_json(const round_trip_options& o, const round_trip_result& r);

/// The summary of a reconnect storm: who came back, how fast, how many resumed.
std::string storm_table(const storm_options& o, const storm_result& r);
std::string storm_json(const storm_options& o, const storm_result& r);

/// The summary of a bulk transfer: bytes each way, verified, and the rate.
std::string bulk_table(const bulk_options& o, const bulk_result& r);
std::string bulk_json(const bulk_options& o, const bulk_result& r);

} // namespace fleetmq::bench
