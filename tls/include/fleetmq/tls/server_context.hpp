#pragma once

#include "fleetmq/auth/identity_policy.hpp"
#include "fleetmq/tls/server_config.hpp"
#include "fleetmq/tls/ticket_key_ring.hpp"

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

struct ssl_ctx_st;
struct x509_st;

namespace fleetmq::tls {

/// Everything a TLS listener needs to accept devices: the OpenSSL context built from a
/// `server_config` (server certificate and key, the trust entries' CAs as trust anchors, their
/// CRLs, versions, ciphers, groups, ALPN "mqtt", verification of the client's certificate) and
/// the session ticket keys.
///
/// Immutable once built, and shared (`shared_ptr<const>`) by the shards and by the connections
/// that use it: a reload builds a new one, which new connections use, while older connections
/// keep theirs alive. Thread-safe.
class server_context {
public:
    /// Builds the context. `tickets` is the listener's ticket key ring, kept across reloads so
    /// that devices resume after one; a new ring is made if none is given.
    /// Throws `config_error` naming the file and what is wrong with it: unreadable, no
    /// certificate in it, not a CA, expired, key not matching the certificate, a CRL its trust
    /// entry's CA did not issue, ...
    static std::shared_ptr<const server_context>
    create(const server_config& config, std::shared_ptr<ticket_key_ring> tickets = nullptr);

    ~server_context();
    server_context(const server_context&) = delete;
    server_context& operator=(const server_context&) = delete;

    ssl_ctx_st* native_handle() const noexcept;
    const server_config& config() const noexcept { return config_; }
    /// The trust entries' identity policies, in configuration order.
    const std::vector<auth::trust_policy>& policies() const noexcept { return policies_; }
    const std::shared_ptr<ticket_key_ring>& tickets() const noexcept { return tickets_; }

    /// The first trust entry whose CA issued `certificate` and whose selector takes it (see
    /// auth::certificate_selector); `policies().size()` when a CA issued it but no entry of
    /// that CA selects it; nothing when no configured CA issued it.
    std::optional<std::size_t> trust_entry_of(x509_st* certificate,
                                              const auth::certificate_facts& facts) const;

    /// True if a CRL of this configuration lists `certificate`. Resumed sessions skip chain
    /// verification, so the stream asks this before accepting one.
    bool is_revoked(x509_st* certificate) const;
    /// True if trust entry `trust_entry`'s CRL lists the certificate serial `serial_hex`
    /// (upper-case hex, as certificate_facts gives it). For checking connected devices again
    /// after a reload, when their certificates are long released.
    bool is_revoked(std::size_t trust_entry, std::string_view serial_hex) const;

    /// True if the CA whose subject is `certificate`'s issuer has a CRL configured: then a
    /// missing CRL fails verification instead of being tolerated.
    bool issuer_has_crl(x509_st* certificate) const;

    /// The session-id context: a digest of the trust configuration (CAs and CRLs), so that a
    /// session from before a CA or CRL change does not resume.
    const std::array<unsigned char, 32>& session_id_context() const noexcept { return sid_ctx_; }

private:
    struct impl;
    explicit server_context(server_config config);

    server_config config_;
    std::vector<auth::trust_policy> policies_;
    std::shared_ptr<ticket_key_ring> tickets_;
    std::array<unsigned char, 32> sid_ctx_{};
    std::unique_ptr<impl> impl_;
};

} // namespace fleetmq::tls
