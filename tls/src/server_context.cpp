#include "fleetmq/tls/server_context.hpp"

#include "fleetmq/tls/traffic_handover.hpp"

#include "classify_failure.hpp"
#include "fleetmq/tls/config_error.hpp"
#include "openssl_ptr.hpp"
#include "pem_files.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace fleetmq::tls {

using namespace detail;

struct server_context::impl {
    struct entry {
        std::vector<x509_ptr> cas;
        x509_crl_ptr crl;
    };
    ssl_ctx_ptr ctx;
    std::vector<entry> entries;
};

namespace {

const server_context* context_of(SSL* ssl) {
    return static_cast<const server_context*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

[[noreturn]] void fail(const std::string& message) {
    throw config_error{message + (ERR_peek_error() != 0 ? ": " + drain_openssl_errors() : "")};
}

// A leaf that can sign certificates is not a device, whatever its EKU says: accepted, it could
// mint certificates the chain check would take for its vendor's. X509_check_ca is nonzero for
// CA:TRUE (or keyCertSign without basicConstraints); keyCertSign beside CA:FALSE is refused too.
bool is_certificate_authority(X509* certificate) {
    const bool key_usage = (X509_get_extension_flags(certificate) & EXFLAG_KUSAGE) != 0;
    return X509_check_ca(certificate) != 0 ||
           (key_usage && (X509_get_key_usage(certificate) & KU_KEY_CERT_SIGN) != 0);
}

// Called by OpenSSL for each certificate of the chain, the leaf (depth 0) last.
// A missing CRL is tolerated for issuers that have none configured: CRL checking is per trust
// entry, but OpenSSL's flag applies to every certificate of the chain.
int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    if (preverify_ok == 1) {
        if (X509_STORE_CTX_get_error_depth(store) == 0 &&
            is_certificate_authority(X509_STORE_CTX_get_current_cert(store))) {
            X509_STORE_CTX_set_error(store, leaf_is_ca_error);
            return 0;
        }
        return 1;
    }
    if (X509_STORE_CTX_get_error(store) != X509_V_ERR_UNABLE_TO_GET_CRL) {
        return preverify_ok;
    }
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto* self = context_of(ssl);
    if (self->issuer_has_crl(X509_STORE_CTX_get_current_cert(store))) {
        return 0;
    }
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}

// ALPN "mqtt" is accepted but not required [MQTT-4.2]: a client that offers nothing, or
// something else, goes on without ALPN.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
    for (unsigned int i = 0; i < in_length;) {
        const unsigned int length = in[i];
        if (i + 1 + length > in_length) {
            break;
        }
        if (length == 4 && std::memcmp(in + i + 1, "mqtt", 4) == 0) {
            *out = in + i + 1;
            *out_length = 4;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + length;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

bool set_mac_key(EVP_MAC_CTX* mac, const std::array<std::uint8_t, 32>& key) {
    char digest[] = "sha256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<std::uint8_t*>(key.data()),
                                          key.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// Session tickets under fleetmq's rotating keys (RFC 5077's recommended AES-256-CBC +
// HMAC-SHA256 construction, which OpenSSL applies). Returns 1 to use the ticket, 2 to use and
// renew it (issued under the previous key), 0 to ignore it (full handshake), -1 on error.
int ticket_key_callback(SSL* ssl, unsigned char key_name[16], unsigned char* iv,
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int encrypt) {
    auto& ring = *context_of(ssl)->tickets();
    if (encrypt == 1) {
        const auto key = ring.current();
        std::memcpy(key_name, key.name.data(), key.name.size());
        if (RAND_bytes(iv, 16) != 1 ||
            EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv) != 1 ||
            !set_mac_key(mac, key.hmac_key)) {
            return -1;
        }
        return 1;
    }
    std::array<std::uint8_t, 16> name{};
    std::memcpy(name.data(), key_name, name.size());
    const auto found = ring.find(name);
    if (!found) {
        return 0;
    }
    if (!set_mac_key(mac, found->first.hmac_key) ||
        EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, found->first.aes_key.data(), iv) !=
            1) {
        return -1;
    }
    return found->second ? 1 : 2;
}

/// Feeds the DER encoding of a certificate or CRL to the digest.
template <class T, int (*Encode)(const T*, unsigned char**)>
void append_der(EVP_MD_CTX* digest, const T* object) {
    unsigned char* der = nullptr;
    const int length = Encode(object, &der);
    if (length > 0) {
        EVP_DigestUpdate(digest, der, static_cast<std::size_t>(length));
    }
    OPENSSL_free(der);
}

} // namespace

server_context::server_context(server_config config)
    : config_{std::move(config)}, impl_{std::make_unique<impl>()} {}

server_context::~server_context() = default;

ssl_ctx_st* server_context::native_handle() const noexcept {
    return impl_->ctx.get();
}

std::shared_ptr<const server_context>
server_context::create(const server_config& config, std::shared_ptr<ticket_key_ring> tickets) {
    if (config.trust.empty()) {
        throw config_error{
            "tls: no trust entry: at least one CA must be trusted to verify devices"};
    }
    std::shared_ptr<server_context> self{new server_context{config}};
    auto& state = *self->impl_;
    state.ctx.reset(SSL_CTX_new(TLS_server_method()));
    if (!state.ctx) {
        fail("tls: cannot create an OpenSSL context");
    }
    SSL_CTX* ctx = state.ctx.get();
    SSL_CTX_set_app_data(ctx, self.get());

    // The server's own certificate chain and key.
    const auto& cert_file = config.certificate_file;
    require_readable(cert_file, "certificate_file");
    require_readable(config.key_file, "key_file");
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
        fail("certificate_file " + cert_file.string() + ": not a usable PEM certificate chain");
    }
    check_validity(SSL_CTX_get0_certificate(ctx), cert_file, "certificate_file");
    const bool key_loaded =
        SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) == 1;
    const auto key_error = ERR_GET_REASON(ERR_peek_last_error());
    if (!key_loaded && key_error != X509_R_KEY_VALUES_MISMATCH &&
        key_error != X509_R_KEY_TYPE_MISMATCH) {
        fail("key_file " + config.key_file.string() + ": not a usable PEM private key");
    }
    if (!key_loaded || SSL_CTX_check_private_key(ctx) != 1) {
        drain_openssl_errors();
        throw config_error{"key_file " + config.key_file.string() +
                           ": does not match certificate_file " + cert_file.string()};
    }

    // Trust entries: every CA of every entry is a trust anchor, and each entry may have a CRL.
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    bool any_crl = false;
    std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>> digest{EVP_MD_CTX_new()};
    EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
    for (const auto& entry : config.trust) {
        impl::entry loaded;
        loaded.cas = load_certificates(entry.ca_file, "ca_file");
        for (const auto& ca : loaded.cas) {
            if (X509_check_ca(ca.get()) == 0) {
                throw config_error{"ca_file " + entry.ca_file.string() + ": " +
                                   subject_of(ca.get()) + " is not a CA certificate"};
            }
            check_validity(ca.get(), entry.ca_file, "ca_file");
            if (X509_STORE_add_cert(store, ca.get()) != 1) {
                fail("ca_file " + entry.ca_file.string() + ": cannot be added to the trust store");
            }
            SSL_CTX_add_client_CA(ctx, ca.get());
            append_der<X509, i2d_X509>(digest.get(), ca.get());
        }
        if (entry.crl_file) {
            loaded.crl = load_crl(*entry.crl_file, "crl_file");
            bool issued_by_entry = false;
            for (const auto& ca : loaded.cas) {
                EVP_PKEY* key = X509_get0_pubkey(ca.get());
                if (X509_NAME_cmp(X509_CRL_get_issuer(loaded.crl.get()),
                                  X509_get_subject_name(ca.get())) == 0 &&
                    key != nullptr && X509_CRL_verify(loaded.crl.get(), key) == 1) {
                    issued_by_entry = true;
                }
            }
            drain_openssl_errors();
            if (!issued_by_entry) {
                throw config_error{"crl_file " + entry.crl_file->string() +
                                   ": not signed by a CA of ca_file " + entry.ca_file.string()};
            }
            const auto* next_update = X509_CRL_get0_nextUpdate(loaded.crl.get());
            if (next_update != nullptr && X509_cmp_current_time(next_update) < 0) {
                throw config_error{"crl_file " + entry.crl_file->string() +
                                   ": expired (its next update is past); issue a new CRL"};
            }
            X509_STORE_add_crl(store, loaded.crl.get());
            append_der<X509_CRL, i2d_X509_CRL>(digest.get(), loaded.crl.get());
            any_crl = true;
        }
        self->policies_.push_back(entry.policy);
        state.entries.push_back(std::move(loaded));
    }
    unsigned int digest_length = 0;
    EVP_DigestFinal_ex(digest.get(), self->sid_ctx_.data(), &digest_length);

    unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN; // a vendor intermediate alone is an anchor
    if (any_crl) {
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    }
    X509_STORE_set_flags(store, flags);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
    SSL_CTX_set_verify_depth(ctx, config.verify_depth);

    // Versions, algorithms, ALPN.
    const int min_version =
        config.min_version == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1) {
        fail("tls: cannot set the minimum TLS version");
    }
    if (SSL_CTX_set_ciphersuites(ctx, config.ciphersuites.c_str()) != 1) {
        fail("tls: ciphersuites \"" + config.ciphersuites + "\" has no usable TLS 1.3 suite");
    }
    if (SSL_CTX_set_cipher_list(ctx, config.cipher_list.c_str()) != 1) {
        fail("tls: cipher_list \"" + config.cipher_list + "\" has no usable TLS 1.2 cipher");
    }
    if (SSL_CTX_set1_groups_list(ctx, config.groups.c_str()) != 1) {
        fail("tls: groups \"" + config.groups + "\" names no usable group");
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Idle connections must hold no record buffers; writes may be partial on a full socket.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    if (config.lean_records) {
        keep_traffic_secrets(ctx); // the handover after each TLS 1.3 handshake needs them
    }
    // Resumption by tickets only: a server-side session cache would grow with the fleet.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(ctx, self->sid_ctx_.data(),
                                   static_cast<unsigned int>(self->sid_ctx_.size()));
    if (config.resumption) {
        self->tickets_ = tickets ? std::move(tickets)
                                 : std::make_shared<ticket_key_ring>(config.ticket_lifetime);
        SSL_CTX_set_num_tickets(ctx, 1); // OpenSSL's default of 2 costs ~330 us per handshake
        SSL_CTX_set_timeout(ctx, static_cast<long>(config.ticket_lifetime.count()));
        SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_callback);
    } else {
        SSL_CTX_set_num_tickets(ctx, 0);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    return self;
}

std::optional<std::size_t>
server_context::trust_entry_of(x509_st* certificate, const auth::certificate_facts& facts) const {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < impl_->entries.size(); ++i) {
        for (const auto& ca : impl_->entries[i].cas) {
            if (X509_check_issued(ca.get(), certificate) == X509_V_OK) {
                if (policies_[i].select.matches(facts)) {
                    return i; // first match wins
                }
                found = policies_.size(); // its CA is known; a later entry may select it
            }
        }
    }
    return found;
}

bool server_context::is_revoked(x509_st* certificate) const {
    for (const auto& entry : impl_->entries) {
        X509_REVOKED* revoked = nullptr;
        if (entry.crl && X509_CRL_get0_by_cert(entry.crl.get(), &revoked, certificate) == 1) {
            return true;
        }
    }
    return false;
}

bool server_context::is_revoked(std::size_t trust_entry, std::string_view serial_hex) const {
    if (trust_entry >= impl_->entries.size() || !impl_->entries[trust_entry].crl) {
        return false;
    }
    BIGNUM* parsed = nullptr;
    const std::string hex{serial_hex};
    if (BN_hex2bn(&parsed, hex.c_str()) == 0) {
        return false;
    }
    const std::unique_ptr<BIGNUM, openssl_deleter<BN_free>> number{parsed};
    const std::unique_ptr<ASN1_INTEGER, openssl_deleter<ASN1_INTEGER_free>> serial{
        BN_to_ASN1_INTEGER(number.get(), nullptr)};
    X509_REVOKED* revoked = nullptr;
    return serial && X509_CRL_get0_by_serial(impl_->entries[trust_entry].crl.get(), &revoked,
                                             serial.get()) == 1;
}

bool server_context::issuer_has_crl(x509_st* certificate) const {
    for (const auto& entry : impl_->entries) {
        if (entry.crl && X509_NAME_cmp(X509_CRL_get_issuer(entry.crl.get()),
                                       X509_get_issuer_name(certificate)) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace fleetmq::tls
