#pragma once

#include "fleetmq/auth/certificate_facts.hpp"
#include "fleetmq/tls/handshake_failure.hpp"
#include "fleetmq/tls/record_layer.hpp"
#include "fleetmq/tls/server_context.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fleetmq::test {

/// What the server side saw of one connection's handshake.
struct server_outcome {
    bool succeeded = false;
    tls::handshake_failure failure = tls::handshake_failure::none;
    std::string detail;
    bool resumed = false;
    auth::certificate_facts facts;
    std::string version;
    std::string alpn;
};

/// A real TLS server on 127.0.0.1 and an ephemeral port: Asio on its own thread accepts,
/// drives each handshake with tls::async_tls_handshake, records the outcome, and on success
/// sends "ok" and waits for the client to close.
class handshake_server {
public:
    handshake_server(std::shared_ptr<const tls::server_context> context,
                     std::chrono::milliseconds handshake_timeout = std::chrono::seconds{5});
    ~handshake_server();

    std::uint16_t port() const;
    /// New connections use `context` from now on (a reload).
    void use_context(std::shared_ptr<const tls::server_context> context);
    /// The outcome of the next connection whose handshake ends; fails the test after `wait`.
    server_outcome next_outcome(std::chrono::seconds wait = std::chrono::seconds{10});
    /// How the next successful connection ended, as the server's read saw it: `closed` (the
    /// client sent close_notify) or `truncated` (it just went away).
    tls::io_status next_end(std::chrono::seconds wait = std::chrono::seconds{10});

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// A blocking OpenSSL client, the device side.
struct client_options {
    std::filesystem::path certificate; // empty: send no certificate
    std::filesystem::path key;
    std::filesystem::path server_ca; // to verify the broker
    int min_version = 0;             // TLS1_1_VERSION, ... 0: OpenSSL's default
    int max_version = 0;
    bool weak_security = false; // security level 0, for the TLS 1.1 client
    std::vector<std::string> alpn;
    /// A session (from an earlier client_result) to resume.
    std::shared_ptr<void> session;
    /// Close the socket without close_notify.
    bool abrupt_close = false;
};

struct client_result {
    bool handshake_ok = false;
    /// What the server sent after the handshake ("ok"), read with the session ticket.
    std::string received;
    bool resumed = false;
    std::shared_ptr<void> session;
    std::string error;
};

client_result run_client(std::uint16_t port, const client_options& options);

/// Connects and sends `bytes` (or nothing), then waits until the server closes the connection
/// or `wait` passes; returns true if the server closed it.
bool run_raw_client(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds wait);

} // namespace fleetmq::test
