// fleetmq-pki-tool: the parts of deploy/pki/fleetmq-pki that need one process or the broker's
// own rules.
//
//   fleetmq-pki-tool check-id ID
//   fleetmq-pki-tool batch --ca-dir DIR --root ROOT.crt --out DIR --count N [--prefix P]
//                          [--start S] [--width W] [--org O] [--country C] [--device-type T]
//                          [--days D] [--threads T] [--force]
#include "batch_issuer.hpp"

#include <fleetmq/auth/identity_policy.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* usage =
    "usage: fleetmq-pki-tool check-id ID\n"
    "       fleetmq-pki-tool batch --ca-dir DIR --root ROOT.crt --out DIR --count N\n"
    "                              [--prefix dev-] [--start 1] [--width W] [--org O]\n"
    "                              [--country C] [--device-type T] [--days 825]\n"
    "                              [--threads T] [--force]\n";

int check_id(const std::vector<std::string>& args) {
    if (args.size() != 1) {
        std::fputs(usage, stderr);
        return 2;
    }
    if (const auto failure = fleetmq::auth::check_device_id(args[0])) {
        const auto reason = fleetmq::auth::to_string(*failure);
        std::fprintf(stderr,
                     "%.*s (device ids: 1 to %zu bytes of UTF-8, no control characters, "
                     "no '+', '#' or '/')\n",
                     static_cast<int>(reason.size()), reason.data(), fleetmq::auth::max_id_length);
        return 1;
    }
    return 0;
}

unsigned long long number(std::string_view option, const std::string& value,
                          unsigned long long most = ~0ull) {
    std::size_t used = 0;
    const auto parsed = value.empty() || value[0] == '-' ? 0 : std::stoull(value, &used);
    if (used == 0 || used != value.size() || parsed > most) {
        throw std::invalid_argument{std::string{option} + ": not a number up to " +
                                    std::to_string(most) + ": " + value};
    }
    return parsed;
}

int batch(const std::vector<std::string>& args) {
    fleetmq::tools::batch_request r;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& option = args[i];
        if (option == "--force") {
            r.force = true;
            continue;
        }
        if (i + 1 >= args.size()) {
            throw std::invalid_argument{option + " needs a value"};
        }
        const auto& value = args[++i];
        if (option == "--ca-dir") {
            r.ca_dir = value;
        } else if (option == "--root") {
            r.root = value;
        } else if (option == "--out") {
            r.out = value;
        } else if (option == "--count") {
            r.count = number(option, value);
        } else if (option == "--prefix") {
            r.prefix = value;
        } else if (option == "--start") {
            r.start = number(option, value);
        } else if (option == "--width") {
            r.width = static_cast<int>(number(option, value, 20));
        } else if (option == "--org") {
            r.organization = value;
        } else if (option == "--country") {
            r.country = value;
        } else if (option == "--device-type") {
            r.device_type = value;
        } else if (option == "--days") {
            r.days = static_cast<int>(number(option, value, 36500));
        } else if (option == "--threads") {
            r.threads = static_cast<unsigned>(number(option, value, 256));
        } else {
            throw std::invalid_argument{"unknown option " + option};
        }
    }
    if (r.ca_dir.empty() || r.root.empty() || r.out.empty() || r.count == 0) {
        throw std::invalid_argument{"batch needs --ca-dir, --root, --out and --count"};
    }
    const auto began = std::chrono::steady_clock::now();
    const auto issued = fleetmq::tools::issue_batch(r);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
    std::fprintf(stderr, "fleetmq-pki: %llu device certificates in %s in %.1f s (%.0f/s)\n",
                 static_cast<unsigned long long>(issued), r.out.c_str(), took.count(),
                 static_cast<double>(issued) / took.count());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(usage, stderr);
        return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "check-id") {
            return check_id(args);
        }
        if (command == "batch") {
            return batch(args);
        }
        if (command == "--help" || command == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        std::fprintf(stderr, "fleetmq-pki-tool: unknown command %s\n%s", command.c_str(), usage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fleetmq-pki-tool: %s\n", e.what());
        return 1;
    }
}
