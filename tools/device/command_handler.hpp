#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace fleetmq::tools {

/// What the device knows about itself for the `info` command.
struct device_facts {
    std::string device_id;
    std::chrono::steady_clock::time_point started;
    std::chrono::system_clock::time_point certificate_not_after;
};

struct command_outcome {
    bool ok = true;
    std::string response; // "error: ..." when not ok
};

/// Runs one command. The payload's first word names it; built in: `ping` (answers "pong"),
/// `echo <text>` (answers the text) and `info` (JSON: id, uptime, certificate expiry). Others go
/// to `external` when set: it runs with the command's name as its argument and the whole payload
/// on stdin; its stdout (at most 64 KiB) is the response, and it is killed after `time_limit`.
command_outcome run_command(const std::string& payload, const device_facts& facts,
                            const std::filesystem::path& external,
                            std::chrono::milliseconds time_limit);

} // namespace fleetmq::tools
