#include "test_pki.hpp"

namespace fleetmq::test {

namespace {
certificate_spec server_spec() {
    certificate_spec spec;
    spec.subject = {{"CN", "broker.test"}};
    spec.server = true;
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1"};
    return spec;
}
} // namespace

test_pki::test_pki()
    : root{issue(ca_spec("Fleet Root CA", 1), nullptr)},
      vendor_a{issue(ca_spec("Vendor A CA", 0), &root)}, vendor_b{issue(ca_spec("Vendor B CA", 0),
                                                                        &root)},
      controllers{issue(ca_spec("Controller CA", 0), &root)}, server{issue(server_spec(), &root)} {
    root.write_certificate(dir / "root.pem");
    vendor_a.write_certificate(dir / "vendor-a.pem");
    vendor_b.write_certificate(dir / "vendor-b.pem");
    controllers.write_certificate(dir / "controllers.pem");
    server.write_certificate(dir / "server.pem");
    server.write_key(dir / "server.key");
}

tls::server_config test_pki::config() const {
    tls::server_config config;
    config.certificate_file = dir / "server.pem";
    config.key_file = dir / "server.key";
    config.trust = {
        {dir / "vendor-a.pem",
         std::nullopt,
         {"vendor-a", auth::role::device, auth::id_source::common_name, "", "a-"}},
        {dir / "vendor-b.pem",
         std::nullopt,
         {"vendor-b", auth::role::device, auth::id_source::common_name, "", "b-"}},
        {dir / "controllers.pem",
         std::nullopt,
         {"controllers", auth::role::controller, auth::id_source::common_name, "", ""}},
    };
    return config;
}

test_pki::files test_pki::client(const std::string& name, const certificate_spec& spec,
                                 const issued& issuer, key_kind kind, bool send_chain) {
    const auto certificate = issue(spec, &issuer, kind);
    files f{dir / (name + ".pem"), dir / (name + ".key")};
    certificate.write_certificate(f.certificate, send_chain ? std::vector<const issued*>{&issuer}
                                                            : std::vector<const issued*>{});
    certificate.write_key(f.key);
    last_serial = certificate.serial();
    return f;
}

test_pki::files test_pki::device(const std::string& cn, const issued& issuer) {
    certificate_spec spec;
    spec.subject = {{"CN", cn}};
    return client("device-" + std::to_string(last_serial + 1) + "-" + std::to_string(cn.size()),
                  spec, issuer);
}

} // namespace fleetmq::test
