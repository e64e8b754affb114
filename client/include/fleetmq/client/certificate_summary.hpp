#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace fleetmq::client {

/// What a device needs to know of its own certificate (the first in its file).
struct certificate_summary {
    std::vector<std::string> common_names; // the device id is the only one
    std::string subject;                   // RFC 2253
    std::string issuer;                    // RFC 2253
    std::string serial;                    // hex
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
    bool client_auth = false;       // extended key usage clientAuth (or no EKU at all)
    bool digital_signature = false; // key usage digitalSignature (or no key usage at all)
};

/// Reads a PEM file; throws connection_error (stage files) when it holds no certificate.
certificate_summary read_certificate_summary(const std::filesystem::path& file);

} // namespace fleetmq::client
