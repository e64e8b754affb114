#include "cert_factory.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace fleetmq::test {
namespace {

EVP_PKEY* as_pkey(void* p) {
    return static_cast<EVP_PKEY*>(p);
}
X509* as_x509(void* p) {
    return static_cast<X509*>(p);
}

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error{std::string{"cert factory: "} + what};
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "bad extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) {
        out += (out.empty() ? "" : ",") + part;
    }
    return out;
}

FILE* open_for_writing(const std::filesystem::path& path) {
    FILE* file = std::fopen(path.c_str(), "w");
    check(file != nullptr, "cannot write a file");
    return file;
}

} // namespace

key::key(key_kind kind) {
    pkey_ = kind == key_kind::rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    check(pkey_ != nullptr, "key generation failed");
}
key::~key() {
    EVP_PKEY_free(as_pkey(pkey_));
}
key::key(key&& other) noexcept : pkey_{std::exchange(other.pkey_, nullptr)} {}
key& key::operator=(key&& other) noexcept {
    std::swap(pkey_, other.pkey_);
    return *this;
}

issued::issued(void* x509, key k) : x509_{x509}, key_{std::move(k)} {}
issued::~issued() {
    X509_free(as_x509(x509_));
}
issued::issued(issued&& other) noexcept
    : x509_{std::exchange(other.x509_, nullptr)}, key_{std::move(other.key_)} {}
issued& issued::operator=(issued&& other) noexcept {
    std::swap(x509_, other.x509_);
    std::swap(key_, other.key_);
    return *this;
}

std::uint64_t issued::serial() const {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(as_x509(x509_)), nullptr);
    const auto value = BN_get_word(bn);
    BN_free(bn);
    return value;
}

void issued::write_certificate(const std::filesystem::path& path,
                               const std::vector<const issued*>& with) const {
    FILE* file = open_for_writing(path);
    PEM_write_X509(file, as_x509(x509_));
    for (const auto* other : with) {
        PEM_write_X509(file, as_x509(other->x509_));
    }
    std::fclose(file);
    std::filesystem::permissions(path, std::filesystem::perms{0644});
}

void issued::write_key(const std::filesystem::path& path) const {
    FILE* file = open_for_writing(path);
    PEM_write_PrivateKey(file, as_pkey(key_.native()), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(file);
    std::filesystem::permissions(path, std::filesystem::perms{0600});
}

certificate_spec ca_spec(const std::string& cn, int path_length, const std::string& organization) {
    certificate_spec spec;
    spec.subject = {{"O", organization}, {"CN", cn}};
    spec.is_ca = true;
    spec.path_length = path_length;
    return spec;
}

issued issue(const certificate_spec& spec, const issued* issuer, key_kind kind) {
    key k{kind};
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    std::uint64_t serial = spec.serial;
    if (serial == 0) {
        RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
        serial = (serial >> 2) | 1; // positive, non-zero, fits BN_set_word
    }
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.not_before_offset.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.not_after_offset.count()));
    X509_set_pubkey(cert, as_pkey(k.native()));

    X509_NAME* name = X509_get_subject_name(cert);
    for (const auto& [type, value] : spec.subject) {
        check(X509_NAME_add_entry_by_txt(name, type.c_str(), V_ASN1_UTF8STRING,
                                         reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size()), -1, 0) == 1,
              "bad subject attribute");
    }
    X509* signer_cert = issuer != nullptr ? as_x509(issuer->native()) : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(signer_cert));

    if (spec.is_ca) {
        add_extension(cert, signer_cert, NID_basic_constraints,
                      spec.path_length >= 0
                          ? "critical,CA:TRUE,pathlen:" + std::to_string(spec.path_length)
                          : std::string{"critical,CA:TRUE"});
        add_extension(cert, signer_cert, NID_key_usage,
                      spec.key_usage.empty() ? std::string{"critical,keyCertSign,cRLSign"}
                                             : spec.key_usage);
        if (!spec.extended_key_usage.empty()) {
            add_extension(cert, signer_cert, NID_ext_key_usage, spec.extended_key_usage);
        }
    } else {
        add_extension(cert, signer_cert, NID_basic_constraints, "critical,CA:FALSE");
        const std::string default_usage = kind == key_kind::rsa2048
                                              ? "critical,digitalSignature,keyEncipherment"
                                              : "critical,digitalSignature";
        add_extension(cert, signer_cert, NID_key_usage,
                      spec.key_usage.empty() ? default_usage : spec.key_usage);
        const std::string default_purpose = spec.server ? "serverAuth" : "clientAuth";
        add_extension(cert, signer_cert, NID_ext_key_usage,
                      spec.extended_key_usage.empty() ? default_purpose : spec.extended_key_usage);
    }
    add_extension(cert, signer_cert, NID_subject_key_identifier, "hash");
    if (issuer != nullptr && spec.authority_key_id) {
        add_extension(cert, signer_cert, NID_authority_key_identifier, "keyid");
    }
    std::vector<std::string> alt_names;
    for (const auto& dns : spec.dns_names) {
        alt_names.push_back("DNS:" + dns);
    }
    for (const auto& ip : spec.ip_addresses) {
        alt_names.push_back("IP:" + ip);
    }
    for (const auto& uri : spec.uris) {
        alt_names.push_back("URI:" + uri);
    }
    if (!alt_names.empty()) {
        add_extension(cert, signer_cert, NID_subject_alt_name, join(alt_names));
    }
    EVP_PKEY* signing_key =
        issuer != nullptr ? as_pkey(issuer->private_key().native()) : as_pkey(k.native());
    check(X509_sign(cert, signing_key, EVP_sha256()) > 0, "signing failed");
    return issued{cert, std::move(k)};
}

void write_crl(const std::filesystem::path& path, const issued& ca,
               const std::vector<std::uint64_t>& serials, std::chrono::seconds next_update_offset) {
    X509_CRL* crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(as_x509(ca.native())));
    ASN1_TIME* last = X509_gmtime_adj(nullptr, -3600);
    ASN1_TIME* next = X509_gmtime_adj(nullptr, static_cast<long>(next_update_offset.count()));
    X509_CRL_set1_lastUpdate(crl, last);
    X509_CRL_set1_nextUpdate(crl, next);
    for (auto serial : serials) {
        X509_REVOKED* revoked = X509_REVOKED_new();
        ASN1_INTEGER* number = ASN1_INTEGER_new();
        ASN1_INTEGER_set_uint64(number, serial);
        X509_REVOKED_set_serialNumber(revoked, number);
        X509_REVOKED_set_revocationDate(revoked, last);
        X509_CRL_add0_revoked(crl, revoked);
        ASN1_INTEGER_free(number);
    }
    X509_CRL_sort(crl);
    check(X509_CRL_sign(crl, as_pkey(ca.private_key().native()), EVP_sha256()) > 0,
          "CRL signing failed");
    FILE* file = open_for_writing(path);
    PEM_write_X509_CRL(file, crl);
    std::fclose(file);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
}

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fleetmq-test-XXXXXX").string();
    check(mkdtemp(pattern.data()) != nullptr, "cannot make a temporary directory");
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

} // namespace fleetmq::test
