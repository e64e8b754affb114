// fleetmq-bench: load tests for an MQTT broker with one mTLS certificate per simulated device.
//   fleetmq-bench flood  --port P --ca CA.pem (--cert-dir DIR | --cert C --key K) -n N [...]
//   fleetmq-bench pubsub --port P --ca CA.pem --cert-dir DIR --controller-cert C --controller-key K
#include "flood.hpp"
#include "flood_processes.hpp"
#include "pubsub.hpp"
#include "report.hpp"

#include <boost/asio/ip/address.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

using namespace fleetmq::bench;

namespace {

constexpr const char* usage = R"(usage: fleetmq-bench COMMAND [options]

  flood    open N mutual-TLS devices (CONNECT + SUBSCRIBE to device/<id>/commands), hold them,
           report rate, failures by reason, handshake and CONNACK latency, broker memory
  pubsub   P publishers and S subscribers in the seed's topics; messages per second and
           end-to-end latency (the send time travels in the payload)
  command  N devices answer one command each from the controller (5.0 response topic and
           correlation data); time until every answer, round-trip latency
  storm    N devices connected, all dropped at once, reconnecting with jittered backoff;
           time until all are back, with or without TLS resumption
  bulk     one device and the controller exchange B bytes each way through the device's
           connection; every byte checked; MiB/s

Where and as whom (every command):
  --host ADDRESS       broker address, loopback only (default 127.0.0.1)
  --port N             broker port (default 8883)
  --ca FILE            CA that issued the broker's certificate
  --cert-dir DIR       one certificate per device: DIR/<prefix>*.pem with .key beside each
  --cert-prefix P      file name prefix in --cert-dir (default "device-")
  --cert FILE --key F  one device certificate shared by every connection (client ids "<id>/<n>")
  --mqtt 3.1.1|5       protocol version (default 5)
  --tls 1.2|1.3        offer only this TLS version (default: both)
  --sources K          bind to 127.0.0.2 ... 127.0.0.(K+1) in turn (default: kernel's choice)
  --threads T          client threads (default 2)
  --keep-alive S       MQTT keep alive (default 60)
  --window W           connections being set up at once (default 64, per process)
  --broker-pid PID     report the broker's memory and CPU
  --timeout SECONDS    give up connecting after this long (default 300)
  --json               one JSON object on stdout instead of the table

flood:
  -n, --connections N  connections to open (default 100)
  --rate R             new connections per second (default: as fast as --window allows)
  --hold SECONDS       hold them all this long once up (default 0)
  --procs K            split the connections over K processes (each has its own open-files
                       limit: ~20,000 sockets per process here); --sources K' each

pubsub:
  --mode fan-in|fan-out  fan-in (default): P devices publish device/<id>/responses, S controller
                       connections share $share/bench/device/+/responses; fan-out: P controller
                       connections publish device/<id>/commands to S devices in turn
  -p, --publishers P   (default 10)          -s, --subscribers S   (default 10)
  --controller-cert F --controller-key K     the controller's certificate (shared, own client ids)
  --qos 0|1|2          (default 0)           --payload BYTES       (default 64, at least 16)
  --rate R             messages per second, all publishers together (open loop); default:
                       closed loop with --inflight messages per publisher on their way
  --inflight N         (default 100)         --seconds S           (default 10)

command (also --controller-cert, --controller-key):
  -n, --devices N      devices, one command each (default 100)
  --controllers C      controller connections sharing the answers (default 1)
  --qos 0|1|2          (default 1)           --payload BYTES       (default 32)
  --rate R             commands per second (open loop); default: closed loop, --inflight
  --inflight N         commands on their way, all controllers (default 100)
  --answer-timeout S   wait this long after the last command (default 30)

storm:
  -n, --devices N      devices (default 100)
  --jitter S           each comes back after a random delay in [0, S] (default 5)
  --retry S            a failed reconnection retries within [0, S], doubling (default 1)
  --max-retry S        up to this ceiling (default 30)
  --resume             reconnect with the TLS session of the first connection
  --storm-timeout S    give up waiting for the last device after this long (default 300)

bulk (also --controller-cert, --controller-key; the first device of --cert-dir or --cert):
  --bytes B            bytes each way (default 67108864)
  --payload BYTES      per message (default 65536, 16 ... 204800)
  --qos 0|1|2          (default 1)           --stall S   give up after S s without a message (30)
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
        throw std::runtime_error{"this run needs " + std::to_string(needed) +
                                 " open files, over this process's hard limit of " +
                                 std::to_string(limit.rlim_cur) +
                                 "; run several fleetmq-bench processes"};
    }
}

fleetmq::protocol::qos qos_of(double q) {
    if (q != 0 && q != 1 && q != 2) {
        usage_error("--qos: 0, 1 or 2");
    }
    return static_cast<fleetmq::protocol::qos>(static_cast<int>(q));
}

/// The command line: options every command shares, and a hook for the command's own.
struct command_line {
    target to;
    std::string cert_dir;
    std::string cert_prefix = "device-";
    std::string cert;
    std::string key;
    std::string controller_cert;
    std::string controller_key;
    int broker_pid = 0;
    bool json = false;

    device_identities devices() const {
        if (to.ca.empty() || (cert_dir.empty() == cert.empty()) || (!cert.empty() && key.empty())) {
            usage_error("give --ca, and either --cert-dir or --cert with --key");
        }
        return cert_dir.empty() ? device_identities::shared(cert, key)
                                : device_identities::from_directory(cert_dir, cert_prefix);
    }
    device_identities controller() const {
        if (controller_cert.empty() || controller_key.empty()) {
            usage_error("give --controller-cert and --controller-key");
        }
        return device_identities::shared(controller_cert, controller_key);
    }
};

/// Parses argv[2...]; `own(option, value)` handles a command's options (true when it knew it).
command_line parse(int argc, char** argv,
                   const std::function<bool(const std::string&, const std::function<std::string()>&,
                                            const std::function<double()>&)>& own) {
    command_line c;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        const std::function<std::string()> value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage_error(arg + " needs a value");
            }
            return argv[++i];
        };
        const std::function<double()> number = [&]() -> double {
            const auto text = value();
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || v < 0) {
                usage_error(arg + ": '" + text + "' is not a non-negative number");
            }
            return v;
        };
        if (arg == "--host") {
            c.to.host = value();
        } else if (arg == "--port") {
            c.to.port = static_cast<std::uint16_t>(std::min(number(), 65535.0));
        } else if (arg == "--ca") {
            c.to.ca = value();
        } else if (arg == "--cert-dir") {
            c.cert_dir = value();
        } else if (arg == "--cert-prefix") {
            c.cert_prefix = value();
        } else if (arg == "--cert") {
            c.cert = value();
        } else if (arg == "--key") {
            c.key = value();
        } else if (arg == "--controller-cert") {
            c.controller_cert = value();
        } else if (arg == "--controller-key") {
            c.controller_key = value();
        } else if (arg == "--mqtt") {
            const auto v = value();
            if (v != "3.1.1" && v != "5") {
                usage_error("--mqtt: 3.1.1 or 5");
            }
            c.to.mqtt = v == "5" ? fleetmq::protocol::protocol_version::v5
                                 : fleetmq::protocol::protocol_version::v3_1_1;
        } else if (arg == "--tls") {
            const auto v = value();
            if (v != "1.2" && v != "1.3") {
                usage_error("--tls: 1.2 or 1.3");
            }
            c.to.tls_version = v == "1.2" ? 12 : 13;
        } else if (arg == "--sources") {
            c.to.sources = static_cast<unsigned>(std::min(number(), 250.0));
        } else if (arg == "--threads") {
            c.to.threads = std::max(1u, static_cast<unsigned>(std::min(number(), 256.0)));
        } else if (arg == "--keep-alive") {
            c.to.keep_alive = static_cast<std::uint16_t>(std::clamp(number(), 1.0, 65535.0));
        } else if (arg == "--window") {
            c.to.window = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--broker-pid") {
            c.broker_pid = static_cast<int>(number());
        } else if (arg == "--timeout") {
            c.to.timeout_seconds = number();
        } else if (arg == "--json") {
            c.json = true;
        } else if (!own(arg, value, number)) {
            usage_error("unknown option '" + arg + "'");
        }
    }
    require_loopback(c.to.host);
    return c;
}

int flood(int argc, char** argv) {
    flood_options o;
    unsigned processes = 1;
    const auto c = parse(argc, argv, [&](const std::string& arg, const auto&, const auto& number) {
        if (arg == "-n" || arg == "--connections") {
            o.connections = static_cast<std::size_t>(number());
        } else if (arg == "--rate") {
            o.rate = number();
        } else if (arg == "--hold") {
            o.hold_seconds = number();
        } else if (arg == "--procs") {
            processes = std::clamp(static_cast<unsigned>(number()), 1u, 64u);
        } else {
            return false;
        }
        return true;
    });
    o.to = c.to;
    o.broker_pid = c.broker_pid;
    const auto devices = c.devices();
    raise_fd_limit(o.connections / processes + 64);
    if (processes > 1 && 2 + o.to.sources * processes > 255) {
        usage_error("--sources times --procs must stay within 127.0.0.2 ... 127.0.0.255");
    }
    o.progress = processes == 1 && !c.json && ::isatty(STDERR_FILENO) != 0;
    const auto result =
        processes > 1 ? run_flood_in_processes(o, devices, processes) : run_flood(o, devices);
    std::fputs((c.json ? flood_json(o, devices, result) : flood_table(o, devices, result)).c_str(),
               stdout);
    return result.established == o.connections && result.lost_while_held == 0 ? 0 : 1;
}

int pubsub(int argc, char** argv) {
    pubsub_options o;
    const auto c =
        parse(argc, argv, [&](const std::string& arg, const auto& value, const auto& number) {
            if (arg == "--mode") {
                const auto v = value();
                if (v != "fan-in" && v != "fan-out") {
                    usage_error("--mode: fan-in or fan-out");
                }
                o.mode = v == "fan-in" ? pubsub_mode::fan_in : pubsub_mode::fan_out;
            } else if (arg == "-p" || arg == "--publishers") {
                o.publishers = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
            } else if (arg == "-s" || arg == "--subscribers") {
                o.subscribers = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
            } else if (arg == "--qos") {
                o.qos = qos_of(number());
            } else if (arg == "--payload") {
                o.payload_bytes = static_cast<std::size_t>(std::min(number(), 16.0 * 1024 * 1024));
            } else if (arg == "--rate") {
                o.rate = number();
            } else if (arg == "--inflight") {
                o.window = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
            } else if (arg == "--seconds") {
                o.seconds = std::min(number(), 3600.0);
            } else {
                return false;
            }
            return true;
        });
    o.to = c.to;
    o.broker_pid = c.broker_pid;
    const auto devices = c.devices();
    const auto controller = c.controller();
    const auto device_count = o.mode == pubsub_mode::fan_in ? o.publishers : o.subscribers;
    if (!devices.shared_certificate() && devices.size() < device_count) {
        usage_error("--cert-dir has " + std::to_string(devices.size()) + " certificates, " +
                    std::to_string(device_count) + " devices are needed");
    }
    raise_fd_limit(o.publishers + o.subscribers + 64);
    o.progress = !c.json && ::isatty(STDERR_FILENO) != 0;
    const auto result = run_pubsub(o, devices, controller);
    std::fputs((c.json ? pubsub_json(o, result) : pubsub_table(o, result)).c_str(), stdout);
    const bool complete =
        result.connect_failures.empty() &&
        (o.qos == fleetmq::protocol::qos::at_most_once || result.received == result.sent);
    return complete ? 0 : 1;
}

int command(int argc, char** argv) {
    round_trip_options o;
    const auto c = parse(argc, argv, [&](const std::string& arg, const auto&, const auto& number) {
        if (arg == "-n" || arg == "--devices") {
            o.devices = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--controllers") {
            o.controllers = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--qos") {
            o.qos = qos_of(number());
        } else if (arg == "--payload") {
            o.payload_bytes = static_cast<std::size_t>(std::min(number(), 1024.0 * 1024));
        } else if (arg == "--rate") {
            o.rate = number();
        } else if (arg == "--inflight") {
            o.inflight = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--answer-timeout") {
            o.answer_timeout_seconds = std::min(number(), 3600.0);
        } else {
            return false;
        }
        return true;
    });
    o.to = c.to;
    o.broker_pid = c.broker_pid;
    if (o.to.mqtt != fleetmq::protocol::protocol_version::v5) {
        usage_error("command needs MQTT 5 (response topic and correlation data)");
    }
    const auto devices = c.devices();
    const auto controller = c.controller();
    // Devices that share a certificate share an id, hence a command topic: every command
    // would reach all of them.
    if (devices.size() < o.devices) {
        usage_error("command needs one certificate per device (--cert-dir): " +
                    std::to_string(devices.size()) + " for " + std::to_string(o.devices) +
                    " devices");
    }
    raise_fd_limit(o.devices + o.controllers + 64);
    o.progress = !c.json && ::isatty(STDERR_FILENO) != 0;
    const auto result = run_round_trip(o, devices, controller);
    std::fputs((c.json ? round_trip_json(o, result) : round_trip_table(o, result)).c_str(), stdout);
    return result.connect_failures.empty() && result.answered == o.devices ? 0 : 1;
}

int bulk(int argc, char** argv) {
    bulk_options o;
    const auto c = parse(argc, argv, [&](const std::string& arg, const auto&, const auto& number) {
        if (arg == "--bytes") {
            o.bytes = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(number()));
        } else if (arg == "--payload") {
            // The index takes 8 bytes; the broker's default maximum packet is 256 KiB.
            o.payload_bytes = static_cast<std::size_t>(std::clamp(number(), 16.0, 200.0 * 1024));
        } else if (arg == "--qos") {
            o.qos = qos_of(number());
        } else if (arg == "--stall") {
            o.stall_seconds = std::clamp(number(), 1.0, 3600.0);
        } else {
            return false;
        }
        return true;
    });
    o.to = c.to;
    o.broker_pid = c.broker_pid;
    const auto devices = c.devices();
    const auto controller = c.controller();
    o.progress = !c.json && ::isatty(STDERR_FILENO) != 0;
    const auto result = run_bulk(o, devices, controller);
    std::fputs((c.json ? bulk_json(o, result) : bulk_table(o, result)).c_str(), stdout);
    return result.complete ? 0 : 1;
}

int storm(int argc, char** argv) {
    storm_options o;
    const auto c = parse(argc, argv, [&](const std::string& arg, const auto&, const auto& number) {
        if (arg == "-n" || arg == "--devices") {
            o.devices = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        } else if (arg == "--jitter") {
            o.jitter_seconds = std::min(number(), 3600.0);
        } else if (arg == "--retry") {
            o.retry_seconds = std::clamp(number(), 0.001, 3600.0);
        } else if (arg == "--max-retry") {
            o.max_retry_seconds = std::clamp(number(), 0.001, 3600.0);
        } else if (arg == "--storm-timeout") {
            o.storm_timeout_seconds = std::min(number(), 86400.0);
        } else if (arg == "--resume") {
            o.resume = true;
        } else {
            return false;
        }
        return true;
    });
    o.to = c.to;
    o.broker_pid = c.broker_pid;
    const auto devices = c.devices();
    raise_fd_limit(o.devices + 64);
    o.progress = !c.json && ::isatty(STDERR_FILENO) != 0;
    const auto result = run_storm(o, devices);
    std::fputs((c.json ? storm_json(o, result) : storm_table(o, result)).c_str(), stdout);
    return result.connected == o.devices && result.back == result.connected ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string{argv[1]} == "--help" || std::string{argv[1]} == "-h") {
        std::fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    // A broker that refuses a device closes on it; a write then must fail, not kill the bench.
    std::signal(SIGPIPE, SIG_IGN);
    const std::string command = argv[1];
    try {
        if (command == "flood") {
            return flood(argc, argv);
        }
        if (command == "pubsub") {
            return pubsub(argc, argv);
        }
        if (command == "command") {
            return ::command(argc, argv);
        }
        if (command == "storm") {
            return storm(argc, argv);
        }
        if (command == "bulk") {
            return bulk(argc, argv);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fleetmq-bench: %s\n", e.what());
        return 2;
    }
    usage_error("unknown command '" + command + "'");
}
