#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>

namespace fleetmq::bench {

/// OpenSSL's own handshake cost with fleetmq's server settings, without sockets or fleetmq's
/// stream: client and server SSL objects in this process joined by a BIO pair. Returns the
/// server side's CPU time per handshake (its SSL_do_handshake calls only), averaged over
/// `count` handshakes; with `session`, the client resumes it each time.
std::chrono::nanoseconds inprocess_server_handshake_cost(SSL_CTX* server, SSL_CTX* client,
                                                         std::size_t count,
                                                         SSL_SESSION* session = nullptr);

/// A session of `client` with `server` that can be resumed (its ticket read), or null.
SSL_SESSION* inprocess_session(SSL_CTX* server, SSL_CTX* client);

} // namespace fleetmq::bench
