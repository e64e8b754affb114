#include "fleetmq/tls/config_error.hpp"
#include "fleetmq/tls/server_context.hpp"
#include "test_pki.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace fleetmq;
using namespace fleetmq::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream{path} << text;
}

} // namespace

TEST_CASE("a valid configuration builds a context") {
    test_pki pki;
    const auto context = tls::server_context::create(pki.config());
    CHECK(context->native_handle() != nullptr);
    CHECK(context->policies().size() == 3);
    CHECK(context->tickets() != nullptr);
}

TEST_CASE("configuration errors name the file and what is wrong") {
    test_pki pki;
    auto config = pki.config();

    SECTION("an unreadable certificate file") {
        config.certificate_file = pki.dir / "missing.pem";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("certificate_file " + (pki.dir / "missing.pem").string()) &&
                              Contains("cannot be read"));
    }
    SECTION("a key that does not match the certificate") {
        pki.vendor_a.write_key(pki.dir / "other.key");
        config.key_file = pki.dir / "other.key";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("other.key") && Contains("does not match certificate_file"));
    }
    SECTION("an expired server certificate") {
        certificate_spec spec;
        spec.subject = {{"CN", "old broker"}};
        spec.server = true;
        spec.not_before_offset = -48h;
        spec.not_after_offset = -1h;
        const auto old = issue(spec, &pki.root);
        old.write_certificate(pki.dir / "old.pem");
        old.write_key(pki.dir / "old.key");
        config.certificate_file = pki.dir / "old.pem";
        config.key_file = pki.dir / "old.key";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("old.pem") && Contains("expired on"));
    }
    SECTION("a missing CA file") {
        config.trust[1].ca_file = pki.dir / "vendor-z.pem";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("ca_file " + (pki.dir / "vendor-z.pem").string()) &&
                              Contains("cannot be read"));
    }
    SECTION("a CA file without a certificate") {
        write_text(pki.dir / "empty.pem", "nothing here\n");
        config.trust[0].ca_file = pki.dir / "empty.pem";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("empty.pem") && Contains("no certificate in it"));
    }
    SECTION("a CA file holding a device certificate") {
        const auto leaf = pki.device("a-1", pki.vendor_a);
        config.trust[0].ca_file = leaf.certificate;
        CHECK_THROWS_WITH(tls::server_context::create(config), Contains("is not a CA certificate"));
    }
    SECTION("an expired CA") {
        auto spec = ca_spec("Expired Vendor CA", 0);
        spec.not_before_offset = -48h;
        spec.not_after_offset = -1h;
        issue(spec, &pki.root).write_certificate(pki.dir / "expired-ca.pem");
        config.trust[0].ca_file = pki.dir / "expired-ca.pem";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("expired-ca.pem") && Contains("expired on"));
    }
    SECTION("a CRL of another CA") {
        write_crl(pki.dir / "b.crl", pki.vendor_b, {});
        config.trust[0].crl_file = pki.dir / "b.crl";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("crl_file") && Contains("not signed by a CA of ca_file"));
    }
    SECTION("an expired CRL") {
        write_crl(pki.dir / "a.crl", pki.vendor_a, {}, -1min);
        config.trust[0].crl_file = pki.dir / "a.crl";
        CHECK_THROWS_WITH(tls::server_context::create(config),
                          Contains("a.crl") && Contains("expired"));
    }
    SECTION("no trust entry") {
        config.trust.clear();
        CHECK_THROWS_WITH(tls::server_context::create(config), Contains("no trust entry"));
    }
    SECTION("cipher suites that name nothing usable") {
        config.ciphersuites = "TLS_NOT_A_SUITE";
        CHECK_THROWS_WITH(tls::server_context::create(config), Contains("TLS_NOT_A_SUITE"));
    }
}
