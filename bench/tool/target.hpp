#pragma once

#include "fleetmq/protocol/protocol_version.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace fleetmq::bench {

/// Where the clients of a run connect to, and how.
struct target {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8883;
    std::filesystem::path ca;
    int tls_version = 0; // 12, 13 or 0 (both)
    protocol::protocol_version mqtt = protocol::protocol_version::v5;
    unsigned sources = 0; // bind to 127.0.0.2 ... 127.0.0.(1 + sources); 0: the kernel's choice
    unsigned threads = 2;
    std::uint16_t keep_alive = 60;
    std::size_t window = 64; // connections being set up at once
    double timeout_seconds = 300;
};

} // namespace fleetmq::bench
