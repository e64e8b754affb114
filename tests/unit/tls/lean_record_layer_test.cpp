// The lean record layer on a real socket after OpenSSL's handshake, against OpenSSL's own
// client: data both ways (1 MiB each, every byte checked), KeyUpdate asked for and answered,
// our own KeyUpdate at the key's usage limit, a KeyUpdate split over records, close_notify, a
// tampered record (bad_record_mac), handshake records that have no place after the handshake
// (each with its alert), and a peer that vanishes.
#include "tls13_contexts.hpp"

#include <fleetmq/tls/lean_counters.hpp>
#include <fleetmq/tls/lean_record_layer.hpp>
#include <fleetmq/tls/record_buffer_pool.hpp>
#include <fleetmq/tls/traffic_handover.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

using namespace fleetmq::tls;

namespace {

using fleetmq::test::ctx_ptr;
using fleetmq::test::ssl_ptr;

/// A TLS 1.3 connection over a socket pair, handed over on the server side to a lean layer.
struct lean_pair {
    int server_fd = -1;
    int client_fd = -1;
    ctx_ptr server_ctx{nullptr, &SSL_CTX_free};
    ctx_ptr client_ctx{nullptr, &SSL_CTX_free};
    ssl_ptr client{nullptr, &SSL_free};
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> cipher_ctx{
        EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
    std::optional<traffic_handover> handover;
    std::unique_ptr<lean_record_layer> lean;

    explicit lean_pair(const char* suite = "TLS_AES_128_GCM_SHA256",
                       std::uint64_t records_per_key = lean_record_layer::default_records_per_key) {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        server_fd = fds[0];
        client_fd = fds[1];
        ::fcntl(server_fd, F_SETFL, O_NONBLOCK);
        ::fcntl(client_fd, F_SETFL, O_NONBLOCK);
        fleetmq::test::tls13_contexts contexts{suite};
        server_ctx = std::move(contexts.server);
        client_ctx = std::move(contexts.client);
        ssl_ptr server{SSL_new(server_ctx.get()), &SSL_free};
        client.reset(SSL_new(client_ctx.get()));
        SSL_set_fd(server.get(), server_fd);
        SSL_set_fd(client.get(), client_fd);
        SSL_set_accept_state(server.get());
        SSL_set_connect_state(client.get());
        REQUIRE(fleetmq::test::handshake_both(client.get(), server.get()));
        handover = take_traffic_handover(server.get());
        REQUIRE(handover);
        // The SSL goes: nothing is sent, the descriptor stays (SSL_set_fd does not own it).
        server.reset();
        lean = std::make_unique<lean_record_layer>(server_fd, *handover, records_per_key);
    }
    ~lean_pair() {
        lean.reset();
        client.reset();
        ::close(server_fd);
        ::close(client_fd);
    }

    /// Reads through the lean layer until `size` bytes came or it stops making progress.
    std::string lean_read(std::size_t size, io_status* last = nullptr) {
        std::string out;
        std::array<std::uint8_t, 4096> buffer{};
        for (int idle = 0; out.size() < size && idle < 200;) {
            pump_client();
            const auto r = lean->read(buffer);
            if (last != nullptr) {
                *last = r.status;
            }
            if (r.status == io_status::ok) {
                out.append(reinterpret_cast<const char*>(buffer.data()), r.bytes);
                idle = 0;
                continue;
            }
            if (r.status != io_status::want_read) {
                break;
            }
            ++idle;
            ::usleep(1000);
        }
        return out;
    }
    /// Writes everything through the lean layer, retrying with the same bytes as required.
    void lean_write(const std::string& data, std::string* client_got = nullptr,
                    std::size_t client_wants = 0) {
        std::span<const std::uint8_t> left{reinterpret_cast<const std::uint8_t*>(data.data()),
                                           data.size()};
        std::string got;
        while (!left.empty() || (client_got != nullptr && got.size() < client_wants)) {
            if (!left.empty()) {
                const auto r = lean->write(left);
                REQUIRE((r.status == io_status::ok || r.status == io_status::want_write));
                left = left.subspan(r.bytes);
            }
            got += client_read_some();
        }
        if (client_got != nullptr) {
            *client_got = got;
        }
    }
    std::string client_read_some() {
        std::string out;
        char buffer[16384];
        for (;;) {
            const int n = SSL_read(client.get(), buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }
    // OpenSSL's client processes what arrived (the ticket, a KeyUpdate) when it reads.
    void pump_client() {
        if (client) {
            pending_from_client_ += client_read_some();
        }
    }
    std::string pending_from_client_;
};

std::string pattern(std::size_t size, unsigned seed) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        s[i] = static_cast<char>((i * 131 + seed) & 0xFF);
    }
    return s;
}

} // namespace

TEST_CASE("a lean connection carries a mebibyte each way, every byte intact, each suite") {
    for (const char* suite :
         {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
        INFO(suite);
        lean_pair pair{suite};
        const auto up = pattern(1 << 20, 7);
        std::size_t sent = 0;
        std::string received;
        while (received.size() < up.size()) {
            if (sent < up.size()) {
                const int n =
                    SSL_write(pair.client.get(), up.data() + sent,
                              static_cast<int>(std::min<std::size_t>(65536, up.size() - sent)));
                if (n > 0) {
                    sent += static_cast<std::size_t>(n);
                }
            }
            received += pair.lean_read(up.size() - received.size());
        }
        CHECK(received == up);
        const auto down = pattern(1 << 20, 11);
        std::string got;
        pair.lean_write(down, &got, down.size());
        CHECK(got == down);
        CHECK(pair.lean->held_bytes() == 0); // nothing kept between records
    }
}

TEST_CASE("a KeyUpdate the client asks for is applied and answered") {
    lean_pair pair;
    const auto before = this_thread_lean_counters();
    REQUIRE(SSL_key_update(pair.client.get(), SSL_KEY_UPDATE_REQUESTED) == 1);
    REQUIRE(SSL_write(pair.client.get(), "PINGREQ", 7) == 7);
    CHECK(pair.lean_read(7) == "PINGREQ");
    CHECK(this_thread_lean_counters().key_updates_received == before.key_updates_received + 1);
    CHECK(this_thread_lean_counters().key_updates_sent == before.key_updates_sent + 1);
    // Our answer goes before our next data; OpenSSL reads both with the new keys.
    std::string got;
    pair.lean_write("PINGRESP", &got, 8);
    CHECK(got == "PINGRESP");
    // And again, not asking for an answer this time.
    REQUIRE(SSL_key_update(pair.client.get(), SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
    REQUIRE(SSL_write(pair.client.get(), "again", 5) == 5);
    CHECK(pair.lean_read(5) == "again");
    CHECK(this_thread_lean_counters().key_updates_received == before.key_updates_received + 2);
    CHECK(this_thread_lean_counters().key_updates_sent == before.key_updates_sent + 1);
}

TEST_CASE("at its key's usage limit the lean layer updates its own key, and OpenSSL follows") {
    constexpr std::uint64_t limit = 16;
    lean_pair pair{"TLS_AES_256_GCM_SHA384", limit};
    const auto before = this_thread_lean_counters().key_updates_sent;
    // 100 records of 1,000 bytes: a KeyUpdate after every 16 records under one key.
    std::string all;
    for (int n = 0; n < 100; ++n) {
        all += pattern(1000, static_cast<unsigned>(n));
    }
    std::string got;
    for (int n = 0; n < 100; ++n) {
        std::string part;
        pair.lean_write(all.substr(static_cast<std::size_t>(n) * 1000, 1000), &part, 1000);
        got += part;
    }
    CHECK(got == all);
    // The first key had protected the session ticket before the handover: at least 6 updates.
    CHECK(this_thread_lean_counters().key_updates_sent - before >= 100 / limit);
    // The client's direction is untouched: its records still open.
    REQUIRE(SSL_write(pair.client.get(), "still", 5) == 5);
    CHECK(pair.lean_read(5) == "still");
}

namespace {

/// Seals `content` as one record of `type` with the client's current keys and sends it raw.
void send_as_client(lean_pair& pair, record_protection& as_client,
                    const std::vector<std::uint8_t>& content, content_type type) {
    std::vector<std::uint8_t> wire;
    REQUIRE_FALSE(as_client.seal(content, type, wire, pair.cipher_ctx.get()));
    REQUIRE(::send(pair.client_fd, wire.data(), wire.size(), 0) ==
            static_cast<ssize_t>(wire.size()));
}

record_protection client_keys(const lean_pair& pair) {
    return record_protection{
        derive_traffic_keys(pair.handover->cipher, pair.handover->client_secret),
        pair.handover->client_sequence};
}

} // namespace

TEST_CASE("a KeyUpdate split over two records is put together and applied") {
    lean_pair pair;
    auto as_client = client_keys(pair);
    const auto before = this_thread_lean_counters().key_updates_received;
    send_as_client(pair, as_client, {24, 0, 0}, content_type::handshake);
    send_as_client(pair, as_client, {1, 0}, content_type::handshake);
    // The next record is under the client's next key.
    auto secret = next_traffic_secret(pair.handover->cipher, pair.handover->client_secret);
    record_protection next{derive_traffic_keys(pair.handover->cipher, secret)};
    send_as_client(pair, next, {'o', 'k'}, content_type::application_data);
    CHECK(pair.lean_read(2) == "ok");
    CHECK(this_thread_lean_counters().key_updates_received == before + 1);
}

TEST_CASE("what a lean layer refuses in handshake records, with the alert it sends") {
    struct refused {
        const char* what;
        std::vector<std::vector<std::uint8_t>> records; // handshake, then application data
        bool data_after = false;
        std::uint8_t alert;
    };
    const std::vector<refused> cases{
        {"bytes after a KeyUpdate in its record", {{24, 0, 0, 1, 0, 24}}, false, 10},
        {"application data inside a split KeyUpdate", {{24, 0}}, true, 10},
        {"a KeyUpdate of the wrong length", {{24, 0, 0, 2, 0, 0}}, false, 50},
        {"a request_update of 2", {{24, 0, 0, 1, 2}}, false, 47},
        {"an empty handshake record", {{}}, false, 10},
        {"a NewSessionTicket from the client", {{4, 0, 0, 0}}, false, 10},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        lean_pair pair;
        auto as_client = client_keys(pair);
        const auto index = static_cast<std::size_t>(lean_alert_of(c.alert));
        const auto sent_before = this_thread_lean_counters().alerts_sent[index];
        for (const auto& record : c.records) {
            send_as_client(pair, as_client, record, content_type::handshake);
        }
        if (c.data_after) {
            send_as_client(pair, as_client, {'x'}, content_type::application_data);
        }
        io_status last = io_status::ok;
        pair.lean_read(1, &last);
        CHECK(last == io_status::failed);
        CHECK(this_thread_lean_counters().alerts_sent[index] == sent_before + 1);
    }
}

TEST_CASE("close_notify from the client ends the lean connection cleanly, ours reaches it") {
    lean_pair pair;
    const auto index = static_cast<std::size_t>(lean_alert::close_notify);
    const auto before = this_thread_lean_counters();
    SSL_shutdown(pair.client.get());
    io_status last = io_status::ok;
    pair.lean_read(1, &last);
    CHECK(last == io_status::closed);
    CHECK(this_thread_lean_counters().alerts_received[index] == before.alerts_received[index] + 1);
    pair.lean->shutdown();
    CHECK(this_thread_lean_counters().alerts_sent[index] == before.alerts_sent[index] + 1);
    char buffer[16];
    CHECK(SSL_read(pair.client.get(), buffer, sizeof buffer) <= 0);
    CHECK(SSL_get_error(pair.client.get(), 0) != SSL_ERROR_SSL);
}

TEST_CASE("a tampered record fails with bad_record_mac, which the client hears") {
    lean_pair pair;
    // A record sealed by OpenSSL, one bit flipped on the way.
    REQUIRE(SSL_write(pair.client.get(), "PUBLISH", 7) == 7);
    std::uint8_t wire[64];
    const auto n = ::recv(pair.server_fd, wire, sizeof wire, 0);
    REQUIRE(n > 10);
    wire[n - 1] ^= 0x01;
    // Sent again from the client's side: the lean layer reads the altered record.
    REQUIRE(::send(pair.client_fd, wire, static_cast<std::size_t>(n), 0) == n);
    io_status last = io_status::ok;
    pair.lean_read(1, &last);
    CHECK(last == io_status::failed);
    char buffer[16];
    ERR_clear_error();
    CHECK(SSL_read(pair.client.get(), buffer, sizeof buffer) <= 0);
    CHECK(std::string{ERR_reason_error_string(ERR_peek_last_error())} ==
          "sslv3 alert bad record mac");
}

TEST_CASE("a client that vanishes without close_notify is a truncation") {
    lean_pair pair;
    pair.client.reset();
    ::shutdown(pair.client_fd, SHUT_RDWR);
    io_status last = io_status::ok;
    pair.lean_read(1, &last);
    CHECK(last == io_status::truncated);
}

TEST_CASE("small records read ahead together come out whole and in order") {
    lean_pair pair;
    // 100 records of 10 to 60 bytes, all in the socket before the lean layer reads: most come
    // in with one recv, and a record may straddle the end of what one recv got.
    std::string sent;
    for (unsigned n = 0; n < 100; ++n) {
        const auto part = pattern(10 + n % 51, n);
        REQUIRE(SSL_write(pair.client.get(), part.data(), static_cast<int>(part.size())) ==
                static_cast<int>(part.size()));
        sent += part;
    }
    CHECK(pair.lean_read(sent.size()) == sent);
    CHECK(pair.lean->held_bytes() == 0); // the buffer went back to the pool
}

TEST_CASE("the record buffer pool lends blocks and keeps a bounded number") {
    std::vector<record_buffer> lent;
    const auto kept_before = pooled_record_buffers();
    for (int n = 0; n < 100; ++n) {
        lent.push_back(acquire_record_buffer());
        REQUIRE(lent.back() != nullptr);
    }
    CHECK(pooled_record_buffers() == 0);
    for (auto& block : lent) {
        release_record_buffer(block);
        CHECK(block == nullptr);
    }
    CHECK(pooled_record_buffers() > 0);
    CHECK(pooled_record_buffers() < 100); // the rest went back to the allocator
    CHECK(pooled_record_buffers() >= kept_before);
}
