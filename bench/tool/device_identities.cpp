#include "device_identities.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace fleetmq::bench {

namespace {

device_identity load(const std::filesystem::path& certificate, const std::filesystem::path& key) {
    device_identity d;
    std::unique_ptr<FILE, int (*)(FILE*)> cert_file{std::fopen(certificate.c_str(), "r"),
                                                    &std::fclose};
    if (!cert_file) {
        throw std::runtime_error{"cannot read " + certificate.string()};
    }
    d.certificate = {PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr), &X509_free};
    std::unique_ptr<FILE, int (*)(FILE*)> key_file{std::fopen(key.c_str(), "r"), &std::fclose};
    if (!key_file) {
        throw std::runtime_error{"cannot read " + key.string()};
    }
    d.key = {PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
    if (!d.certificate || !d.key) {
        throw std::runtime_error{"not a PEM certificate and key: " + certificate.string()};
    }
    char cn[256] = {};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(d.certificate.get()), NID_commonName, cn,
                                  sizeof cn) <= 0) {
        throw std::runtime_error{"no subject CN in " + certificate.string()};
    }
    d.id = cn;
    return d;
}

} // namespace

device_identities device_identities::from_directory(const std::filesystem::path& dir,
                                                    const std::string& name_prefix) {
    std::vector<std::filesystem::path> certificates;
    for (const auto& entry : std::filesystem::directory_iterator{dir}) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".pem" && name.starts_with(name_prefix) &&
            std::filesystem::exists(
                std::filesystem::path{entry.path()}.replace_extension(".key"))) {
            certificates.push_back(entry.path());
        }
    }
    if (certificates.empty()) {
        throw std::runtime_error{"no " + name_prefix + "*.pem with a .key beside it in " +
                                 dir.string()};
    }
    std::sort(certificates.begin(), certificates.end());
    device_identities result;
    for (const auto& c : certificates) {
        result.all_.push_back(load(c, std::filesystem::path{c}.replace_extension(".key")));
    }
    return result;
}

device_identities device_identities::shared(const std::filesystem::path& certificate,
                                            const std::filesystem::path& key) {
    device_identities result;
    result.all_.push_back(load(certificate, key));
    return result;
}

std::string device_identities::client_id(std::size_t n) const {
    const auto& id = at(n).id;
    return shared_certificate() ? id + "/" + std::to_string(n) : id;
}

} // namespace fleetmq::bench
