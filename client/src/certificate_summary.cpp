#include "fleetmq/client/certificate_summary.hpp"

#include "fleetmq/client/connection_error.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace fleetmq::client {
namespace {

std::string name_text(const X509_NAME* name) {
    std::unique_ptr<BIO, decltype(&BIO_free)> out{BIO_new(BIO_s_mem()), &BIO_free};
    X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

std::chrono::system_clock::time_point as_time_point(const ASN1_TIME* t) {
    std::tm parts{};
    ASN1_TIME_to_tm(t, &parts);
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

} // namespace

certificate_summary read_certificate_summary(const std::filesystem::path& file) {
    std::unique_ptr<FILE, decltype(&std::fclose)> in{std::fopen(file.c_str(), "r"), &std::fclose};
    if (!in) {
        throw connection_error{failure_stage::files,
                               "cannot load the certificate " + file.string() + ": cannot read it"};
    }
    certificate_summary s;
    std::unique_ptr<X509, decltype(&X509_free)> first{
        PEM_read_X509(in.get(), nullptr, nullptr, nullptr), &X509_free}; // the device's own
    if (!first) {
        throw connection_error{failure_stage::files, "cannot load the certificate " +
                                                         file.string() + ": no PEM certificate"};
    }
    X509* cert = first.get();
    const X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
        const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
        unsigned char* utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, value);
        if (length >= 0) {
            s.common_names.emplace_back(reinterpret_cast<char*>(utf8),
                                        static_cast<std::size_t>(length));
            OPENSSL_free(utf8);
        }
    }
    s.subject = name_text(subject);
    s.issuer = name_text(X509_get_issuer_name(cert));
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial{
        ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), &BN_free};
    if (serial) {
        char* hex = BN_bn2hex(serial.get());
        s.serial = hex;
        OPENSSL_free(hex);
    }
    s.not_before = as_time_point(X509_get0_notBefore(cert));
    s.not_after = as_time_point(X509_get0_notAfter(cert));
    const auto flags = X509_get_extension_flags(cert);
    s.client_auth =
        (flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0;
    s.digital_signature =
        (flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) != 0;
    return s;
}

} // namespace fleetmq::client
