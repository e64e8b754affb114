// TLS 1.3 record protection against RFC 8448 section 3 (Simple 1-RTT Handshake, cipher suite
// TLS_AES_128_GCM_SHA256): the application traffic secrets, the keys and IVs they expand to,
// and the protected records both sides sent, byte for byte.
#include <fleetmq/tls/record_protection.hpp>

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

using namespace fleetmq::tls;

namespace {

std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::string digits;
    for (const char c : text) {
        if (c != ' ') {
            digits += c;
        }
    }
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
    return out;
}

struct cipher_ctx {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                        &EVP_CIPHER_CTX_free};
    EVP_CIPHER_CTX* get() { return ctx.get(); }
};

const auto client_secret = hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
const auto server_secret = hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");

// The 50 bytes 00 01 ... 31 each side sends as application data.
std::vector<std::uint8_t> counting() {
    std::vector<std::uint8_t> v(50);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = static_cast<std::uint8_t>(i);
    }
    return v;
}

// The client's first application data record (sequence 0).
const auto client_record = hex(
    "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab"
    "3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d"
    "ea e6 3a ee bb 21 69 49 15 e4");
// The server's NewSessionTicket (sequence 0), then its application data (sequence 1).
const auto ticket_plaintext = hex(
    "04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00"
    "00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be"
    "78 5a bc 55 cd 22 60 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6"
    "1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2"
    "ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97"
    "b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33"
    "43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00 04 00 00 04 00");
const auto ticket_record = hex(
    "17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24 0e 6c ff ac 11 6e 95"
    "d4 1d 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a 01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88"
    "91 a3 8e fb cf 57 53 ad 8e f1 70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0"
    "3f 75 e0 9c 30 ba 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15 13 98 91 d5"
    "e4 c5 b4 06 f1 6e 3f c1 81 a7 7c a4 75 84 00 25 db 2f 0a 77 f8 1b 5a b0 5b 94 c0 13 46 75 5f"
    "69 23 2c 86 51 9d 86 cb ee ac 87 aa c3 47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49"
    "fe 51 37 12 1c 74 bc 26 97 68 7e 24 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b 3b"
    "6c 67 79 b3 7b f1 59 85 68 4f");
const auto server_record = hex(
    "17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b"
    "36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3"
    "32 54 0d d0 32 e1 67 c2 95 5d");

std::optional<record_error> open_record(record_protection& p, std::vector<std::uint8_t> record,
                                        opened_record& out, std::vector<std::uint8_t>& storage,
                                        cipher_ctx& ctx) {
    storage = std::move(record);
    std::span<const std::uint8_t, record_header_size> header{storage.data(), record_header_size};
    return p.open(header, std::span{storage}.subspan(record_header_size), out, ctx.get());
}

} // namespace

TEST_CASE("traffic keys expand from the RFC 8448 application traffic secrets") {
    const auto client = derive_traffic_keys(record_cipher::aes_128_gcm_sha256, client_secret);
    CHECK(client.key == hex("17422dda596ed5d9acd890e3c63f5051"));
    CHECK(std::vector<std::uint8_t>(client.iv.begin(), client.iv.end()) ==
          hex("5b78923dee08579033e523d9"));
    const auto server = derive_traffic_keys(record_cipher::aes_128_gcm_sha256, server_secret);
    CHECK(server.key == hex("9f02283b6c9c07efc26bb9f2ac92e356"));
    CHECK(std::vector<std::uint8_t>(server.iv.begin(), server.iv.end()) ==
          hex("cf782b88dd83549aadf1e984"));
}

TEST_CASE("the server's records are sealed byte for byte as RFC 8448 shows them") {
    cipher_ctx ctx;
    record_protection server{derive_traffic_keys(record_cipher::aes_128_gcm_sha256, server_secret)};
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(server.seal(ticket_plaintext, content_type::handshake, out, ctx.get()));
    CHECK(out == ticket_record);
    out.clear();
    REQUIRE_FALSE(server.seal(counting(), content_type::application_data, out, ctx.get()));
    CHECK(out == server_record);
    CHECK(server.sequence() == 2);
}

TEST_CASE("the client's record opens to its 50 bytes of application data") {
    cipher_ctx ctx;
    record_protection client{derive_traffic_keys(record_cipher::aes_128_gcm_sha256, client_secret)};
    opened_record opened;
    std::vector<std::uint8_t> storage;
    REQUIRE_FALSE(open_record(client, client_record, opened, storage, ctx));
    CHECK(opened.type == content_type::application_data);
    CHECK(std::vector<std::uint8_t>(opened.content.begin(), opened.content.end()) == counting());
    CHECK(client.sequence() == 1);
}

TEST_CASE("tampered, truncated, oversize, reordered and replayed records are refused") {
    cipher_ctx ctx;
    const auto keys = derive_traffic_keys(record_cipher::aes_128_gcm_sha256, client_secret);
    opened_record opened;
    std::vector<std::uint8_t> storage;
    SECTION("one bit of the ciphertext, of the tag or of the header flipped") {
        for (const std::size_t at : {std::size_t{10}, client_record.size() - 1, std::size_t{4}}) {
            record_protection p{keys};
            auto record = client_record;
            record[at] ^= 0x01;
            const auto error = open_record(p, record, opened, storage, ctx);
            REQUIRE(error);
            CHECK((*error == record_error::bad_record_mac || *error == record_error::decode_error));
            CHECK(p.sequence() == 0);
        }
    }
    SECTION("truncated: the body shorter than the header says") {
        record_protection p{keys};
        auto record = client_record;
        record.pop_back();
        CHECK(open_record(p, record, opened, storage, ctx) == record_error::decode_error);
    }
    SECTION("oversize: a length over 2^14 + 256") {
        record_protection p{keys};
        std::vector<std::uint8_t> record{23, 3, 3, 0x41, 0x01};
        record.resize(record_header_size + 0x4101);
        CHECK(open_record(p, record, opened, storage, ctx) == record_error::record_overflow);
    }
    SECTION("an outer type other than application_data, and a wrong legacy version") {
        record_protection p{keys};
        auto record = client_record;
        record[0] = 22;
        CHECK(open_record(p, record, opened, storage, ctx) == record_error::unexpected_message);
        record = client_record;
        record[2] = 0x01;
        CHECK(open_record(p, record, opened, storage, ctx) == record_error::decode_error);
    }
    SECTION("reordered or replayed: the same record twice fails the second time") {
        record_protection p{keys};
        REQUIRE_FALSE(open_record(p, client_record, opened, storage, ctx));
        CHECK(open_record(p, client_record, opened, storage, ctx) == record_error::bad_record_mac);
    }
}

TEST_CASE("each cipher suite round-trips every content type, padding included") {
    cipher_ctx ctx;
    for (const auto cipher : {record_cipher::aes_128_gcm_sha256, record_cipher::aes_256_gcm_sha384,
                              record_cipher::chacha20_poly1305_sha256}) {
        const auto secret =
            std::vector<std::uint8_t>(cipher == record_cipher::aes_256_gcm_sha384 ? 48 : 32, 0x5a);
        record_protection sender{derive_traffic_keys(cipher, secret)};
        record_protection receiver{derive_traffic_keys(cipher, secret)};
        std::vector<std::uint8_t> wire;
        const std::vector<std::uint8_t> big(max_plaintext, 0xab);
        REQUIRE_FALSE(sender.seal(big, content_type::application_data, wire, ctx.get()));
        REQUIRE_FALSE(
            sender.seal(std::vector<std::uint8_t>{1, 0}, content_type::alert, wire, ctx.get()));
        CHECK(sender.seal(std::vector<std::uint8_t>(max_plaintext + 1), content_type::handshake,
                          wire, ctx.get()) == record_error::record_overflow);
        std::size_t at = 0;
        std::vector<std::pair<content_type, std::size_t>> seen;
        while (at < wire.size()) {
            const std::size_t length = (std::size_t{wire[at + 3]} << 8) | wire[at + 4];
            std::span<const std::uint8_t, record_header_size> header{wire.data() + at,
                                                                     record_header_size};
            opened_record opened;
            REQUIRE_FALSE(receiver.open(header,
                                        std::span{wire}.subspan(at + record_header_size, length),
                                        opened, ctx.get()));
            seen.emplace_back(opened.type, opened.content.size());
            at += record_header_size + length;
        }
        CHECK(seen ==
              std::vector<std::pair<content_type, std::size_t>>{
                  {content_type::application_data, max_plaintext}, {content_type::alert, 2}});
    }
}

TEST_CASE("padding after the type is stripped, and a record of padding alone is refused") {
    cipher_ctx ctx;
    const auto keys = derive_traffic_keys(record_cipher::aes_128_gcm_sha256, client_secret);
    record_protection sender{keys};
    record_protection receiver{keys};
    std::vector<std::uint8_t> wire;
    REQUIRE_FALSE(sender.seal(std::vector<std::uint8_t>{'h', 'i', 0}, content_type::handshake, wire,
                              ctx.get(), 100));
    CHECK(wire.size() == record_header_size + 3 + 1 + 100 + tag_size);
    opened_record opened;
    std::span<const std::uint8_t, record_header_size> header{wire.data(), record_header_size};
    REQUIRE_FALSE(
        receiver.open(header, std::span{wire}.subspan(record_header_size), opened, ctx.get()));
    CHECK(opened.type == content_type::handshake);
    CHECK(std::vector<std::uint8_t>(opened.content.begin(), opened.content.end()) ==
          std::vector<std::uint8_t>{'h', 'i', 0}); // the content's own zero is kept
    // Content and padding together may not exceed 2^14 + 1 bytes inside.
    CHECK(sender.seal({}, content_type::alert, wire, ctx.get(), max_plaintext + 1) ==
          record_error::record_overflow);
}

TEST_CASE("a record with nothing but zeros inside has no content type and is refused") {
    // Sealed by hand (AES-128-GCM, sequence 0), as a broken or hostile peer might send it.
    const auto keys = derive_traffic_keys(record_cipher::aes_128_gcm_sha256, client_secret);
    const std::vector<std::uint8_t> inner(8, 0);
    std::vector<std::uint8_t> record{23, 3, 3, 0, static_cast<std::uint8_t>(inner.size() + 16)};
    record.resize(record_header_size + inner.size() + tag_size);
    cipher_ctx ctx;
    int n = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(),
                               keys.iv.data()) == 1); // sequence 0: the nonce is the IV
    REQUIRE(EVP_EncryptUpdate(ctx.get(), nullptr, &n, record.data(), 5) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx.get(), record.data() + 5, &n, inner.data(),
                              static_cast<int>(inner.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(ctx.get(), record.data() + 5 + inner.size(), &n) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16,
                                record.data() + 5 + inner.size()) == 1);
    record_protection receiver{keys};
    opened_record opened;
    std::vector<std::uint8_t> storage;
    CHECK(open_record(receiver, record, opened, storage, ctx) == record_error::unexpected_message);
}

TEST_CASE("a KeyUpdate's next secret differs and resets the sequence") {
    const auto next = next_traffic_secret(record_cipher::aes_128_gcm_sha256, server_secret);
    CHECK(next.size() == 32);
    CHECK(next != server_secret);
    record_protection p{derive_traffic_keys(record_cipher::aes_128_gcm_sha256, server_secret)};
    cipher_ctx ctx;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(p.seal(counting(), content_type::application_data, out, ctx.get()));
    p.rekey(derive_traffic_keys(record_cipher::aes_128_gcm_sha256, next));
    CHECK(p.sequence() == 0);
}
