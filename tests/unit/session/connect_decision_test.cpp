#include "fleetmq/session/connect_decision.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq;
using namespace fleetmq::session;
using protocol::protocol_version;
using protocol::reason_code;

namespace {

const auth::identity device{"d1", auth::role::device, "vendor-a"};
const connect_limits limits{1200, 3600, 32, 256 * 1024, 32};

connect_context context_for(const auth::identity* who, bool will_allowed = true) {
    return {who,
            "certificate expired",
            auth::client_id_rule::equal_to_id,
            "0-7",
            [will_allowed](std::string_view) { return will_allowed; },
            {}};
}

protocol::connect connect_v5(std::string_view client_id = "d1") {
    protocol::connect c;
    c.version = protocol_version::v5;
    c.client_id = client_id;
    c.keep_alive = 60;
    return c;
}

const connect_refused& refused(const connect_decision& d) {
    REQUIRE(std::holds_alternative<connect_refused>(d));
    return std::get<connect_refused>(d);
}

const connect_accepted& accepted(const connect_decision& d) {
    REQUIRE(std::holds_alternative<connect_accepted>(d));
    return std::get<connect_accepted>(d);
}

} // namespace

TEST_CASE("connect decision: no identity from the certificate, not authorized, counted") {
    const auto d = decide_connect(connect_v5(), context_for(nullptr), limits);
    CHECK(refused(d).code == reason_code::not_authorized);
    CHECK(refused(d).auth_failure == "certificate expired");
}

TEST_CASE(
    "connect decision: enhanced authentication is refused, the certificate is the credential") {
    auto c = connect_v5();
    c.properties.authentication_method = "SCRAM-SHA-1";
    const auto d = decide_connect(c, context_for(&device), limits);
    CHECK(refused(d).code == reason_code::bad_authentication_method);
    CHECK(refused(d).auth_failure == "authentication_method");
}

TEST_CASE("connect decision: another device's client id is refused and named for the log") {
    const auto d = decide_connect(connect_v5("d2"), context_for(&device), limits);
    CHECK(refused(d).code == reason_code::client_identifier_not_valid);
    CHECK(refused(d).client_id == "d2");
    CHECK(refused(d).auth_failure == "client_id_mismatch");
}

TEST_CASE("connect decision: 3.1.1 empty client id needs a clean session, 5.0 gets one assigned") {
    auto c = connect_v5("");
    c.version = protocol_version::v3_1_1;
    c.clean_start = false;
    CHECK(refused(decide_connect(c, context_for(&device), limits)).code ==
          reason_code::client_identifier_not_valid);

    const auto d = decide_connect(connect_v5(""), context_for(&device), limits);
    CHECK(accepted(d).client_id == "d1");
    CHECK(accepted(d).client_id_assigned);
    const auto connack = accept_connect(accepted(d), protocol_version::v5, false, limits);
    CHECK(connack.ack.properties.assigned_client_identifier == "d1");
}

TEST_CASE("connect decision: a will on a topic the ACL denies is refused, an allowed one kept") {
    auto c = connect_v5();
    c.will =
        protocol::will_message{"device/d1/status", "gone", protocol::qos::at_least_once, false, {}};
    c.will->properties.will_delay_interval = 30;
    CHECK(refused(decide_connect(c, context_for(&device, false), limits)).code ==
          reason_code::not_authorized);
    const auto d = decide_connect(c, context_for(&device), limits);
    REQUIRE(accepted(d).will != nullptr);
    CHECK(accepted(d).will->topic == "device/d1/status");
    CHECK(accepted(d).will_delay == 30);
    CHECK_FALSE(accepted(d).will->properties.will_delay_interval); // not for subscribers
}

TEST_CASE("connect decision: keep alive bounded and told, session expiry granted and told") {
    auto c = connect_v5();
    c.keep_alive = 0; // none asked: the broker's maximum, so a silent client is still noticed
    c.properties.session_expiry_interval = 86400;
    c.properties.receive_maximum = 5;
    const auto decision = decide_connect(c, context_for(&device), limits);
    const auto& a = accepted(decision);
    CHECK(a.keep_alive == 1200);
    CHECK(a.keep_alive_changed);
    CHECK(a.peer_receive_maximum == 5);
    const auto connack = accept_connect(a, protocol_version::v5, true, limits);
    CHECK(connack.ack.session_present);
    CHECK(connack.session_expiry == 3600);
    CHECK(connack.ack.properties.server_keep_alive == 1200);
    CHECK(connack.ack.properties.session_expiry_interval == 3600u);
    CHECK(connack.ack.properties.receive_maximum == 32);
}

TEST_CASE("connect decision: 3.1.1 clean session 0 keeps the session as long as allowed") {
    auto c = connect_v5();
    c.version = protocol_version::v3_1_1;
    c.clean_start = false;
    const auto decision = decide_connect(c, context_for(&device), limits);
    const auto& a = accepted(decision);
    CHECK(a.session_expiry_requested == 3600);
    CHECK_FALSE(a.keep_alive_changed);
    const auto connack = accept_connect(a, protocol_version::v3_1_1, false, limits);
    CHECK(connack.session_expiry == 3600);
    CHECK_FALSE(connack.ack.properties.receive_maximum); // 3.1.1 CONNACK has no properties
}
