#include "fleetmq/auth/identity_policy.hpp"
#include "handshake_harness.hpp"
#include "test_pki.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq;
using namespace fleetmq::test;
using namespace std::chrono_literals;

namespace {

struct resumption_fixture {
    test_pki pki;
    std::shared_ptr<const tls::server_context> context = tls::server_context::create(pki.config());
    handshake_server server{context, 2s};
    test_pki::files device = pki.device("a-0007", pki.vendor_a);
    std::uint64_t device_serial = pki.last_serial;

    client_options options() const {
        client_options o;
        o.certificate = device.certificate;
        o.key = device.key;
        o.server_ca = pki.dir / "root.pem";
        return o;
    }

    /// A full handshake whose session the next connection can resume.
    std::shared_ptr<void> first_session() {
        const auto first = run_client(server.port(), options());
        REQUIRE(first.handshake_ok);
        REQUIRE(first.received == "ok"); // the ticket arrived with it
        REQUIRE(first.session);
        const auto outcome = server.next_outcome();
        REQUIRE(outcome.succeeded);
        REQUIRE_FALSE(outcome.resumed);
        return first.session;
    }
};

} // namespace

TEST_CASE_METHOD(resumption_fixture, "a device resumes its session and keeps its identity") {
    auto o = options();
    o.session = first_session();
    const auto second = run_client(server.port(), o);
    CHECK(second.handshake_ok);
    CHECK(second.resumed);
    const auto outcome = server.next_outcome();
    REQUIRE(outcome.succeeded);
    CHECK(outcome.resumed);
    const auto identity = auth::identity_from_certificate(outcome.facts, context->policies());
    REQUIRE(std::holds_alternative<auth::identity>(identity));
    CHECK(std::get<auth::identity>(identity).id == "a-0007");
}

TEST_CASE_METHOD(resumption_fixture, "sessions survive a reload that changes no trust") {
    auto o = options();
    o.session = first_session();
    server.use_context(tls::server_context::create(pki.config(), context->tickets()));
    CHECK(run_client(server.port(), o).resumed);
    CHECK(server.next_outcome().resumed);
}

TEST_CASE_METHOD(resumption_fixture, "a session does not resume once its device is revoked") {
    auto o = options();
    o.session = first_session();
    write_crl(pki.dir / "vendor-a.crl", pki.vendor_a, {device_serial});
    auto config = pki.config();
    config.trust[0].crl_file = pki.dir / "vendor-a.crl";
    server.use_context(tls::server_context::create(config, context->tickets()));
    const auto second = run_client(server.port(), o);
    CHECK_FALSE(second.resumed);
    const auto outcome = server.next_outcome();
    CHECK_FALSE(outcome.succeeded);
    CHECK(outcome.failure == tls::handshake_failure::revoked);
}

TEST_CASE_METHOD(resumption_fixture, "resumption can be switched off") {
    auto config = pki.config();
    config.resumption = false;
    server.use_context(tls::server_context::create(config));
    auto o = options();
    const auto first = run_client(server.port(), o);
    REQUIRE(first.handshake_ok);
    REQUIRE(server.next_outcome().succeeded);
    o.session = first.session;
    CHECK_FALSE(run_client(server.port(), o).resumed);
    CHECK_FALSE(server.next_outcome().resumed);
}

TEST_CASE("ticket keys rotate, and the previous key still opens tickets") {
    tls::ticket_key_ring ring{std::chrono::hours{1}};
    const auto first = ring.current();
    CHECK(ring.current().name == first.name);
    ring.rotate();
    const auto second = ring.current();
    CHECK(second.name != first.name);
    auto found = ring.find(first.name);
    REQUIRE(found);
    CHECK_FALSE(found->second); // opens, but asks for a renewed ticket
    found = ring.find(second.name);
    REQUIRE(found);
    CHECK(found->second);
    ring.rotate();
    CHECK_FALSE(ring.find(first.name)); // two rotations later it is forgotten
}
