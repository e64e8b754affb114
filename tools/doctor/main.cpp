// fleetmq-doctor: the seed's verification checklist for one device, its files and its broker.
//
//   fleetmq-doctor --config /etc/certs/device.conf [--device-id ID] [--expiry-days 30]
//                  [--timeout SECONDS] [--offline]
//
// Prints one line per check (PASS, FAIL with the fix, SKIP when a prerequisite failed) and exits
// 0 only when every check passed (3 when all that ran passed but the live MQTT checks were
// skipped so as not to disturb the device). The live checks connect with the device's
// certificate as client id "<id>/doctor-<pid>", which leaves a running fleetmq-device alone;
// where the broker allows only the id itself, taking over the device's session is asked first
// (or allowed by --take-over, or skipped when no terminal is attached).
#include "checks.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <unistd.h>

namespace {

constexpr const char* usage =
    "usage: fleetmq-doctor --config FILE [--device-id ID] [--expiry-days 30] [--timeout 10]\n"
    "                      [--offline] [--take-over]\n";

int parse_int(const std::string& option, const char* value, int least, int most) {
    try {
        std::size_t used = 0;
        const int n = std::stoi(value, &used);
        if (used == std::string{value}.size() && n >= least && n <= most) {
            return n;
        }
    } catch (const std::exception&) {
    }
    throw std::invalid_argument{
        fmt::format("{} expects a number from {} to {}", option, least, most)};
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    fleetmq::tools::doctor_options options;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--offline") {
                options.live = false;
                continue;
            }
            if (arg == "--take-over") {
                options.take_over = true;
                continue;
            }
            if (arg == "-h" || arg == "--help") {
                std::fputs(usage, stdout);
                return 0;
            }
            if (i + 1 >= argc) {
                throw std::invalid_argument{arg + " needs a value"};
            }
            const char* value = argv[++i];
            if (arg == "--config") {
                options.config_file = value;
            } else if (arg == "--device-id") {
                options.expected_id = value;
            } else if (arg == "--expiry-days") {
                options.expiry_warning_days = parse_int(arg, value, 0, 3650);
            } else if (arg == "--timeout") {
                options.timeout = std::chrono::seconds{parse_int(arg, value, 1, 300)};
            } else {
                throw std::invalid_argument{"unknown option " + arg};
            }
        }
        if (options.config_file.empty()) {
            throw std::invalid_argument{"--config FILE is required"};
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fleetmq-doctor: %s\n%s", e.what(), usage);
        return 2;
    }

    const bool colour = ::isatty(STDOUT_FILENO) == 1;
    if (::isatty(STDIN_FILENO) == 1 && colour) {
        options.confirm = [](const std::string& question) {
            fmt::print("{} [y/N] ", question);
            std::fflush(stdout);
            char answer[16] = {};
            return std::fgets(answer, sizeof answer, stdin) != nullptr &&
                   (answer[0] == 'y' || answer[0] == 'Y');
        };
    }
    fmt::print("fleetmq doctor: {}\n", options.config_file.string());
    const auto results = fleetmq::tools::run_checks(options);
    int passed = 0;
    for (const auto& r : results) {
        const char* word = r.outcome == fleetmq::tools::verdict::pass   ? "PASS"
                           : r.outcome == fleetmq::tools::verdict::fail ? "FAIL"
                                                                        : "SKIP";
        const char* on = !colour                                      ? ""
                         : r.outcome == fleetmq::tools::verdict::pass ? "\033[32m"
                         : r.outcome == fleetmq::tools::verdict::fail ? "\033[31m"
                                                                      : "\033[33m";
        fmt::print("  {}{}{}  {:<24} {}\n", on, word, colour ? "\033[0m" : "", r.name, r.detail);
        if (!r.fix.empty()) {
            fmt::print("        fix: {}\n", r.fix);
        }
        passed += r.outcome == fleetmq::tools::verdict::pass ? 1 : 0;
    }
    const auto total = static_cast<int>(results.size());
    const bool failed = std::any_of(results.begin(), results.end(), [](const auto& r) {
        return r.outcome == fleetmq::tools::verdict::fail;
    });
    fmt::print("{} of {} checks passed{}\n", passed, total,
               passed == total ? "."
               : failed        ? ": the device is not ready."
                               : "; the others were skipped (see above).");
    return passed == total ? 0 : failed ? 1 : 3;
}
