#include "fleetmq/tls/traffic_handover.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <cstring>
#include <string_view>

namespace fleetmq::tls {
namespace {

/// Held by each server SSL from the handshake until the handover (or the SSL's end).
struct captured {
    std::vector<std::uint8_t> client_secret;
    std::vector<std::uint8_t> server_secret;
    std::uint64_t tickets_sent = 0; // one record each, under the server's application key

    ~captured() {
        OPENSSL_cleanse(client_secret.data(), client_secret.size());
        OPENSSL_cleanse(server_secret.data(), server_secret.size());
    }
};

void free_captured(void*, void* data, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<captured*>(data);
}

int captured_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_captured);
    return index;
}

captured* captured_of(const SSL* ssl, bool create) {
    auto* c = static_cast<captured*>(SSL_get_ex_data(ssl, captured_index()));
    if (c == nullptr && create) {
        c = new captured;
        SSL_set_ex_data(const_cast<SSL*>(ssl), captured_index(), c);
    }
    return c;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    const auto value = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(value(hex[i]) * 16 + value(hex[i + 1])));
    }
    return out;
}

/// "<LABEL> <client random> <secret>", as NSS's key log format writes it.
void on_key_log(const SSL* ssl, const char* line) {
    const std::string_view text{line};
    const auto first = text.find(' ');
    const auto second = text.find(' ', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) {
        return;
    }
    const auto label = text.substr(0, first);
    if (label == "CLIENT_TRAFFIC_SECRET_0") {
        captured_of(ssl, true)->client_secret = from_hex(text.substr(second + 1));
    } else if (label == "SERVER_TRAFFIC_SECRET_0") {
        captured_of(ssl, true)->server_secret = from_hex(text.substr(second + 1));
    }
}

/// Counts the NewSessionTickets the server sends: the only records protected with its
/// application key before the handover (each handshake message is a record of its own).
void on_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL* ssl,
                void*) {
    const auto* bytes = static_cast<const std::uint8_t*>(buf);
    if (write_p == 0 || content_type != SSL3_RT_HANDSHAKE || len == 0 ||
        bytes[0] != SSL3_MT_NEWSESSION_TICKET) {
        return;
    }
    if (auto* c = captured_of(ssl, false)) {
        ++c->tickets_sent;
    }
}

} // namespace

void keep_traffic_secrets(ssl_ctx_st* ctx) {
    SSL_CTX_set_keylog_callback(ctx, &on_key_log);
    SSL_CTX_set_msg_callback(ctx, &on_message);
}

std::optional<traffic_handover> take_traffic_handover(ssl_st* ssl) {
    auto* c = captured_of(ssl, false);
    if (c == nullptr || SSL_version(ssl) != TLS1_3_VERSION || !SSL_is_init_finished(ssl) ||
        SSL_has_pending(ssl) == 1 || c->client_secret.empty() || c->server_secret.empty()) {
        return std::nullopt;
    }
    const auto cipher = record_cipher_of(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl)));
    if (!cipher) {
        return std::nullopt;
    }
    traffic_handover h;
    h.cipher = *cipher;
    h.client_secret = c->client_secret;
    h.server_secret = c->server_secret;
    h.server_sequence = c->tickets_sent;
    h.client_sequence = 0; // nothing read under the client's key: SSL_has_pending says so
    SSL_set_ex_data(ssl, captured_index(), nullptr);
    delete c; // wipes the copies OpenSSL's callback left
    return h;
}

} // namespace fleetmq::tls
