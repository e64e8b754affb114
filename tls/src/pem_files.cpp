#include "pem_files.hpp"

#include "fleetmq/tls/config_error.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>

namespace fleetmq::tls::detail {
namespace {

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path,
                       std::string_view problem) {
    throw config_error{std::string{what} + " " + path.string() + ": " + std::string{problem}};
}

bio_ptr open_file(const std::filesystem::path& path, std::string_view what) {
    errno = 0;
    bio_ptr bio{BIO_new_file(path.c_str(), "r")};
    if (!bio) {
        const int error = errno;
        drain_openssl_errors();
        fail(what, path,
             std::string{"cannot be read ("} + (error != 0 ? std::strerror(error) : "unknown") +
                 ")");
    }
    return bio;
}

std::string time_text(const ASN1_TIME* time) {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    ASN1_TIME_print(bio.get(), time);
    char* data = nullptr;
    const auto size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

} // namespace

void require_readable(const std::filesystem::path& path, std::string_view what) {
    open_file(path, what);
}

std::string drain_openssl_errors() {
    std::string text;
    while (const auto code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty()) {
            text += "; ";
        }
        text += buffer;
    }
    return text;
}

std::vector<x509_ptr> load_certificates(const std::filesystem::path& path, std::string_view what) {
    auto bio = open_file(path, what);
    std::vector<x509_ptr> certificates;
    while (x509_ptr certificate{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
        certificates.push_back(std::move(certificate));
    }
    // The loop ends on "no start line" at the end of the file; anything else is damage.
    const auto last = ERR_peek_last_error();
    if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
        fail(what, path, "damaged PEM: " + drain_openssl_errors());
    }
    drain_openssl_errors();
    if (certificates.empty()) {
        fail(what, path, "no certificate in it");
    }
    return certificates;
}

x509_crl_ptr load_crl(const std::filesystem::path& path, std::string_view what) {
    auto bio = open_file(path, what);
    x509_crl_ptr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)};
    if (!crl) {
        drain_openssl_errors();
        fail(what, path, "no CRL in it");
    }
    return crl;
}

void check_validity(X509* certificate, const std::filesystem::path& path, std::string_view what) {
    if (X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0) {
        fail(what, path,
             "certificate " + subject_of(certificate) + " expired on " +
                 time_text(X509_get0_notAfter(certificate)));
    }
    if (X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0) {
        fail(what, path,
             "certificate " + subject_of(certificate) + " is not valid before " +
                 time_text(X509_get0_notBefore(certificate)));
    }
}

std::string subject_of(X509* certificate) {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const auto size = BIO_get_mem_data(bio.get(), &data);
    // Appended piece by piece: `"\"" + std::string{...}` trips GCC 12's -Wrestrict at -O3.
    std::string quoted;
    quoted += '"';
    quoted.append(data, static_cast<std::size_t>(size));
    quoted += '"';
    return quoted;
}

} // namespace fleetmq::tls::detail
