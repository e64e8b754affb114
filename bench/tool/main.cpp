// fleetmq-bench: load tests for an MQTT broker with one mTLS certificate per simulated device.
//   fleetmq-bench flood --port P --ca CA.pem (--cert-dir DIR | --cert C --key K) -n N [...]
#include "flood.hpp"
#include "report.hpp"

#include <boost/asio/ip/address.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

using namespace fleetmq::bench;

namespace {

constexpr const char* usage = R"(usage: fleetmq-bench flood [options]

Opens N mutual-TLS MQTT connections to a broker on this machine, each CONNECTing and
SUBSCRIBing to device/<id>/commands, holds them, and reports how it went.

  --host ADDRESS       broker address, loopback only (default 127.0.0.1)
  --port N             broker port (default 8883)
  --ca FILE            CA that issued the broker's certificate
  --cert-dir DIR       one certificate per device: DIR/<prefix>*.pem with .key beside each
  --cert-prefix P      file name prefix in --cert-dir (default "device-")
  --cert FILE --key F  one certificate shared by every connection (client ids "<id>/<n>")
  -n, --connections N  connections to open (default 100)
  --rate R             new connections per second (default: as fast as --window allows)
  --window W           connections being set up at once (default 64)
  --hold SECONDS       hold them all this long once up (default 0)
  --mqtt 3.1.1|5       protocol version (default 5)
  --tls 1.2|1.3        offer only this TLS version (default: both)
  --sources K          bind to 127.0.0.2 ... 127.0.0.(K+1) in turn (default: kernel's choice)
  --threads T          client threads (default 2)
  --keep-alive S       MQTT keep alive, pings while held (default 60)
  --broker-pid PID     report the broker's memory and CPU
  --timeout SECONDS    give up after this long (default 300)
  --json               one JSON object on stdout instead of the table
)";

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "fleetmq-bench: %s\n\n%s", message.c_str(), usage);
    std::exit(2);
}

/// Only loopback targets: this tool floods, and must never be aimed at someone else's host.
void require_loopback(const std::string& host) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(host, error);
    if (error || !address.is_loopback()) {
        usage_error("--host " + host + ": only loopback addresses (127.0.0.0/8) are allowed");
    }
}

/// Raises the soft limit of open files to the hard limit; fails if `needed` is over it.
void raise_fd_limit(std::size_t needed) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    if (needed > limit.rlim_cur) {
        throw std::runtime_error{"--connections needs " + std::to_string(needed) +
                                 " open files, over this process's hard limit of " +
                                 std::to_string(limit.rlim_cur) +
                                 "; run several fleetmq-bench processes"};
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string{argv[1]} == "--help" || std::string{argv[1]} == "-h") {
        std::fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (std::string{argv[1]} != "flood") {
        usage_error(std::string{"unknown command '"} + argv[1] + "'");
    }
    flood_options o;
    std::string cert_dir;
    std::string cert_prefix = "device-";
    std::string cert;
    std::string key;
    bool json = false;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage_error(arg + " needs a value");
            }
            return argv[++i];
        };
        const auto number = [&]() -> double {
            const auto text = value();
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || v < 0) {
                usage_error(arg + ": '" + text + "' is not a non-negative number");
            }
            return v;
        };
        if (arg == "--host") {
            o.host = value();
        } else if (arg == "--port") {
            o.port = static_cast<std::uint16_t>(number());
        } else if (arg == "--ca") {
            o.ca = value();
        } else if (arg == "--cert-dir") {
            cert_dir = value();
        } else if (arg == "--cert-prefix") {
            cert_prefix = value();
        } else if (arg == "--cert") {
            cert = value();
        } else if (arg == "--key") {
            key = value();
        } else if (arg == "-n" || arg == "--connections") {
            o.connections = static_cast<std::size_t>(number());
        } else if (arg == "--rate") {
            o.rate = number();
        } else if (arg == "--window") {
            o.window = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--hold") {
            o.hold_seconds = number();
        } else if (arg == "--mqtt") {
            const auto v = value();
            if (v != "3.1.1" && v != "5") {
                usage_error("--mqtt: 3.1.1 or 5");
            }
            o.mqtt = v == "5" ? fleetmq::protocol::protocol_version::v5
                              : fleetmq::protocol::protocol_version::v3_1_1;
        } else if (arg == "--tls") {
            const auto v = value();
            if (v != "1.2" && v != "1.3") {
                usage_error("--tls: 1.2 or 1.3");
            }
            o.tls_version = v == "1.2" ? 12 : 13;
        } else if (arg == "--sources") {
            o.sources = static_cast<unsigned>(std::min(number(), 250.0));
        } else if (arg == "--threads") {
            o.threads = std::max(1u, static_cast<unsigned>(number()));
        } else if (arg == "--keep-alive") {
            o.keep_alive = static_cast<std::uint16_t>(std::max(1.0, number()));
        } else if (arg == "--broker-pid") {
            o.broker_pid = static_cast<int>(number());
        } else if (arg == "--timeout") {
            o.timeout_seconds = number();
        } else if (arg == "--json") {
            json = true;
        } else {
            usage_error("unknown option '" + arg + "'");
        }
    }
    require_loopback(o.host);
    if (o.ca.empty() || (cert_dir.empty() == cert.empty()) || (!cert.empty() && key.empty())) {
        usage_error("give --ca, and either --cert-dir or --cert with --key");
    }
    // A broker that refuses a device closes on it; a write then must fail, not kill the bench.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        raise_fd_limit(o.connections + 64);
        const auto devices = cert_dir.empty()
                                 ? device_identities::shared(cert, key)
                                 : device_identities::from_directory(cert_dir, cert_prefix);
        o.progress = !json && ::isatty(STDERR_FILENO) != 0;
        const auto result = run_flood(o, devices);
        std::fputs(
            (json ? flood_json(o, devices, result) : flood_table(o, devices, result)).c_str(),
            stdout);
        return result.established == o.connections && result.lost_while_held == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fleetmq-bench: %s\n", e.what());
        return 2;
    }
}
