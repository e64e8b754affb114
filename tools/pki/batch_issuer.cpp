#include "batch_issuer.hpp"

#include <fleetmq/auth/identity_policy.hpp>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fleetmq::tools {
namespace {

using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using file_ptr = std::unique_ptr<FILE, decltype(&std::fclose)>;

void check(bool ok, const std::string& what) {
    if (!ok) {
        throw std::runtime_error{what};
    }
}

file_ptr open_for_reading(const std::filesystem::path& path) {
    file_ptr file{std::fopen(path.c_str(), "r"), &std::fclose};
    check(file != nullptr, "cannot read " + path.string());
    return file;
}

/// Creates `path` with `mode`; refuses an existing file unless `force`.
file_ptr create(const std::filesystem::path& path, mode_t mode, bool force) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    const int fd = ::open(path.c_str(), flags, mode);
    check(fd >= 0, errno == EEXIST ? path.string() + " exists (use --force to replace it)"
                                   : "cannot write " + path.string());
    ::fchmod(fd, mode); // an existing file replaced with --force gets the mode too
    file_ptr file{::fdopen(fd, "w"), &std::fclose};
    if (!file) {
        ::close(fd);
        throw std::runtime_error{"cannot write " + path.string()};
    }
    return file;
}

std::string device_id(const batch_request& r, std::uint64_t number, int width) {
    auto digits = std::to_string(number);
    if (static_cast<int>(digits.size()) < width) {
        digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    }
    return r.prefix + digits;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(extension != nullptr, "cannot make extension " + std::string{OBJ_nid2sn(nid)});
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) {
        return;
    }
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(value.data()),
                                     static_cast<int>(value.size()), -1, 0) == 1,
          std::string{"cannot set subject "} + field + "=" + value);
}

/// A positive random 128-bit serial, as `openssl ca -rand_serial` makes them.
void set_random_serial(X509* cert) {
    unsigned char bytes[16];
    check(RAND_bytes(bytes, sizeof bytes) == 1, "no randomness");
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x01); // positive, full length
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial{BN_bin2bn(bytes, sizeof bytes, nullptr),
                                                       &BN_free};
    check(serial && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr,
          "cannot set a serial");
}

/// One line of the CA's index.txt, the format `openssl ca` reads: status, expiry, revocation,
/// serial (hex), file, subject.
std::string index_line(X509* cert) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial{
        ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), &BN_free};
    std::unique_ptr<char, void (*)(char*)> hex{BN_bn2hex(serial.get()),
                                               [](char* p) { OPENSSL_free(p); }};
    const ASN1_TIME* not_after = X509_get0_notAfter(cert);
    const std::string expiry{reinterpret_cast<const char*>(ASN1_STRING_get0_data(not_after)),
                             static_cast<std::size_t>(ASN1_STRING_length(not_after))};
    std::unique_ptr<char, void (*)(char*)> subject{
        X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0),
        [](char* p) { OPENSSL_free(p); }};
    return "V\t" + expiry + "\t\t" + hex.get() + "\tunknown\t" + subject.get() + "\n";
}

struct signing_authority {
    x509_ptr certificate{nullptr, &X509_free};
    pkey_ptr key{nullptr, &EVP_PKEY_free};
};

signing_authority load_authority(const std::filesystem::path& dir) {
    signing_authority ca;
    ca.certificate.reset(
        PEM_read_X509(open_for_reading(dir / "ca.crt").get(), nullptr, nullptr, nullptr));
    check(ca.certificate != nullptr, (dir / "ca.crt").string() + " is not a PEM certificate");
    ca.key.reset(
        PEM_read_PrivateKey(open_for_reading(dir / "ca.key").get(), nullptr, nullptr, nullptr));
    check(ca.key != nullptr, (dir / "ca.key").string() + " is not a PEM private key");
    check(X509_check_private_key(ca.certificate.get(), ca.key.get()) == 1,
          (dir / "ca.key").string() + " does not belong to " + (dir / "ca.crt").string());
    return ca;
}

/// Issues one device certificate and writes its files; returns its index.txt line.
std::string issue_one(const batch_request& r, const signing_authority& ca, const std::string& id) {
    pkey_ptr key{EVP_EC_gen("P-256"), &EVP_PKEY_free};
    check(key != nullptr, "cannot make a P-256 key");
    x509_ptr cert{X509_new(), &X509_free};
    check(cert != nullptr, "out of memory");
    X509_set_version(cert.get(), X509_VERSION_3);
    set_random_serial(cert.get());
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(r.days) * 86400L);
    X509_NAME* subject = X509_get_subject_name(cert.get());
    add_name_entry(subject, "C", r.country);
    add_name_entry(subject, "O", r.organization);
    add_name_entry(subject, "OU", r.device_type);
    add_name_entry(subject, "CN", id);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.certificate.get()));
    X509_set_pubkey(cert.get(), key.get());
    X509* issuer = ca.certificate.get();
    add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), issuer, NID_ext_key_usage, "clientAuth");
    add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    check(X509_sign(cert.get(), ca.key.get(), EVP_sha256()) > 0, "cannot sign " + id);

    auto key_file = create(r.out / (id + ".key"), 0600, r.force);
    check(PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
              1,
          "cannot write the key of " + id);
    auto cert_file = create(r.out / (id + ".pem"), 0644, r.force);
    check(PEM_write_X509(cert_file.get(), cert.get()) == 1 &&
              PEM_write_X509(cert_file.get(), ca.certificate.get()) == 1,
          "cannot write the certificate of " + id);
    check(std::fflush(key_file.get()) == 0 && std::fflush(cert_file.get()) == 0,
          "cannot write the files of " + id);
    return index_line(cert.get());
}

} // namespace

std::uint64_t issue_batch(const batch_request& r) {
    check(r.count > 0, "--count must be at least 1");
    const auto last = r.start + r.count - 1;
    const int width =
        r.width > 0 ? r.width : std::max(4, static_cast<int>(std::to_string(last).size()));
    // Every id first: a bad prefix fails before anything is written.
    for (const auto number : {r.start, last}) {
        const auto id = device_id(r, number, width);
        if (const auto failure = auth::check_device_id(id)) {
            throw std::runtime_error{"device id '" + id +
                                     "' is not usable: " + std::string{auth::to_string(*failure)}};
        }
    }
    const auto ca = load_authority(r.ca_dir);
    std::filesystem::create_directories(r.out);
    {
        std::ifstream root{r.root, std::ios::binary};
        check(root.good(), "cannot read " + r.root.string());
        std::ofstream copy{r.out / "ca.crt", std::ios::binary | std::ios::trunc};
        copy << root.rdbuf();
        check(copy.good(), "cannot write " + (r.out / "ca.crt").string());
    }

    std::atomic<std::uint64_t> next{0};
    std::mutex index_mutex;
    std::ofstream index{r.ca_dir / "index.txt", std::ios::app};
    check(index.good(), "cannot append to " + (r.ca_dir / "index.txt").string());
    std::exception_ptr failure;
    const unsigned threads =
        r.threads > 0 ? r.threads : std::max(1u, std::thread::hardware_concurrency());
    auto work = [&] {
        std::string lines;
        try {
            for (auto i = next++; i < r.count; i = next++) {
                lines += issue_one(r, ca, device_id(r, r.start + i, width));
                if (lines.size() > 64 * 1024) {
                    const std::scoped_lock lock{index_mutex};
                    index << lines;
                    lines.clear();
                }
            }
        } catch (...) {
            const std::scoped_lock lock{index_mutex};
            if (!failure) {
                failure = std::current_exception();
            }
            next = r.count; // the others stop too
        }
        // What was issued is recorded even when a later one failed.
        const std::scoped_lock lock{index_mutex};
        index << lines;
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back(work);
    }
    for (auto& t : pool) {
        t.join();
    }
    index.flush();
    if (failure) {
        std::rethrow_exception(failure);
    }
    check(index.good(), "cannot append to " + (r.ca_dir / "index.txt").string());
    return r.count;
}

} // namespace fleetmq::tools
