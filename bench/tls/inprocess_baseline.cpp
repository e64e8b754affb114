#include "inprocess_baseline.hpp"

#include <ctime>

namespace fleetmq::bench {
namespace {

std::chrono::nanoseconds thread_cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
}

struct pair {
    SSL* server = nullptr;
    SSL* client = nullptr;
    SSL_SESSION* session = nullptr;

    /// Server CPU spent outside the handshake calls: creating and freeing its SSL object, which
    /// every real server pays per connection too.
    std::chrono::nanoseconds lifecycle{0};

    pair(SSL_CTX* server_ctx, SSL_CTX* client_ctx, SSL_SESSION* resume)
        : client{SSL_new(client_ctx)}, session{resume} {
        const auto start = thread_cpu_now();
        server = SSL_new(server_ctx);
        lifecycle += thread_cpu_now() - start;
        BIO* server_bio = nullptr;
        BIO* client_bio = nullptr;
        BIO_new_bio_pair(&server_bio, 0, &client_bio, 0);
        SSL_set_bio(server, server_bio, server_bio);
        SSL_set_bio(client, client_bio, client_bio);
        SSL_set_accept_state(server);
        SSL_set_connect_state(client);
        if (session != nullptr) {
            SSL_set_session(client, session);
        }
    }
    ~pair() {
        SSL_free(server);
        SSL_free(client);
    }

    /// Frees the server side now, timing it.
    void free_server() {
        const auto start = thread_cpu_now();
        SSL_free(server);
        server = nullptr;
        lifecycle += thread_cpu_now() - start;
    }

    /// Runs both sides to the end; returns the server's CPU time, or -1 on failure.
    std::chrono::nanoseconds handshake() {
        std::chrono::nanoseconds spent{0};
        bool server_done = false;
        bool client_done = false;
        for (int round = 0; round < 64 && !(server_done && client_done); ++round) {
            if (!client_done) {
                const int r = SSL_do_handshake(client);
                client_done = r == 1;
                if (r <= 0 && SSL_get_error(client, r) != SSL_ERROR_WANT_READ) {
                    return std::chrono::nanoseconds{-1};
                }
            }
            if (!server_done) {
                const auto start = thread_cpu_now();
                const int r = SSL_do_handshake(server);
                spent += thread_cpu_now() - start;
                server_done = r == 1;
                if (r <= 0 && SSL_get_error(server, r) != SSL_ERROR_WANT_READ) {
                    return std::chrono::nanoseconds{-1};
                }
            }
        }
        if (session != nullptr && SSL_session_reused(server) != 1) {
            return std::chrono::nanoseconds{-1}; // asked to resume, did not
        }
        return server_done && client_done ? spent : std::chrono::nanoseconds{-1};
    }
};

} // namespace

std::chrono::nanoseconds inprocess_server_handshake_cost(SSL_CTX* server, SSL_CTX* client,
                                                         std::size_t count, SSL_SESSION* session) {
    std::chrono::nanoseconds total{0};
    std::size_t done = 0;
    for (std::size_t i = 0; i < count; ++i) {
        pair p{server, client, session};
        const auto spent = p.handshake();
        p.free_server();
        if (spent.count() >= 0) {
            total += spent + p.lifecycle;
            ++done;
        }
    }
    return done == 0 ? std::chrono::nanoseconds{0} : total / static_cast<long>(done);
}

SSL_SESSION* inprocess_session(SSL_CTX* server, SSL_CTX* client) {
    pair p{server, client, nullptr};
    if (p.handshake().count() < 0) {
        return nullptr;
    }
    // The ticket travels after the handshake: a round of application data delivers it.
    const char byte = 'k';
    char got = 0;
    SSL_write(p.server, &byte, 1);
    SSL_read(p.client, &got, 1);
    SSL_SESSION* session = SSL_get1_session(p.client);
    // Freed without a shutdown, OpenSSL would mark the session not resumable.
    SSL_shutdown(p.client);
    return session;
}

} // namespace fleetmq::bench
