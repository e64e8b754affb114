#include "peer_certificate.hpp"

#include "openssl_ptr.hpp"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace fleetmq::tls::detail {
namespace {

std::string utf8_value(const ASN1_STRING* data) {
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) {
        // Not convertible: keep the raw bytes, which the identity rules then refuse as not UTF-8.
        return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                static_cast<std::size_t>(ASN1_STRING_length(data))};
    }
    std::string value{reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length)};
    OPENSSL_free(utf8);
    return value;
}

std::string attribute_type(const ASN1_OBJECT* object) {
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
        return OBJ_nid2sn(nid);
    }
    char text[128];
    OBJ_obj2txt(text, sizeof text, object, 1);
    return text;
}

std::string one_line(const X509_NAME* name) {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const auto size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
}

std::string serial_hex(const ASN1_INTEGER* serial) {
    std::unique_ptr<BIGNUM, openssl_deleter<BN_free>> number{ASN1_INTEGER_to_BN(serial, nullptr)};
    if (!number) {
        return {};
    }
    char* hex = BN_bn2hex(number.get());
    std::string text{hex};
    OPENSSL_free(hex);
    return text;
}

std::chrono::system_clock::time_point time_point_of(const ASN1_TIME* time) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) {
        return {};
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

} // namespace

auth::certificate_facts extract_facts(X509* certificate) {
    auth::certificate_facts facts;
    const X509_NAME* subject = X509_get_subject_name(certificate);
    const int count = X509_NAME_entry_count(subject);
    for (int i = 0; i < count; ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
        facts.subject.push_back({attribute_type(X509_NAME_ENTRY_get_object(entry)),
                                 utf8_value(X509_NAME_ENTRY_get_data(entry))});
    }
    facts.issuer = one_line(X509_get_issuer_name(certificate));
    facts.serial = serial_hex(X509_get0_serialNumber(certificate));
    facts.not_before = time_point_of(X509_get0_notBefore(certificate));
    facts.not_after = time_point_of(X509_get0_notAfter(certificate));
    auto* names = static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
    if (names != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
            if (name->type == GEN_URI) {
                facts.san_uris.push_back(utf8_value(name->d.uniformResourceIdentifier));
            }
        }
        GENERAL_NAMES_free(names);
    }
    return facts;
}

} // namespace fleetmq::tls::detail
