// fleetmq: the broker's command line. Everything it does is in the broker library.
#include "fleetmq/acl/rule_set.hpp"
#include "fleetmq/broker/acl_file.hpp"
#include "fleetmq/broker/config.hpp"
#include "fleetmq/broker/log_escape.hpp"
#include "fleetmq/broker/server.hpp"
#include "fleetmq/tls/config_error.hpp"
#include "fleetmq/tls/server_context.hpp"

#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#ifndef FLEETMQ_VERSION
#define FLEETMQ_VERSION "0.0.0"
#endif

namespace {

using namespace fleetmq;

constexpr const char* usage = R"(usage: fleetmq --config FILE [--ready-file FILE]
       fleetmq --check-config FILE
       fleetmq --help | --version

An MQTT 3.1.1 / 5.0 broker for device fleets authenticated by client certificates.

  --config FILE        run with this TOML configuration (see deploy/config/fleetmq.toml)
  --check-config FILE  check the configuration, its certificates and its ACL file, then exit:
                       0 if usable, 1 with the problem otherwise
  --ready-file FILE    once listening, write "address port" per listener to FILE, then
                       "admin address port" for the HTTP endpoint
  --help               this text
  --version            the version
)";

/// Each connection is a file descriptor: the soft limit (often 1024) is raised to the hard one,
/// and an operator is told when max_connections cannot be reached under it.
void raise_open_files_limit(std::size_t max_connections) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    constexpr std::size_t reserve = 64; // listeners, admin, logs, CRL reloads
    if (max_connections + reserve > limit.rlim_cur) {
        spdlog::warn("limits.max_connections is {} but this process may open only {} files: "
                     "about {} connections fit (raise LimitNOFILE / ulimit -Hn)",
                     max_connections, limit.rlim_cur,
                     limit.rlim_cur > reserve ? limit.rlim_cur - reserve : 0);
    }
}

int check(const std::string& path) {
    const auto c = broker::load_config(path);
    for (const auto& listener : c.listeners) {
        tls::server_context::create(c.tls_for(listener));
    }
    const auto rules = broker::load_acl(c);
    std::printf("%s: configuration OK (%zu listener(s), %zu trust entr%s, %zu ACL rule(s))\n",
                path.c_str(), c.listeners.size(), c.trust.size(), c.trust.size() == 1 ? "y" : "ies",
                rules->size());
    return 0;
}

int run(const std::string& path, const std::string& ready_file) {
    auto c = broker::load_config(path);
    spdlog::set_level(spdlog::level::from_str(c.log_level));
    broker::set_escaped_log_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%t] %v");
    auto rules = broker::load_acl(c);

    // Signals are taken by this thread alone (sigwait), never by a shard.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    raise_open_files_limit(c.limits.max_connections);

    broker::server server{std::move(c), std::move(rules)};
    const auto endpoints = server.start();
    std::ofstream ready;
    if (!ready_file.empty()) {
        ready.open(ready_file + ".tmp");
    }
    for (const auto& e : endpoints) {
        spdlog::info("fleetmq {} listening on {}:{} with {} shard(s)", FLEETMQ_VERSION, e.address,
                     e.port, server.shard_count());
        if (ready) {
            ready << e.address << " " << e.port << "\n";
        }
    }
    if (const auto admin = server.admin_endpoint(); admin.port != 0) {
        spdlog::info("metrics and admin API on http://{}:{}/metrics", admin.address, admin.port);
        if (ready) {
            ready << "admin " << admin.address << " " << admin.port << "\n";
        }
    }
    if (ready) {
        ready.close();
        std::rename((ready_file + ".tmp").c_str(), ready_file.c_str());
    }
    int signal = 0;
    for (;;) {
        sigwait(&signals, &signal);
        if (signal != SIGHUP) {
            break;
        }
        spdlog::info("SIGHUP: reloading the configuration, certificates, CAs, CRLs and ACL");
        server.reload([](const broker::reload_result&) {}); // logged by the reload
    }
    spdlog::info("signal {}: shutting down", signal);
    server.stop();
    server.wait();
    spdlog::info("stopped");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string config;
    std::string check_config;
    std::string ready_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "fleetmq: %s needs a value\n%s", arg.c_str(), usage);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (arg == "--version") {
            std::printf("fleetmq %s\n", FLEETMQ_VERSION);
            return 0;
        }
        if (arg == "--config") {
            config = value();
        } else if (arg == "--check-config") {
            check_config = value();
        } else if (arg == "--ready-file") {
            ready_file = value();
        } else {
            std::fprintf(stderr, "fleetmq: unknown argument '%s'\n%s", arg.c_str(), usage);
            return 2;
        }
    }
    try {
        if (!check_config.empty()) {
            return check(check_config);
        }
        if (config.empty()) {
            std::fputs(usage, stderr);
            return 2;
        }
        return run(config, ready_file);
    } catch (const broker::config_error& e) {
        std::fprintf(stderr, "fleetmq: configuration error: %s\n", e.what());
    } catch (const tls::config_error& e) {
        std::fprintf(stderr, "fleetmq: TLS configuration error: %s\n", e.what());
    } catch (const acl::rule_error& e) {
        std::fprintf(stderr, "fleetmq: ACL error: %s\n", e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fleetmq: %s\n", e.what());
    }
    return 1;
}
