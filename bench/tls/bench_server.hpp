#pragma once

#include "fleetmq/tls/server_context.hpp"

#include <cstdint>
#include <memory>

namespace fleetmq::bench {

/// Runs a TLS server on 127.0.0.1 in this process, on one thread (one shard): each connection
/// is handshaken with tls::async_tls_handshake, sent one byte (so that the client reads its
/// session ticket), then held idle with nothing but a readiness wait until the client closes.
/// Writes the port to `port_fd`, then serves until the process is killed.
[[noreturn]] void run_server(std::shared_ptr<const tls::server_context> context, int port_fd);

/// The reference: a bare blocking OpenSSL server over the same context, no Asio and no fleetmq
/// stream. One connection at a time: accept, handshake, send one byte, wait for the client to
/// close, free. For handshake rates only (it holds nothing idle).
[[noreturn]] void run_bare_server(std::shared_ptr<const tls::server_context> context, int port_fd);

} // namespace fleetmq::bench
