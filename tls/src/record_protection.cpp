#include "fleetmq/tls/record_protection.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fleetmq::tls {
namespace {

struct suite_parts {
    const char* digest;
    std::size_t hash_length;
    std::size_t key_length;
    const EVP_CIPHER* (*cipher)();
};

suite_parts parts_of(record_cipher c) noexcept {
    switch (c) {
    case record_cipher::aes_128_gcm_sha256:
        return {"SHA256", 32, 16, &EVP_aes_128_gcm};
    case record_cipher::aes_256_gcm_sha384:
        return {"SHA384", 48, 32, &EVP_aes_256_gcm};
    case record_cipher::chacha20_poly1305_sha256:
        return {"SHA256", 32, 32, &EVP_chacha20_poly1305};
    }
    return {"SHA256", 32, 16, &EVP_aes_128_gcm};
}

/// HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context, through OpenSSL's HKDF.
std::vector<std::uint8_t> expand_label(const suite_parts& suite,
                                       std::span<const std::uint8_t> secret, std::string_view label,
                                       std::size_t length) {
    // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
    const std::string full = std::string{"tls13 "} + std::string{label};
    std::vector<std::uint8_t> info;
    info.push_back(static_cast<std::uint8_t>(length >> 8));
    info.push_back(static_cast<std::uint8_t>(length & 0xFF));
    info.push_back(static_cast<std::uint8_t>(full.size()));
    info.insert(info.end(), full.begin(), full.end());
    info.push_back(0); // no context
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf{EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                          &EVP_KDF_free};
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx{
        kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr, &EVP_KDF_CTX_free};
    if (!ctx) {
        throw std::runtime_error{"OpenSSL has no HKDF"};
    }
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    std::string digest = suite.digest;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    std::vector<std::uint8_t> out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        throw std::runtime_error{"HKDF-Expand-Label failed"};
    }
    return out;
}

/// Starts an AEAD operation: the cipher, its key and this record's nonce.
bool begin(evp_cipher_ctx_st* ctx, const traffic_keys& keys,
           const std::array<std::uint8_t, 12>& nonce, bool encrypt) {
    const auto* cipher = parts_of(keys.cipher).cipher();
    return EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1 &&
           EVP_CipherInit_ex(ctx, nullptr, nullptr, keys.key.data(), nonce.data(),
                             encrypt ? 1 : 0) == 1;
}

} // namespace

std::optional<record_cipher> record_cipher_of(std::uint16_t suite) noexcept {
    switch (suite) {
    case 0x1301:
        return record_cipher::aes_128_gcm_sha256;
    case 0x1302:
        return record_cipher::aes_256_gcm_sha384;
    case 0x1303:
        return record_cipher::chacha20_poly1305_sha256;
    default:
        return std::nullopt;
    }
}

traffic_keys derive_traffic_keys(record_cipher cipher, std::span<const std::uint8_t> secret) {
    const auto suite = parts_of(cipher);
    traffic_keys keys;
    keys.cipher = cipher;
    keys.key = expand_label(suite, secret, "key", suite.key_length);
    const auto iv = expand_label(suite, secret, "iv", keys.iv.size());
    std::copy(iv.begin(), iv.end(), keys.iv.begin());
    return keys;
}

std::vector<std::uint8_t> next_traffic_secret(record_cipher cipher,
                                              std::span<const std::uint8_t> secret) {
    const auto suite = parts_of(cipher);
    return expand_label(suite, secret, "traffic upd", suite.hash_length);
}

std::array<std::uint8_t, 12> record_protection::nonce() const noexcept {
    // The 64-bit sequence number, big-endian and left-padded to the IV's length, XOR the IV
    // (section 5.3).
    auto n = keys_.iv;
    for (int i = 0; i < 8; ++i) {
        n[11 - static_cast<std::size_t>(i)] ^= static_cast<std::uint8_t>(sequence_ >> (8 * i));
    }
    return n;
}

std::optional<record_error> record_protection::seal(std::span<const std::uint8_t> content,
                                                    content_type type,
                                                    std::vector<std::uint8_t>& out,
                                                    evp_cipher_ctx_st* ctx, std::size_t padding) {
    const auto at = out.size();
    if (content.size() <= max_plaintext && padding <= max_plaintext) {
        out.resize(at + sealed_size(content.size(), padding));
    }
    try {
        const auto error = seal(content, type, out.data() + at, ctx, padding);
        if (error) {
            out.resize(at);
        }
        return error;
    } catch (...) {
        out.resize(at);
        throw;
    }
}

std::optional<record_error> record_protection::seal(std::span<const std::uint8_t> content,
                                                    content_type type, std::uint8_t* out,
                                                    evp_cipher_ctx_st* ctx, std::size_t padding) {
    if (content.size() > max_plaintext || content.size() + 1 + padding > max_plaintext + 1) {
        return record_error::record_overflow;
    }
    if (sequence_ == std::numeric_limits<std::uint64_t>::max()) {
        return record_error::sequence_exhausted;
    }
    // TLSCiphertext: opaque_type application_data, legacy version 0x0303, length; the content,
    // its real type, the padding, then the tag.
    const std::vector<std::uint8_t> zeros(padding, 0);
    const auto inner = content.size() + 1 + padding;
    const auto length = inner + tag_size;
    const std::array<std::uint8_t, record_header_size> header{
        23, 0x03, 0x03, static_cast<std::uint8_t>(length >> 8),
        static_cast<std::uint8_t>(length & 0xFF)};
    std::copy(header.begin(), header.end(), out);
    auto* body = out + record_header_size;
    const auto type_byte = static_cast<std::uint8_t>(type);
    int n = 0;
    const bool ok =
        begin(ctx, keys_, nonce(), true) &&
        EVP_EncryptUpdate(ctx, nullptr, &n, header.data(), static_cast<int>(header.size())) == 1 &&
        EVP_EncryptUpdate(ctx, body, &n, content.data(), static_cast<int>(content.size())) == 1 &&
        EVP_EncryptUpdate(ctx, body + content.size(), &n, &type_byte, 1) == 1 &&
        (padding == 0 || EVP_EncryptUpdate(ctx, body + content.size() + 1, &n, zeros.data(),
                                           static_cast<int>(padding)) == 1) &&
        EVP_EncryptFinal_ex(ctx, body + inner, &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size), body + inner) ==
            1;
    if (!ok) {
        throw std::runtime_error{"AEAD encryption failed"};
    }
    ++sequence_;
    return std::nullopt;
}

std::optional<record_error>
record_protection::open(std::span<const std::uint8_t, record_header_size> header,
                        std::span<std::uint8_t> body, opened_record& out, evp_cipher_ctx_st* ctx) {
    if (header[0] != static_cast<std::uint8_t>(content_type::application_data)) {
        return record_error::unexpected_message; // every protected record says application_data
    }
    if (header[1] != 0x03 || header[2] != 0x03) {
        return record_error::decode_error;
    }
    const std::size_t length = (std::size_t{header[3]} << 8) | header[4];
    if (length > max_ciphertext) {
        return record_error::record_overflow;
    }
    if (length != body.size() || length < tag_size + 1) {
        return record_error::decode_error;
    }
    if (sequence_ == std::numeric_limits<std::uint64_t>::max()) {
        return record_error::sequence_exhausted;
    }
    const auto encrypted = length - tag_size;
    int n = 0;
    const bool ok =
        begin(ctx, keys_, nonce(), false) &&
        EVP_DecryptUpdate(ctx, nullptr, &n, header.data(), static_cast<int>(header.size())) == 1 &&
        EVP_DecryptUpdate(ctx, body.data(), &n, body.data(), static_cast<int>(encrypted)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size),
                            body.data() + encrypted) == 1 &&
        EVP_DecryptFinal_ex(ctx, body.data() + encrypted, &n) == 1;
    if (!ok) {
        return record_error::bad_record_mac;
    }
    ++sequence_;
    // TLSInnerPlaintext: content, type, zeros. The type is the last non-zero byte.
    auto end = encrypted;
    while (end > 0 && body[end - 1] == 0) {
        --end;
    }
    if (end == 0) {
        return record_error::unexpected_message;
    }
    const auto type = body[end - 1];
    if (type != 21 && type != 22 && type != 23) {
        return record_error::unexpected_message;
    }
    if (end - 1 > max_plaintext) {
        return record_error::record_overflow;
    }
    out.type = static_cast<content_type>(type);
    out.content = body.first(end - 1);
    return std::nullopt;
}

} // namespace fleetmq::tls
