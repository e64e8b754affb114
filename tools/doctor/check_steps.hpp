#pragma once

#include "checks.hpp"

#include <fleetmq/client/certificate_summary.hpp>

namespace fleetmq::tools::detail {

/// What the checks learn as they go: later checks build on earlier ones.
struct findings {
    doctor_options options;
    std::optional<client::device_config> config;
    std::optional<client::certificate_summary> certificate;
    std::string device_id; // the certificate's CN, once it is one valid id
};

using step = check_result (*)(findings&);

// Files and certificates (file_checks.cpp).
check_result check_configuration(findings& f);
check_result check_files_present(findings& f);
check_result check_permissions(findings& f);
check_result check_key_matches(findings& f);
check_result check_chain(findings& f);
check_result check_device_id(findings& f);
check_result check_validity(findings& f);
check_result check_usage(findings& f);
check_result check_clock(findings& f);

// The broker, live (live_checks.cpp).
check_result check_resolves(findings& f);
check_result check_reachable(findings& f);
/// The TLS handshake, CONNECT and SUBSCRIBE on one connection: three results.
std::vector<check_result> check_live_session(findings& f);

check_result pass(std::string name, std::string detail);
check_result fail(std::string name, std::string detail, std::string fix);

} // namespace fleetmq::tools::detail
