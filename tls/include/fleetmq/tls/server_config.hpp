#pragma once

#include "fleetmq/auth/identity_policy.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fleetmq::tls {

enum class tls_version : std::uint8_t {
    tls1_2,
    tls1_3,
};

/// One issuing CA the broker trusts, usually one vendor's intermediate: its certificates, its
/// revocation list, and the identity rules of the certificates it issues.
struct trust_entry {
    /// PEM file with the CA certificate(s). Each is a trust anchor: a device may send its leaf
    /// certificate alone. A leaf issued by any of them belongs to this entry.
    std::filesystem::path ca_file;
    /// PEM CRL issued by this entry's CA. When set, certificates this CA issued are checked
    /// against it, and a missing or expired CRL refuses them (fail closed).
    std::optional<std::filesystem::path> crl_file;
    /// Name, role, where the id is, and the id prefix (see auth::trust_policy).
    auth::trust_policy policy;
};

/// A TLS listener's settings. Defaults are what a fleet should run with.
struct server_config {
    /// PEM server certificate, followed by its intermediates.
    std::filesystem::path certificate_file;
    /// PEM private key of the server certificate (ECDSA P-256 or RSA).
    std::filesystem::path key_file;
    std::vector<trust_entry> trust;

    tls_version min_version = tls_version::tls1_2;
    /// Most certificates between the leaf and a trust anchor.
    int verify_depth = 4;
    /// OpenSSL cipher strings: TLS 1.3 suites, TLS 1.2 ciphers (forward secret AEAD only), and
    /// key exchange groups (X25519 first: cheaper and smaller than P-256).
    std::string ciphersuites =
        "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
    std::string cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
    std::string groups = "X25519:P-256";

    /// Session resumption with tickets (stateless: nothing kept per session on the server).
    bool resumption = true;
    /// After a TLS 1.3 handshake, protect records with the lean record layer (keys, IVs and
    /// sequence numbers only) and free OpenSSL's per-connection state. TLS 1.2 keeps OpenSSL.
    bool lean_records = true;
    /// Records a lean connection protects with one key before it sends a KeyUpdate (RFC 8446
    /// section 5.5; the default stays far below AES-GCM's limit). Lower only to exercise it.
    std::uint64_t lean_records_per_key = std::uint64_t{1} << 24;
    /// How long a ticket may be used. Ticket keys rotate once per lifetime and the previous key
    /// still opens tickets, so a ticket is honoured for its whole lifetime and no longer.
    std::chrono::seconds ticket_lifetime{std::chrono::hours{24}};

    /// A handshake not finished within this time is abandoned (a silent or slow peer).
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds{10}};
};

} // namespace fleetmq::tls
