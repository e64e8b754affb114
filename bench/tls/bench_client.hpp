#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace fleetmq::bench {

/// One client connection held open: its socket and OpenSSL session.
struct client_connection {
    int fd = -1;
    SSL* ssl = nullptr;
    bool resumed = false;
};

/// The device side: blocking OpenSSL clients on 127.0.0.1, one certificate shared by all.
class bench_client {
public:
    bench_client(const std::filesystem::path& certificate, const std::filesystem::path& key,
                 const std::filesystem::path& server_ca, bool tls1_2_only);
    ~bench_client();

    /// Connects, completes the handshake (resuming `session` if given) and reads the server's
    /// first byte, which also delivers the session ticket. Returns fd -1 on failure.
    client_connection open(std::uint16_t port, SSL_SESSION* session = nullptr) const;

    static void close(client_connection& connection);

    /// Opens `count` connections with `threads` threads; `keep` keeps them open (else each is
    /// closed at once). Returns the connections kept and counts failures and resumptions.
    struct batch {
        std::vector<client_connection> kept;
        std::size_t failures = 0;
        std::size_t resumed = 0;
    };
    batch open_many(std::uint16_t port, std::size_t count, unsigned threads, bool keep,
                    SSL_SESSION* session = nullptr) const;

private:
    SSL_CTX* ctx_;
};

} // namespace fleetmq::bench
