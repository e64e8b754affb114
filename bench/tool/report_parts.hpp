#pragma once

#include "latency_histogram.hpp"

#include <map>
#include <string>

namespace fleetmq::bench {

// What every report shares: latency percentiles as a table row or JSON, reasons as JSON.

/// {"p50":..,"p90":..,"p99":..,"p99_9":..,"max":..,"count":n}, in milliseconds.
std::string latencies_json(const latency_histogram& h);
/// "| what | p50 | p90 | p99 | p99.9 | max |" in milliseconds.
std::string latencies_row(const char* what, const latency_histogram& h);
/// The two-column summary table of every report: its head, and one row.
std::string table_head();
std::string table_row(const std::string& name, const std::string& value);
/// The title and the header of a latency table.
std::string latencies_header(const char* title);
std::string failures_json(const std::map<std::string, std::size_t>& failures);
/// `text` with " and \\ escaped, for a JSON string.
std::string escape(const std::string& text);

} // namespace fleetmq::bench
