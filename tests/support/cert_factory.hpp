#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fleetmq::test {

/// Makes keys, certificates and CRLs at test time through the OpenSSL API (nothing is committed,
/// no openssl process is started), and writes them as PEM files.
enum class key_kind { ec_p256, rsa2048 };

/// A key pair. Opaque: the tests hand it back to the factory.
class key {
public:
    explicit key(key_kind kind);
    ~key();
    key(key&&) noexcept;
    key& operator=(key&&) noexcept;
    void* native() const noexcept { return pkey_; }

private:
    void* pkey_ = nullptr;
};

struct certificate_spec {
    /// Subject attributes in order, e.g. {{"O","Acme"},{"CN","dev-1"}}. Values are raw bytes
    /// (UTF8String), so a NUL or any other byte can be put in a CN.
    std::vector<std::pair<std::string, std::string>> subject;
    bool is_ca = false;
    int path_length = -1; // for CAs; -1 leaves it out
    bool server = false;  // serverAuth EKU (else clientAuth for leaves)
    /// OpenSSL's text for keyUsage / extKeyUsage instead of the defaults (e.g.
    /// "critical,digitalSignature,keyCertSign"); an EKU given for a CA is added to it.
    std::string key_usage;
    std::string extended_key_usage;
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::vector<std::string> uris;
    std::chrono::seconds not_before_offset{-3600}; // relative to now
    std::chrono::seconds not_after_offset{std::chrono::hours{24 * 365}};
    std::uint64_t serial = 0; // 0: a fresh random serial
    /// Whether to name the issuer's key (AKID). Without it a verifier finds the issuer by name
    /// alone, which lets a test forge a certificate under a real CA's name.
    bool authority_key_id = true;
};

/// A certificate with its key.
class issued {
public:
    issued(void* x509, key k);
    ~issued();
    issued(issued&&) noexcept;
    issued& operator=(issued&&) noexcept;
    void* native() const noexcept { return x509_; }
    const key& private_key() const noexcept { return key_; }
    std::uint64_t serial() const;

    /// Writes the certificate (PEM) to `path`; `with` are appended (a chain).
    void write_certificate(const std::filesystem::path& path,
                           const std::vector<const issued*>& with = {}) const;
    void write_key(const std::filesystem::path& path) const;

private:
    void* x509_ = nullptr;
    key key_;
};

/// The spec of a CA certificate: O and CN, basicConstraints CA:TRUE with `path_length`.
certificate_spec ca_spec(const std::string& cn, int path_length,
                         const std::string& organization = "fleetmq test");

/// Issues a certificate for `spec` with a new key of `kind`, signed by `issuer` (or
/// self-signed when `issuer` is null).
issued issue(const certificate_spec& spec, const issued* issuer, key_kind kind = key_kind::ec_p256);

/// Writes a CRL signed by `ca` that revokes `serials`, valid from an hour ago for
/// `next_update_offset`.
void write_crl(const std::filesystem::path& path, const issued& ca,
               const std::vector<std::uint64_t>& serials,
               std::chrono::seconds next_update_offset = std::chrono::hours{24});

/// A fresh directory under the system's temporary directory, removed when this is destroyed.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

} // namespace fleetmq::test
