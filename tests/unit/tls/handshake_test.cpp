// Real handshakes over loopback: the broker's TLS stream driven by Asio on one side, an OpenSSL
// client on the other, certificates made at test time. Each case asserts the server's reason.
#include "fleetmq/auth/identity_policy.hpp"
#include "handshake_harness.hpp"
#include "test_pki.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

#include <openssl/ssl.h>

using namespace fleetmq;
using namespace fleetmq::test;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

struct fixture {
    test_pki pki;
    std::shared_ptr<const tls::server_context> context = tls::server_context::create(pki.config());
    handshake_server server{context, 2s};

    client_options options_for(const test_pki::files& files) const {
        client_options options;
        options.certificate = files.certificate;
        options.key = files.key;
        options.server_ca = pki.dir / "root.pem";
        return options;
    }

    server_outcome connect(const client_options& options) {
        run_client(server.port(), options);
        return server.next_outcome();
    }

    server_outcome connect(const test_pki::files& files) { return connect(options_for(files)); }

    std::variant<auth::identity, auth::identity_failure> identity_of(const server_outcome& o) {
        return auth::identity_from_certificate(o.facts, context->policies());
    }

    auth::identity_failure identity_failure_of(const test_pki::files& files) {
        const auto outcome = connect(files);
        REQUIRE(outcome.succeeded); // TLS accepts it; the identity rules refuse it
        const auto identity = identity_of(outcome);
        REQUIRE(std::holds_alternative<auth::identity_failure>(identity));
        return std::get<auth::identity_failure>(identity);
    }
};

} // namespace

TEST_CASE_METHOD(fixture, "a valid device of each vendor, and a controller, get their identity") {
    const struct {
        const char* cn;
        const issued* ca;
        auth::identity expected;
    } cases[] = {
        {"a-0001", &pki.vendor_a, {"a-0001", auth::role::device, "vendor-a"}},
        {"b-0001", &pki.vendor_b, {"b-0001", auth::role::device, "vendor-b"}},
        {"dispatcher", &pki.controllers, {"dispatcher", auth::role::controller, "controllers"}},
    };
    for (const auto& c : cases) {
        INFO(c.cn);
        const auto outcome = connect(pki.device(c.cn, *c.ca));
        REQUIRE(outcome.succeeded);
        CHECK(outcome.failure == tls::handshake_failure::none);
        CHECK(outcome.version == "TLSv1.3");
        CHECK_FALSE(outcome.resumed);
        const auto identity = identity_of(outcome);
        REQUIRE(std::holds_alternative<auth::identity>(identity));
        CHECK(std::get<auth::identity>(identity) == c.expected);
    }
}

TEST_CASE_METHOD(fixture, "a device may send its leaf alone or with its intermediate") {
    certificate_spec spec;
    spec.subject = {{"C", "DE"}, {"O", "Acme"}, {"OU", "meter"}, {"CN", "a-0002"}};
    auto outcome = connect(pki.client("leaf-only", spec, pki.vendor_a));
    REQUIRE(outcome.succeeded);
    CHECK(outcome.facts.subject_values("OU") == std::vector<std::string>{"meter"});
    outcome = connect(pki.client("with-chain", spec, pki.vendor_a, key_kind::ec_p256, true));
    CHECK(outcome.succeeded);
}

TEST_CASE_METHOD(fixture, "an RSA-2048 device and TLS 1.2 are accepted") {
    certificate_spec spec;
    spec.subject = {{"CN", "a-rsa"}};
    auto options = options_for(pki.client("rsa", spec, pki.vendor_a, key_kind::rsa2048));
    auto outcome = connect(options);
    CHECK(outcome.succeeded);
    options.max_version = TLS1_2_VERSION;
    outcome = connect(options);
    REQUIRE(outcome.succeeded);
    CHECK(outcome.version == "TLSv1.2");
}

TEST_CASE_METHOD(fixture, "refusals carry their reason") {
    SECTION("no client certificate") {
        client_options options;
        options.server_ca = pki.dir / "root.pem";
        CHECK(connect(options).failure == tls::handshake_failure::no_client_certificate);
    }
    SECTION("a CA the broker does not know") {
        const auto other_root = issue(ca_spec("Other Root", 1), nullptr);
        const auto other_vendor = issue(ca_spec("Other Vendor", 0), &other_root);
        CHECK(connect(pki.device("a-0001", other_vendor)).failure ==
              tls::handshake_failure::unknown_ca);
    }
    SECTION("self-signed") {
        certificate_spec spec;
        spec.subject = {{"CN", "a-0001"}};
        const auto self_signed = issue(spec, nullptr);
        self_signed.write_certificate(pki.dir / "self.pem");
        self_signed.write_key(pki.dir / "self.key");
        CHECK(connect(test_pki::files{pki.dir / "self.pem", pki.dir / "self.key"}).failure ==
              tls::handshake_failure::self_signed);
    }
    SECTION("a CA certificate with clientAuth, issued by a trusted vendor CA") {
        auto spec = ca_spec("a-0001", -1);
        spec.key_usage = "critical,keyCertSign,digitalSignature";
        spec.extended_key_usage = "clientAuth";
        CHECK(connect(pki.client("leaf-ca", spec, pki.vendor_a)).failure ==
              tls::handshake_failure::leaf_is_ca);
    }
    SECTION("a leaf that is CA:FALSE but may sign certificates (keyCertSign)") {
        certificate_spec spec;
        spec.subject = {{"CN", "a-0001"}};
        spec.key_usage = "critical,digitalSignature,keyCertSign";
        CHECK(connect(pki.client("leaf-certsign", spec, pki.vendor_a)).failure ==
              tls::handshake_failure::leaf_is_ca);
    }
    SECTION("a server certificate (serverAuth only) used as a device") {
        certificate_spec spec;
        spec.subject = {{"CN", "a-0001"}};
        spec.server = true;
        CHECK(connect(pki.client("server-as-device", spec, pki.vendor_a)).failure ==
              tls::handshake_failure::wrong_purpose);
    }
    SECTION("a device under a CA that vendor A's pathlen:0 forbids") {
        const auto sub_ca = issue(ca_spec("Vendor A sub CA", -1), &pki.vendor_a);
        certificate_spec spec;
        spec.subject = {{"CN", "a-0001"}};
        const auto leaf = issue(spec, &sub_ca);
        leaf.write_certificate(pki.dir / "under-sub.pem", {&sub_ca});
        leaf.write_key(pki.dir / "under-sub.key");
        CHECK(connect(test_pki::files{pki.dir / "under-sub.pem", pki.dir / "under-sub.key"})
                  .failure == tls::handshake_failure::path_length_exceeded);
    }
    SECTION("a certificate forged under vendor A's name") {
        const auto impostor = issue(ca_spec("Vendor A CA", 0), nullptr);
        certificate_spec spec;
        spec.subject = {{"CN", "a-0001"}};
        spec.authority_key_id = false; // so the verifier finds the real vendor A CA by name
        CHECK(connect(pki.client("forged", spec, impostor)).failure ==
              tls::handshake_failure::bad_signature);
    }
    SECTION("expired") {
        certificate_spec spec;
        spec.subject = {{"CN", "a-old"}};
        spec.not_before_offset = -48h;
        spec.not_after_offset = -24h;
        CHECK(connect(pki.client("expired", spec, pki.vendor_a)).failure ==
              tls::handshake_failure::expired);
    }
    SECTION("not yet valid") {
        certificate_spec spec;
        spec.subject = {{"CN", "a-new"}};
        spec.not_before_offset = 24h;
        spec.not_after_offset = 48h;
        CHECK(connect(pki.client("future", spec, pki.vendor_a)).failure ==
              tls::handshake_failure::not_yet_valid);
    }
    SECTION("TLS 1.1") {
        auto options = options_for(pki.device("a-0001", pki.vendor_a));
        options.min_version = TLS1_1_VERSION;
        options.max_version = TLS1_1_VERSION;
        options.weak_security = true;
        CHECK(connect(options).failure == tls::handshake_failure::unsupported_protocol_version);
    }
    SECTION("plain MQTT sent to the TLS port") {
        CHECK(run_raw_client(server.port(), "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"s, 2s));
        CHECK(server.next_outcome().failure == tls::handshake_failure::not_tls);
    }
    SECTION("a client that says nothing is dropped at the handshake timeout") {
        CHECK(run_raw_client(server.port(), "", 5s));
        const auto outcome = server.next_outcome();
        CHECK(outcome.failure == tls::handshake_failure::timeout);
    }
}

TEST_CASE_METHOD(fixture, "a CRL refuses the certificates it lists, and only those") {
    const auto kept = pki.device("a-kept", pki.vendor_a);
    const auto kept_serial = pki.last_serial;
    const auto revoked = pki.device("a-revoked", pki.vendor_a);
    write_crl(pki.dir / "vendor-a.crl", pki.vendor_a, {pki.last_serial});
    auto config = pki.config();
    config.trust[0].crl_file = pki.dir / "vendor-a.crl";
    const auto with_crl = tls::server_context::create(config);
    server.use_context(with_crl);
    CHECK(kept_serial != pki.last_serial);
    // The same answer for a connected device's serial (upper-case hex), after a reload.
    const auto hex = [](std::uint64_t serial) {
        char text[32];
        std::snprintf(text, sizeof text, "%llX", static_cast<unsigned long long>(serial));
        return std::string{text};
    };
    CHECK(with_crl->is_revoked(0, hex(pki.last_serial)));
    CHECK_FALSE(with_crl->is_revoked(0, hex(kept_serial)));
    CHECK_FALSE(with_crl->is_revoked(1, hex(pki.last_serial))); // vendor B has no CRL
    CHECK_FALSE(with_crl->is_revoked(0, "not hex"));
    CHECK(connect(kept).succeeded);
    CHECK(connect(revoked).failure == tls::handshake_failure::revoked);
    // Vendor B has no CRL configured: its devices are not refused for lack of one.
    CHECK(connect(pki.device("b-0001", pki.vendor_b)).succeeded);
}

TEST_CASE_METHOD(fixture, "hostile CNs pass TLS but yield no identity") {
    CHECK(identity_failure_of(pki.client("two-cns", {{{"CN", "a-1"}, {"CN", "a-2"}}},
                                         pki.vendor_a)) == auth::identity_failure::id_ambiguous);
    CHECK(identity_failure_of(pki.device("a-1\0b-2"s, pki.vendor_a)) ==
          auth::identity_failure::id_has_nul);
    CHECK(identity_failure_of(pki.device("a-+", pki.vendor_a)) ==
          auth::identity_failure::id_forbidden_character);
    CHECK(identity_failure_of(pki.device("a-#", pki.vendor_a)) ==
          auth::identity_failure::id_forbidden_character);
    CHECK(identity_failure_of(pki.device("a-1/commands", pki.vendor_a)) ==
          auth::identity_failure::id_forbidden_character);
    CHECK(identity_failure_of(pki.device("a-" + std::string(298, 'x'), pki.vendor_a)) ==
          auth::identity_failure::id_too_long);
    // Vendor B's CA minting an id in vendor A's namespace.
    CHECK(identity_failure_of(pki.device("a-0001", pki.vendor_b)) ==
          auth::identity_failure::id_prefix_mismatch);
}

TEST_CASE_METHOD(fixture, "ALPN mqtt is accepted but not required") {
    auto options = options_for(pki.device("a-0001", pki.vendor_a));
    options.alpn = {"x-other", "mqtt"};
    auto outcome = connect(options);
    REQUIRE(outcome.succeeded);
    CHECK(outcome.alpn == "mqtt");
    options.alpn = {"x-other"};
    outcome = connect(options);
    REQUIRE(outcome.succeeded);
    CHECK(outcome.alpn.empty());
}

TEST_CASE_METHOD(fixture, "the peer's facts are extracted once, as plain data") {
    certificate_spec spec;
    spec.subject = {{"O", "Acme"}, {"CN", "a-facts"}};
    spec.uris = {"urn:fleet:device:a-facts"};
    const auto outcome = connect(pki.client("facts", spec, pki.vendor_a));
    REQUIRE(outcome.succeeded);
    CHECK(outcome.facts.trust_entry == 0);
    CHECK(outcome.facts.issuer == "CN=Vendor A CA,O=fleetmq test");
    CHECK(outcome.facts.san_uris == std::vector<std::string>{"urn:fleet:device:a-facts"});
    CHECK_FALSE(outcome.facts.serial.empty());
    const auto left = outcome.facts.not_after - std::chrono::system_clock::now();
    CHECK(left > 24h * 364);
    CHECK(left < 24h * 366);
}

TEST_CASE_METHOD(fixture, "a clean close and a truncated stream are told apart") {
    auto options = options_for(pki.device("a-0001", pki.vendor_a));
    REQUIRE(connect(options).succeeded);
    CHECK(server.next_end() == tls::io_status::closed);
    options.abrupt_close = true;
    REQUIRE(connect(options).succeeded);
    CHECK(server.next_end() == tls::io_status::truncated);
}
