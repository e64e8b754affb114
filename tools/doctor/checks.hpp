#pragma once

#include <fleetmq/client/device_config.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fleetmq::tools {

enum class verdict { pass, fail, skip };

/// One line of the doctor's report: what was checked, what was found, and the fix.
struct check_result {
    std::string name;
    verdict outcome = verdict::pass;
    std::string detail;
    std::string fix; // for failures: from the common-errors table where it has an entry
};

struct doctor_options {
    std::filesystem::path config_file;
    std::optional<std::string> expected_id; // else the id in a literal command topic, if any
    int expiry_warning_days = 30;
    std::chrono::milliseconds timeout{10000};
    bool live = true; // the network checks (resolve, reach, handshake, CONNECT, SUBSCRIBE)
    /// When the broker accepts only the device id itself as client id (equal_to_id), the
    /// CONNECT check takes over the device's live session: only with --take-over, or when
    /// `confirm` (set when a terminal is attached) says yes; otherwise it is skipped.
    bool take_over = false;
    std::function<bool(const std::string& question)> confirm;
};

/// Runs the seed's checklist in order; a check whose prerequisite failed is skipped.
std::vector<check_result> run_checks(const doctor_options& options);

} // namespace fleetmq::tools
