#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace fleetmq::tools {

/// What `fleetmq-pki batch` issues: device certificates `<prefix><number>` signed by one CA.
struct batch_request {
    std::filesystem::path ca_dir; // ca.crt, ca.key, index.txt (an openssl `ca` database)
    std::filesystem::path root;   // copied to <out>/ca.crt for the devices
    std::filesystem::path out;
    std::string prefix = "dev-";
    std::uint64_t start = 1;
    std::uint64_t count = 0;
    int width = 0; // digits of the number; 0: those of the last one, at least 4
    std::string country;
    std::string organization;
    std::string device_type = "device";
    int days = 825;
    unsigned threads = 0; // 0: one per core
    bool force = false;
};

/// Issues the certificates: <out>/<id>.pem (the device's certificate, then the CA's) with mode
/// 644 and <out>/<id>.key (ECDSA P-256) with mode 600, records each in the CA's index.txt so
/// that `fleetmq-pki revoke` finds it, and returns how many were written. Throws on any error
/// (an invalid id, an existing file without `force`, an unreadable CA).
std::uint64_t issue_batch(const batch_request& request);

} // namespace fleetmq::tools
