#pragma once

#include "fleetmq/tls/record_protection.hpp"

#include <cstdint>
#include <optional>
#include <vector>

struct ssl_ctx_st;
struct ssl_st;

namespace fleetmq::tls {

/// What a lean record layer needs from a TLS 1.3 handshake that OpenSSL completed: the suite,
/// both application traffic secrets, and how many records each direction already protected
/// with them (the server's NewSessionTickets), so that no nonce is ever used twice.
struct traffic_handover {
    record_cipher cipher = record_cipher::aes_128_gcm_sha256;
    std::vector<std::uint8_t> client_secret; // CLIENT_TRAFFIC_SECRET_0
    std::vector<std::uint8_t> server_secret; // SERVER_TRAFFIC_SECRET_0
    std::uint64_t client_sequence = 0;       // records received under the client's key
    std::uint64_t server_sequence = 0;       // records sent under the server's key
};

/// Makes the server SSLs of `ctx` keep their application traffic secrets (through OpenSSL's
/// key-log callback, the documented way to learn them) and count the records they send after
/// the handshake. Must be set before connections are made.
void keep_traffic_secrets(ssl_ctx_st* ctx);

/// Right after a server handshake completed, and before any application data was read or
/// written through OpenSSL (the caller's contract: only the NewSessionTickets are counted):
/// the handover, and the secrets wiped from the SSL. nullopt when the
/// connection cannot switch (not TLS 1.3, an unknown suite, secrets not captured, or bytes
/// OpenSSL has read but not handed out).
std::optional<traffic_handover> take_traffic_handover(ssl_st* ssl);

} // namespace fleetmq::tls
