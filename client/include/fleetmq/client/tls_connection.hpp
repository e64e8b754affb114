#pragma once

#include "fleetmq/client/connection_error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace fleetmq::client {

using clock = std::chrono::steady_clock;

struct tls_settings {
    std::filesystem::path ca_file;          // the CA that issued the broker's certificate
    std::filesystem::path certificate_file; // the device's certificate, then its issuer(s)
    std::filesystem::path key_file;
    std::string min_version = "1.2"; // "1.2" or "1.3"
    std::string max_version;         // empty: the highest OpenSSL offers
};

/// The client's TLS context: the CA, certificate chain and key are loaded once (a missing or
/// mismatched file is a connection_error of stage `files`), and the last session ticket the
/// broker sent is kept so that the next connection resumes.
class tls_client_context {
public:
    explicit tls_client_context(const tls_settings& settings);
    ~tls_client_context();
    tls_client_context(const tls_client_context&) = delete;
    tls_client_context& operator=(const tls_client_context&) = delete;

    ssl_ctx_st* native() const noexcept;

    struct state; // opaque: OpenSSL's callbacks reach it

private:
    friend class tls_connection;
    std::unique_ptr<state> state_;
};

/// A TLS connection to the broker, driven with deadlines on a non-blocking socket: nothing
/// waits longer than the caller allows. Writes to a closed connection raise SIGPIPE: programs
/// using it ignore that signal.
class tls_connection {
public:
    /// Resolves `host`, connects and handshakes within `timeout`, verifying that the broker's
    /// certificate chains to the CA and names `host` (DNS name or IP address). Throws
    /// connection_error (stage resolve, connect or tls).
    static tls_connection open(tls_client_context& context, const std::string& host,
                               std::uint16_t port, std::chrono::milliseconds timeout);

    ~tls_connection();
    tls_connection(tls_connection&& other) noexcept;
    tls_connection& operator=(tls_connection&& other) noexcept;

    /// Writes everything before `deadline` or throws connection_error.
    void write_all(std::span<const std::uint8_t> bytes, clock::time_point deadline);
    /// Reads what is available, waiting until `deadline`: 0 bytes when it passed. A close by the
    /// broker or an alert throws connection_error (stage tls, naming the alert).
    std::size_t read_some(std::span<std::uint8_t> buffer, clock::time_point deadline);

    bool resumed() const noexcept;
    std::string version() const;
    /// Sends close_notify (best effort) and closes the socket.
    void close() noexcept;

private:
    tls_connection(int fd, ssl_st* ssl) noexcept : fd_{fd}, ssl_{ssl} {}
    int fd_ = -1;
    ssl_st* ssl_ = nullptr;
};

} // namespace fleetmq::client
