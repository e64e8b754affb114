// fleetmq-tls-bench: what an idle mTLS connection costs the broker in memory, and what a full and
// a resumed handshake cost it in CPU, next to OpenSSL's own in-process cost for the same
// settings. The server runs in a child process (one shard, one thread) so that its RSS and CPU
// are its own; clients are blocking OpenSSL clients on 127.0.0.1. Everything stops by itself.
#include "bench_client.hpp"
#include "bench_server.hpp"
#include "inprocess_baseline.hpp"
#include "process_stats.hpp"
#include "test_pki.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace fleetmq;
using namespace std::chrono;

struct options {
    std::size_t connections = 19000;
    std::size_t handshakes = 3000;
    unsigned threads = 2;
    bool tls1_2 = false;
    bool chain = false;
    std::string groups = "X25519:P-256";
    std::string command_line;
};

[[noreturn]] void usage(const char* program) {
    std::fprintf(stderr,
                 "usage: %s [--connections N] [--handshakes M] [--threads T] [--tls1.2]\n"
                 "          [--groups LIST] [--chain]\n"
                 "  --connections N  idle mTLS connections held (default 19000; this VM allows\n"
                 "                   20000 open files per process)\n"
                 "  --handshakes M   full and resumed handshakes timed (default 3000)\n"
                 "  --threads T      client threads (default 2)\n"
                 "  --tls1.2         clients stop at TLS 1.2\n"
                 "  --groups LIST    server key exchange groups (default X25519:P-256)\n"
                 "  --chain          devices send their vendor intermediate too\n",
                 program);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 0; i < argc; ++i) {
        if (i > 0) {
            o.command_line += ' ';
        }
        o.command_line += argv[i];
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage(argv[0]);
            }
            return argv[++i];
        };
        if (arg == "--connections") {
            o.connections = std::stoul(value());
        } else if (arg == "--handshakes") {
            o.handshakes = std::stoul(value());
        } else if (arg == "--threads") {
            o.threads = static_cast<unsigned>(std::stoul(value()));
        } else if (arg == "--tls1.2") {
            o.tls1_2 = true;
        } else if (arg == "--chain") {
            o.chain = true;
        } else if (arg == "--groups") {
            o.groups = value();
        } else {
            usage(argv[0]);
        }
    }
    if (o.connections > 19500 || o.threads == 0 || o.handshakes == 0) {
        std::fprintf(stderr, "connections must be at most 19500, threads and handshakes > 0\n");
        std::exit(2);
    }
    return o;
}

pid_t start_server(const std::shared_ptr<const tls::server_context>& context, std::uint16_t& port,
                   bool bare = false) {
    int fds[2];
    if (::pipe(fds) != 0) {
        std::perror("pipe");
        std::exit(1);
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlives the benchmark
        if (::getppid() != parent) {
            std::_Exit(1);
        }
        ::alarm(1800); // and never runs longer than half an hour
        if (bare) {
            bench::run_bare_server(context, fds[1]);
        }
        bench::run_server(context, fds[1]);
    }
    ::close(fds[1]);
    if (::read(fds[0], &port, sizeof port) != sizeof port) {
        std::fprintf(stderr, "the server did not start\n");
        std::exit(1);
    }
    ::close(fds[0]);
    return pid;
}

double micros(nanoseconds n) {
    return static_cast<double>(n.count()) / 1000.0;
}

} // namespace

int main(int argc, char** argv) {
    const auto opts = parse(argc, argv);
    test::test_pki pki;
    test::certificate_spec device_spec;
    device_spec.subject = {{"O", "fleetmq bench"}, {"CN", "a-bench-0001"}};
    const auto device =
        pki.client("bench-device", device_spec, pki.vendor_a, test::key_kind::ec_p256, opts.chain);
    auto config = pki.config();
    config.groups = opts.groups;
    const auto context = tls::server_context::create(config);

    std::printf("command: %s\n", opts.command_line.c_str());
    std::printf("settings: %s, server groups %s, ECDSA P-256 certificates, device chain %s, "
                "1 ticket per handshake, 1 server thread\n",
                opts.tls1_2 ? "TLS 1.2" : "TLS 1.3", opts.groups.c_str(),
                opts.chain ? "leaf + intermediate" : "leaf only");

    const bench::bench_client client{device.certificate, device.key, pki.dir / "root.pem",
                                     opts.tls1_2};

    // OpenSSL alone, in this process, before the server exists.
    SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_use_certificate_chain_file(client_ctx, device.certificate.c_str());
    SSL_CTX_use_PrivateKey_file(client_ctx, device.key.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(client_ctx, (pki.dir / "root.pem").c_str(), nullptr);
    if (opts.tls1_2) {
        SSL_CTX_set_max_proto_version(client_ctx, TLS1_2_VERSION);
    }
    const auto baseline_count = std::min<std::size_t>(opts.handshakes, 1000);
    const auto baseline_full = bench::inprocess_server_handshake_cost(context->native_handle(),
                                                                      client_ctx, baseline_count);
    SSL_SESSION* baseline_session = bench::inprocess_session(context->native_handle(), client_ctx);
    const auto baseline_resumed = bench::inprocess_server_handshake_cost(
        context->native_handle(), client_ctx, baseline_count, baseline_session);
    SSL_SESSION_free(baseline_session);
    SSL_CTX_free(client_ctx);

    // The bare OpenSSL socket server: the same handshakes, without Asio and fleetmq's stream.
    std::uint16_t port = 0;
    const pid_t bare = start_server(context, port, true);
    client.open_many(port, 50, 1, false);
    auto cpu_before = bench::cpu_time(bare);
    const auto bare_full = client.open_many(port, opts.handshakes, opts.threads, false);
    const auto bare_full_cpu = bench::cpu_time(bare) - cpu_before;
    auto bare_first = client.open(port);
    SSL_SESSION* bare_session =
        bare_first.ssl != nullptr ? SSL_get1_session(bare_first.ssl) : nullptr;
    bench::bench_client::close(bare_first);
    cpu_before = bench::cpu_time(bare);
    const auto bare_resumed =
        client.open_many(port, opts.handshakes, opts.threads, false, bare_session);
    const auto bare_resumed_cpu = bench::cpu_time(bare) - cpu_before;
    SSL_SESSION_free(bare_session);
    ::kill(bare, SIGKILL);
    ::waitpid(bare, nullptr, 0);

    const pid_t server = start_server(context, port);
    client.open_many(port, 50, 1, false); // warm-up: lazy initialisation, allocator arenas

    // Full handshakes.
    cpu_before = bench::cpu_time(server);
    auto wall_before = steady_clock::now();
    const auto full = client.open_many(port, opts.handshakes, opts.threads, false);
    const auto full_cpu = bench::cpu_time(server) - cpu_before;
    const auto full_wall = steady_clock::now() - wall_before;

    // Resumed handshakes, all from one ticket.
    auto first = client.open(port);
    SSL_SESSION* session = first.ssl != nullptr ? SSL_get1_session(first.ssl) : nullptr;
    bench::bench_client::close(first);
    cpu_before = bench::cpu_time(server);
    const auto resumed = client.open_many(port, opts.handshakes, opts.threads, false, session);
    const auto resumed_cpu = bench::cpu_time(server) - cpu_before;
    SSL_SESSION_free(session);

    // Idle connections.
    const auto rss_before = bench::resident_bytes(server);
    wall_before = steady_clock::now();
    auto idle = client.open_many(port, opts.connections, opts.threads, true);
    const auto idle_wall = steady_clock::now() - wall_before;
    std::this_thread::sleep_for(seconds{2});
    const auto rss_after = bench::resident_bytes(server);
    for (auto& c : idle.kept) {
        bench::bench_client::close(c);
    }
    ::kill(server, SIGKILL);
    ::waitpid(server, nullptr, 0);

    const auto full_done = opts.handshakes - full.failures;
    const auto resumed_done = opts.handshakes - resumed.failures;
    const auto per_full =
        duration_cast<nanoseconds>(full_cpu) / std::max<std::size_t>(full_done, 1);
    const auto per_resumed =
        duration_cast<nanoseconds>(resumed_cpu) / std::max<std::size_t>(resumed_done, 1);
    std::printf("\nhandshakes (server CPU per handshake; rate per server core):\n");
    std::printf("  full     %6zu ok, %zu failed: %7.0f us -> %6.0f /s per core  "
                "(%.0f /s wall with %u client threads)\n",
                full_done, full.failures, micros(per_full), 1e6 / micros(per_full),
                static_cast<double>(full_done) / duration<double>(full_wall).count(), opts.threads);
    std::printf("  resumed  %6zu ok (%zu resumed), %zu failed: %7.0f us -> %6.0f /s per core\n",
                resumed_done, resumed.resumed, resumed.failures, micros(per_resumed),
                1e6 / micros(per_resumed));
    std::printf("  OpenSSL in-process, same settings: full %.0f us (%.0f /s), resumed %.0f us "
                "(%.0f /s)\n",
                micros(baseline_full), 1e6 / micros(baseline_full), micros(baseline_resumed),
                1e6 / micros(baseline_resumed));
    const auto per_bare_full = duration_cast<nanoseconds>(bare_full_cpu) /
                               std::max<std::size_t>(opts.handshakes - bare_full.failures, 1);
    const auto per_bare_resumed = duration_cast<nanoseconds>(bare_resumed_cpu) /
                                  std::max<std::size_t>(opts.handshakes - bare_resumed.failures, 1);
    std::printf("  bare OpenSSL socket server, same settings: full %.0f us (%.0f /s), resumed "
                "%.0f us (%.0f /s, %zu resumed)\n",
                micros(per_bare_full), 1e6 / micros(per_bare_full), micros(per_bare_resumed),
                1e6 / micros(per_bare_resumed), bare_resumed.resumed);
    std::printf("  fleetmq rate / bare socket server: full %.1f %%, resumed %.1f %%\n",
                100.0 * micros(per_bare_full) / micros(per_full),
                100.0 * micros(per_bare_resumed) / micros(per_resumed));
    std::printf("  fleetmq rate / OpenSSL in-process (no kernel): full %.1f %%, resumed %.1f %%\n",
                100.0 * micros(baseline_full) / micros(per_full),
                100.0 * micros(baseline_resumed) / micros(per_resumed));
    const auto held = idle.kept.size();
    std::printf("\nidle connections: %zu held, %zu failed, opened in %.1f s\n", held, idle.failures,
                duration<double>(idle_wall).count());
    std::printf("  server RSS %.1f MiB -> %.1f MiB: %.2f KiB per idle connection\n",
                static_cast<double>(rss_before) / 1048576.0,
                static_cast<double>(rss_after) / 1048576.0,
                held == 0 ? 0.0
                          : static_cast<double>(rss_after - rss_before) / 1024.0 /
                                static_cast<double>(held));
    return full.failures + resumed.failures + idle.failures == 0 ? 0 : 1;
}
