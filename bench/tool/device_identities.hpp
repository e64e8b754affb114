#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fleetmq::bench {

/// A device's credentials, parsed once: its certificate, key and id (the subject CN).
struct device_identity {
    std::shared_ptr<X509> certificate;
    std::shared_ptr<EVP_PKEY> key;
    std::string id;
};

/// The devices a benchmark connects as: one certificate per device (every `*.pem` with a
/// `.key` beside it in a directory, in name order) or one certificate shared by all.
class device_identities {
public:
    /// Throws std::runtime_error naming the file that cannot be read.
    static device_identities from_directory(const std::filesystem::path& dir,
                                            const std::string& name_prefix);
    static device_identities shared(const std::filesystem::path& certificate,
                                    const std::filesystem::path& key);

    /// The identity of connection `n` (cycling over the certificates) and the client id it
    /// connects with: the id itself, or "<id>/<n>" when certificates are shared by several
    /// connections (so that they do not take each other over).
    const device_identity& at(std::size_t n) const { return all_[n % all_.size()]; }
    std::string client_id(std::size_t n) const;
    std::size_t size() const noexcept { return all_.size(); }
    bool shared_certificate() const noexcept { return all_.size() == 1; }

private:
    std::vector<device_identity> all_;
};

} // namespace fleetmq::bench
