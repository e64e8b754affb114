#pragma once

#include "cert_factory.hpp"

#include <fleetmq/tls/traffic_handover.hpp>

#include <openssl/ssl.h>

#include <memory>

namespace fleetmq::test {

using ctx_ptr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using ssl_ptr = std::unique_ptr<SSL, decltype(&SSL_free)>;

/// A TLS 1.3 server context (one NewSessionTicket, as the broker sends, and its traffic secrets
/// kept for the handover) and a client context, both limited to `suite`.
struct tls13_contexts {
    ctx_ptr server{nullptr, &SSL_CTX_free};
    ctx_ptr client{nullptr, &SSL_CTX_free};

    explicit tls13_contexts(const char* suite) {
        static const auto root = issue(ca_spec("handover test root", 1), nullptr);
        static const auto leaf = [] {
            certificate_spec spec;
            spec.subject = {{"CN", "localhost"}};
            spec.server = true;
            spec.dns_names = {"localhost"};
            return issue(spec, &root);
        }();
        server.reset(SSL_CTX_new(TLS_server_method()));
        SSL_CTX_use_certificate(server.get(), static_cast<X509*>(leaf.native()));
        SSL_CTX_use_PrivateKey(server.get(), static_cast<EVP_PKEY*>(leaf.private_key().native()));
        SSL_CTX_set_min_proto_version(server.get(), TLS1_3_VERSION);
        SSL_CTX_set_ciphersuites(server.get(), suite);
        SSL_CTX_set_num_tickets(server.get(), 1);
        tls::keep_traffic_secrets(server.get());
        client.reset(SSL_CTX_new(TLS_client_method()));
        SSL_CTX_set_verify(client.get(), SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_ciphersuites(client.get(), suite);
    }
};

/// Drives both handshakes (non-blocking ends) until they are done or `rounds` pass.
inline bool handshake_both(SSL* client, SSL* server, int rounds = 1000) {
    for (int i = 0; i < rounds; ++i) {
        SSL_do_handshake(client);
        SSL_do_handshake(server);
        if (SSL_is_init_finished(client) && SSL_is_init_finished(server)) {
            return true;
        }
    }
    return false;
}

} // namespace fleetmq::test
