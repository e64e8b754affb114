#include "bench_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace fleetmq::bench {

bench_client::bench_client(const std::filesystem::path& certificate,
                           const std::filesystem::path& key, const std::filesystem::path& server_ca,
                           bool tls1_2_only)
    : ctx_{SSL_CTX_new(TLS_client_method())} {
    if (SSL_CTX_use_certificate_chain_file(ctx_, certificate.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(ctx_, server_ca.c_str(), nullptr) != 1) {
        throw std::runtime_error{"bench client: cannot load its certificate, key or CA"};
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);
    if (tls1_2_only) {
        SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
    }
}

bench_client::~bench_client() {
    SSL_CTX_free(ctx_);
}

client_connection bench_client::open(std::uint16_t port, SSL_SESSION* session) const {
    client_connection c;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return c;
    }
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (session != nullptr) {
        SSL_set_session(ssl, session);
    }
    char byte = 0;
    if (SSL_connect(ssl) != 1 || SSL_read(ssl, &byte, 1) != 1) {
        SSL_free(ssl);
        ::close(fd);
        return c;
    }
    c.fd = fd;
    c.ssl = ssl;
    c.resumed = SSL_session_reused(ssl) == 1;
    return c;
}

void bench_client::close(client_connection& connection) {
    if (connection.ssl != nullptr) {
        SSL_shutdown(connection.ssl);
        SSL_free(connection.ssl);
    }
    if (connection.fd >= 0) {
        ::close(connection.fd);
    }
    connection = {};
}

bench_client::batch bench_client::open_many(std::uint16_t port, std::size_t count, unsigned threads,
                                            bool keep, SSL_SESSION* session) const {
    batch result;
    std::mutex mutex;
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        const std::size_t share = count / threads + (t < count % threads ? 1 : 0);
        workers.emplace_back([&, share] {
            batch mine;
            for (std::size_t i = 0; i < share; ++i) {
                auto c = open(port, session);
                if (c.fd < 0) {
                    ++mine.failures;
                    continue;
                }
                mine.resumed += c.resumed ? 1 : 0;
                if (keep) {
                    mine.kept.push_back(c);
                } else {
                    close(c);
                }
            }
            const std::lock_guard lock{mutex};
            result.failures += mine.failures;
            result.resumed += mine.resumed;
            result.kept.insert(result.kept.end(), mine.kept.begin(), mine.kept.end());
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    return result;
}

} // namespace fleetmq::bench
