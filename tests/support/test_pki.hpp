#pragma once

#include "cert_factory.hpp"
#include "fleetmq/tls/server_config.hpp"

#include <string>

namespace fleetmq::test {

/// The PKI of a small fleet, made at test time: an offline root, two vendor intermediates
/// (vendor-a issues ids "a-...", vendor-b "b-..."), a controller CA, and the broker's server
/// certificate for 127.0.0.1. `config()` trusts the three issuing CAs.
class test_pki {
public:
    test_pki();

    temp_dir dir;
    issued root;
    issued vendor_a;
    issued vendor_b;
    issued controllers;
    issued server;

    /// A listener configuration over these files.
    tls::server_config config() const;

    struct files {
        std::filesystem::path certificate;
        std::filesystem::path key;
    };

    /// Issues a client certificate with `spec` under `issuer` and writes its files, named after
    /// `name`. With `send_chain` the issuer's certificate follows the leaf.
    files client(const std::string& name, const certificate_spec& spec, const issued& issuer,
                 key_kind kind = key_kind::ec_p256, bool send_chain = false);

    /// A device certificate of `issuer` whose only subject attribute is the CN.
    files device(const std::string& cn, const issued& issuer);

    /// The serial of the last certificate `client` issued.
    std::uint64_t last_serial = 0;
};

} // namespace fleetmq::test
