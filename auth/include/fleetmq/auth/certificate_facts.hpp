#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace fleetmq::auth {

/// One attribute of a certificate's subject, in the order the certificate lists them.
struct name_attribute {
    /// OpenSSL's short name of the attribute type: "CN", "O", "OU", "C", "serialNumber", ...
    std::string type;
    /// The value converted to UTF-8, byte for byte: it may hold anything the certificate holds,
    /// a NUL included, which is why identity rules check it.
    std::string value;
};

/// What fleetmq needs to know of a verified client certificate, extracted once by `tls/` at the
/// end of the handshake. Plain data: no OpenSSL type crosses into `auth/`, and the certificate
/// itself can be released once this is filled.
struct certificate_facts {
    std::vector<name_attribute> subject;
    /// The issuer's distinguished name in one line, for logs.
    std::string issuer;
    /// The serial number in upper-case hex, for logs and deny lists.
    std::string serial;
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
    /// Subject Alternative Names of type URI.
    std::vector<std::string> san_uris;
    /// Index of the configured trust entry whose CA issued the certificate.
    std::size_t trust_entry = 0;

    /// The values of every subject attribute of `type`, in order.
    std::vector<std::string> subject_values(std::string_view type) const;
};

} // namespace fleetmq::auth
