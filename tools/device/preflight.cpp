#include "preflight.hpp"

#include <fleetmq/auth/identity_policy.hpp>
#include <fleetmq/client/certificate_summary.hpp>
#include <fleetmq/client/connection_error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace fleetmq::tools {

std::string preflight(const client::device_config& config, std::string& id) {
    std::string problems;
    auto problem = [&](const std::string& text) {
        problems += (problems.empty() ? "" : "\n") + text;
    };
    const struct {
        const char* key;
        const std::filesystem::path& path;
        const char* without;
    } files[] = {
        {"ca_cert", config.ca_cert,
         "certificate verify failed: install ca.crt, the root CA of the broker's PKI"},
        {"client_cert", config.client_cert,
         "peer did not return a certificate: install the device's client.crt"},
        {"client_key", config.client_key,
         "peer did not return a certificate: install the device's client.key (mode 600)"},
    };
    for (const auto& f : files) {
        if (::access(f.path.c_str(), R_OK) != 0) {
            problem(fmt::format("cannot read {} {}: {} (without it: {})", f.key, f.path.string(),
                                std::strerror(errno), f.without));
        }
    }
    struct stat key {};
    if (::stat(config.client_key.c_str(), &key) == 0 && (key.st_mode & 007) != 0) {
        problem(fmt::format("client_key {} is readable by others (mode {:o}): chmod 600 {}",
                            config.client_key.string(), key.st_mode & 0777,
                            config.client_key.string()));
    }
    if (!problems.empty()) {
        return problems;
    }
    try {
        const auto certificate = client::read_certificate_summary(config.client_cert);
        if (certificate.common_names.size() != 1) {
            return fmt::format("{} has {} CNs: exactly one, the device id, is needed",
                               config.client_cert.string(), certificate.common_names.size());
        }
        id = certificate.common_names.front();
        if (const auto failure = auth::check_device_id(id)) {
            return fmt::format("the CN '{}' of {} is not a valid device id: {}", id,
                               config.client_cert.string(), auth::to_string(*failure));
        }
    } catch (const client::connection_error& e) {
        return e.what();
    }
    return {};
}

} // namespace fleetmq::tools
