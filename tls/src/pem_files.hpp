#pragma once

#include "openssl_ptr.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace fleetmq::tls::detail {

// Reading the PEM files of a configuration. Each throws config_error with a message that starts
// with `what` and the path ("ca_file /etc/fleetmq/vendor-a.pem: ...").

/// Throws unless the file can be opened for reading.
void require_readable(const std::filesystem::path& path, std::string_view what);

/// Every certificate in the file; at least one.
std::vector<x509_ptr> load_certificates(const std::filesystem::path& path, std::string_view what);

/// The one CRL in the file.
x509_crl_ptr load_crl(const std::filesystem::path& path, std::string_view what);

/// Throws unless `certificate` is valid now ("expired on ...", "not valid before ...").
void check_validity(X509* certificate, const std::filesystem::path& path, std::string_view what);

/// The certificate's subject in one line.
std::string subject_of(X509* certificate);

} // namespace fleetmq::tls::detail
