#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

struct evp_cipher_ctx_st;

namespace fleetmq::tls {

// TLS 1.3 record protection (RFC 8446 section 5.2) after the handshake, built on OpenSSL's EVP
// AEADs and its HKDF: what a connection needs to protect records is a key, an IV and a sequence
// number per direction (~60 bytes), not an SSL object (~18 KiB). The first part of the lean
// record layer; the switch-over of live connections comes with it.

/// The AEAD of a TLS 1.3 cipher suite.
enum class record_cipher : std::uint8_t {
    aes_128_gcm_sha256,       // TLS_AES_128_GCM_SHA256
    aes_256_gcm_sha384,       // TLS_AES_256_GCM_SHA384
    chacha20_poly1305_sha256, // TLS_CHACHA20_POLY1305_SHA256
};

/// The cipher of an IANA TLS 1.3 cipher suite id (0x1301..0x1303), if it is one of these.
std::optional<record_cipher> record_cipher_of(std::uint16_t suite) noexcept;

/// RFC 8446 section 5.1 content types that matter after the handshake.
enum class content_type : std::uint8_t {
    alert = 21,
    handshake = 22,
    application_data = 23,
};

inline constexpr std::size_t record_header_size = 5;
inline constexpr std::size_t max_plaintext = 1u << 14;             // 2^14 (section 5.1)
inline constexpr std::size_t max_ciphertext = max_plaintext + 256; // 2^14 + 256 (section 5.2)
inline constexpr std::size_t tag_size = 16;

/// A key and IV for one direction, from a traffic secret (section 7.3).
struct traffic_keys {
    record_cipher cipher = record_cipher::aes_128_gcm_sha256;
    std::vector<std::uint8_t> key; // 16 or 32 bytes
    std::array<std::uint8_t, 12> iv{};
};

/// HKDF-Expand-Label(secret, "key", "", key length) and (…, "iv", "", 12), with the suite's hash.
traffic_keys derive_traffic_keys(record_cipher cipher, std::span<const std::uint8_t> secret);

/// The next generation of a traffic secret (KeyUpdate, section 7.2):
/// HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
std::vector<std::uint8_t> next_traffic_secret(record_cipher cipher,
                                              std::span<const std::uint8_t> secret);

/// Why a record could not be opened, as the alert the RFC names for it.
enum class record_error : std::uint8_t {
    bad_record_mac,     // authentication failed (alert 20)
    record_overflow,    // longer than 2^14 + 256, or its plaintext than 2^14 (alert 22)
    unexpected_message, // not application_data outside, or no content type inside (alert 10)
    decode_error,       // shorter than a tag, or a wrong legacy version (alert 50)
    sequence_exhausted, // 2^64 - 1 records: never reuse a nonce
};

struct opened_record {
    content_type type = content_type::application_data;
    std::span<std::uint8_t> content; // within the body given to open()
};

/// One direction's protection: its keys and sequence number. Cipher contexts are not held:
/// the caller lends one (a shard keeps one for all its connections).
class record_protection {
public:
    /// `sequence`: records already protected with these keys (by OpenSSL, before a handover).
    explicit record_protection(traffic_keys keys, std::uint64_t sequence = 0)
        : keys_{std::move(keys)}, sequence_{sequence} {}

    /// Appends one record holding `content` (at most 2^14 bytes) of `type`, followed inside by
    /// `padding` zero bytes (section 5.4), to `out`. nullopt on success, record_overflow for
    /// too much, sequence_exhausted when this direction may not send any more.
    std::optional<record_error> seal(std::span<const std::uint8_t> content, content_type type,
                                     std::vector<std::uint8_t>& out, evp_cipher_ctx_st* ctx,
                                     std::size_t padding = 0);
    /// The same into `out`, which has room for sealed_size(content.size(), padding) bytes.
    std::optional<record_error> seal(std::span<const std::uint8_t> content, content_type type,
                                     std::uint8_t* out, evp_cipher_ctx_st* ctx,
                                     std::size_t padding = 0);
    /// The bytes of a record that holds `content` bytes and `padding`: header, inner plaintext
    /// (content, type, padding) and tag.
    static constexpr std::size_t sealed_size(std::size_t content, std::size_t padding = 0) {
        return record_header_size + content + 1 + padding + tag_size;
    }

    /// Opens one record: `header` is its 5 bytes, `body` its ciphertext and tag, decrypted in
    /// place. The content is a view into `body`.
    std::optional<record_error> open(std::span<const std::uint8_t, record_header_size> header,
                                     std::span<std::uint8_t> body, opened_record& out,
                                     evp_cipher_ctx_st* ctx);

    std::uint64_t sequence() const noexcept { return sequence_; }
    /// New keys (KeyUpdate): the sequence number starts again at zero.
    void rekey(traffic_keys keys) {
        keys_ = std::move(keys);
        sequence_ = 0;
    }

private:
    std::array<std::uint8_t, 12> nonce() const noexcept;

    traffic_keys keys_;
    std::uint64_t sequence_ = 0;
};

} // namespace fleetmq::tls
