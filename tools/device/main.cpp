// fleetmq-device: the device side of the seed system, as a reference agent.
//
//   fleetmq-device --config /etc/certs/device.conf
//
// Connects to the broker over mutual TLS with the device's certificate, subscribes to its
// command topic, answers each command on its response topic (with the command's correlation
// data), and reconnects with jittered exponential backoff. SIGTERM or SIGINT: DISCONNECT, exit 0.
// Exit 2: it cannot start (the message says why and how to fix it).
#include "agent.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

namespace {

std::atomic<bool> stop_requested{false};

void request_stop(int) {
    stop_requested = true;
}

} // namespace

int main(int argc, char** argv) {
    std::string config_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_file = argv[++i];
        } else if (arg == "-h" || arg == "--help") {
            std::puts("usage: fleetmq-device --config FILE");
            return 0;
        } else {
            std::fprintf(stderr,
                         "fleetmq-device: unknown argument %s\nusage: fleetmq-device "
                         "--config FILE\n",
                         arg.c_str());
            return 64;
        }
    }
    if (config_file.empty()) {
        std::fputs("usage: fleetmq-device --config FILE\n", stderr);
        return 64;
    }
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction on_stop {};
    on_stop.sa_handler = request_stop;
    sigaction(SIGTERM, &on_stop, nullptr);
    sigaction(SIGINT, &on_stop, nullptr);
    try {
        auto config = fleetmq::client::read_device_config(config_file);
        fleetmq::tools::device_agent agent{std::move(config)};
        return static_cast<int>(agent.run(stop_requested));
    } catch (const fleetmq::client::config_error& e) {
        spdlog::error("cannot start: {}", e.what());
        return 2;
    }
}
