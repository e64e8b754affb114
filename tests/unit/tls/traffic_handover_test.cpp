// The handover from OpenSSL to the lean record protection, against OpenSSL's own client: after
// a real TLS 1.3 handshake (memory BIOs, no sockets), records the server seals with the
// extracted keys are read by OpenSSL's SSL_read, and what OpenSSL's SSL_write sends (a
// KeyUpdate included) opens with them, for each cipher suite.
#include "tls13_contexts.hpp"

#include <fleetmq/tls/record_protection.hpp>
#include <fleetmq/tls/traffic_handover.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

using namespace fleetmq::tls;

namespace {

using fleetmq::test::ctx_ptr;
using fleetmq::test::ssl_ptr;

/// Both ends of one TLS 1.3 connection over a BIO pair, handshake done.
struct connection_pair {
    ctx_ptr server_ctx{nullptr, &SSL_CTX_free};
    ctx_ptr client_ctx{nullptr, &SSL_CTX_free};
    ssl_ptr server{nullptr, &SSL_free};
    ssl_ptr client{nullptr, &SSL_free};
    BIO* server_end = nullptr; // owned by `server`; what the client sends is read here

    explicit connection_pair(const char* suite) {
        fleetmq::test::tls13_contexts contexts{suite};
        server_ctx = std::move(contexts.server);
        client_ctx = std::move(contexts.client);
        server.reset(SSL_new(server_ctx.get()));
        client.reset(SSL_new(client_ctx.get()));
        BIO* client_end = nullptr;
        REQUIRE(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1);
        SSL_set_bio(server.get(), server_end, server_end);
        SSL_set_bio(client.get(), client_end, client_end);
        SSL_set_accept_state(server.get());
        SSL_set_connect_state(client.get());
        REQUIRE(fleetmq::test::handshake_both(client.get(), server.get()));
    }

    /// Every record the client has sent since, split at the record headers.
    std::vector<std::vector<std::uint8_t>> client_records() {
        std::vector<std::uint8_t> bytes(64 * 1024);
        const int n = BIO_read(server_end, bytes.data(), static_cast<int>(bytes.size()));
        bytes.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        std::vector<std::vector<std::uint8_t>> records;
        for (std::size_t at = 0; at + record_header_size <= bytes.size();) {
            const std::size_t length = (std::size_t{bytes[at + 3]} << 8) | bytes[at + 4];
            records.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                 bytes.begin() +
                                     static_cast<std::ptrdiff_t>(at + record_header_size + length));
            at += record_header_size + length;
        }
        return records;
    }
};

std::optional<record_error> open(record_protection& p, std::vector<std::uint8_t>& record,
                                 opened_record& out, EVP_CIPHER_CTX* ctx) {
    std::span<const std::uint8_t, record_header_size> header{record.data(), record_header_size};
    return p.open(header, std::span{record}.subspan(record_header_size), out, ctx);
}

std::string text_of(const opened_record& r) {
    return {r.content.begin(), r.content.end()};
}

} // namespace

TEST_CASE("OpenSSL's client and the lean record protection talk after the handover") {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                        &EVP_CIPHER_CTX_free};
    for (const char* suite :
         {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
        INFO(suite);
        connection_pair pair{suite};
        const auto handover = take_traffic_handover(pair.server.get());
        REQUIRE(handover);
        CHECK(handover->server_sequence == 1); // the one NewSessionTicket
        CHECK(handover->client_sequence == 0);
        CHECK_FALSE(take_traffic_handover(pair.server.get())); // taken once, then wiped

        // Server to client: sealed here, read by OpenSSL after the ticket it sent itself.
        record_protection to_client{derive_traffic_keys(handover->cipher, handover->server_secret),
                                    handover->server_sequence};
        std::vector<std::uint8_t> wire;
        const std::string hello = "CONNACK from the lean side";
        REQUIRE_FALSE(
            to_client.seal({reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()},
                           content_type::application_data, wire, ctx.get()));
        REQUIRE(BIO_write(pair.server_end, wire.data(), static_cast<int>(wire.size())) ==
                static_cast<int>(wire.size()));
        std::string received(100, '\0');
        const int n = SSL_read(pair.client.get(), received.data(), 100);
        REQUIRE(n > 0);
        received.resize(static_cast<std::size_t>(n));
        CHECK(received == hello);

        // Client to server: OpenSSL's records open here.
        record_protection from_client{
            derive_traffic_keys(handover->cipher, handover->client_secret),
            handover->client_sequence};
        REQUIRE(SSL_write(pair.client.get(), "CONNECT", 7) == 7);
        auto records = pair.client_records();
        REQUIRE(records.size() == 1);
        opened_record opened;
        REQUIRE_FALSE(open(from_client, records[0], opened, ctx.get()));
        CHECK(opened.type == content_type::application_data);
        CHECK(text_of(opened) == "CONNECT");

        // A KeyUpdate from the client: its message opens with the old keys, what follows with
        // the next generation.
        REQUIRE(SSL_key_update(pair.client.get(), SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
        REQUIRE(SSL_write(pair.client.get(), "PUBLISH", 7) == 7);
        records = pair.client_records();
        REQUIRE(records.size() == 2);
        REQUIRE_FALSE(open(from_client, records[0], opened, ctx.get()));
        CHECK(opened.type == content_type::handshake);
        CHECK(std::vector<std::uint8_t>(opened.content.begin(), opened.content.end()) ==
              std::vector<std::uint8_t>{24, 0, 0, 1, 0}); // KeyUpdate, update_not_requested
        const auto next = next_traffic_secret(handover->cipher, handover->client_secret);
        from_client.rekey(derive_traffic_keys(handover->cipher, next));
        REQUIRE_FALSE(open(from_client, records[1], opened, ctx.get()));
        CHECK(text_of(opened) == "PUBLISH");
    }
}

TEST_CASE("a connection whose secrets were never kept has no handover") {
    ctx_ptr bare{SSL_CTX_new(TLS_server_method()), &SSL_CTX_free};
    ssl_ptr ssl{SSL_new(bare.get()), &SSL_free};
    CHECK_FALSE(take_traffic_handover(ssl.get()));
}
