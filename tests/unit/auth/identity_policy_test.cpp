#include "fleetmq/auth/identity_policy.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fleetmq::auth;
using namespace std::string_literals;

namespace {

const std::vector<trust_policy> policies = {
    {"vendor-a", role::device, id_source::common_name, "", "a-"},
    {"vendor-b", role::device, id_source::common_name, "", "b-"},
    {"controllers", role::controller, id_source::common_name, "", ""},
    {"vendor-c", role::device, id_source::serial_number_attribute, "", ""},
    {"vendor-d", role::device, id_source::san_uri, "urn:fleet:device:", ""},
};

certificate_facts facts_with(std::vector<name_attribute> subject, std::size_t trust_entry) {
    certificate_facts facts;
    facts.subject = std::move(subject);
    facts.trust_entry = trust_entry;
    return facts;
}

identity_failure failure_of(const certificate_facts& facts) {
    const auto result = identity_from_certificate(facts, policies);
    REQUIRE(std::holds_alternative<identity_failure>(result));
    return std::get<identity_failure>(result);
}

} // namespace

TEST_CASE("the device id is the subject CN, with the trust entry's role and name") {
    const auto result = identity_from_certificate(
        facts_with({{"C", "DE"}, {"O", "Acme"}, {"OU", "thermostat"}, {"CN", "a-0042"}}, 0),
        policies);
    REQUIRE(std::holds_alternative<identity>(result));
    CHECK(std::get<identity>(result) == identity{"a-0042", role::device, "vendor-a"});

    const auto controller =
        identity_from_certificate(facts_with({{"CN", "dispatcher-1"}}, 2), policies);
    REQUIRE(std::holds_alternative<identity>(controller));
    CHECK(std::get<identity>(controller).role == role::controller);
}

TEST_CASE("exactly one CN") {
    CHECK(failure_of(facts_with({{"O", "Acme"}}, 0)) == identity_failure::id_missing);
    CHECK(failure_of(facts_with({{"CN", "a-1"}, {"CN", "a-2"}}, 0)) ==
          identity_failure::id_ambiguous);
    CHECK(failure_of(facts_with({{"CN", ""}}, 0)) == identity_failure::id_empty);
}

TEST_CASE("hostile CNs are refused, each with its reason") {
    CHECK(failure_of(facts_with({{"CN", "a-1\0b-2"s}}, 0)) == identity_failure::id_has_nul);
    CHECK(failure_of(facts_with({{"CN", "a-+"}}, 0)) == identity_failure::id_forbidden_character);
    CHECK(failure_of(facts_with({{"CN", "a-#"}}, 0)) == identity_failure::id_forbidden_character);
    CHECK(failure_of(facts_with({{"CN", "a-1/../2"}}, 0)) ==
          identity_failure::id_forbidden_character);
    CHECK(failure_of(facts_with({{"CN", "a-" + std::string(298, 'x')}}, 0)) ==
          identity_failure::id_too_long);
    CHECK(failure_of(facts_with({{"CN", "a-\xc0\x80"}}, 0)) == identity_failure::id_not_utf8);
    CHECK(failure_of(facts_with({{"CN", "a-\x1b[31m"}}, 0)) == identity_failure::id_not_utf8);
    CHECK_FALSE(check_device_id("a-" + std::string(126, 'x')));
    CHECK(check_device_id("a-" + std::string(127, 'x')) == identity_failure::id_too_long);
    CHECK_FALSE(check_device_id("capteur-\xc3\xa9t\xc3\xa9"));
}

TEST_CASE("a vendor's CA cannot mint ids in another vendor's namespace") {
    CHECK(failure_of(facts_with({{"CN", "a-0042"}}, 1)) == identity_failure::id_prefix_mismatch);
    CHECK(std::holds_alternative<identity>(
        identity_from_certificate(facts_with({{"CN", "b-0042"}}, 1), policies)));
    CHECK(failure_of(facts_with({{"CN", "b-1"}}, 9)) == identity_failure::unknown_trust_entry);
}

TEST_CASE("the id can come from the serialNumber attribute or a SAN URI") {
    const auto by_serial = identity_from_certificate(
        facts_with({{"CN", "Acme Sensor"}, {"serialNumber", "SN-778"}}, 3), policies);
    REQUIRE(std::holds_alternative<identity>(by_serial));
    CHECK(std::get<identity>(by_serial).id == "SN-778");

    auto facts = facts_with({{"CN", "ignored"}}, 4);
    facts.san_uris = {"https://acme.example/x", "urn:fleet:device:d-9"};
    const auto by_uri = identity_from_certificate(facts, policies);
    REQUIRE(std::holds_alternative<identity>(by_uri));
    CHECK(std::get<identity>(by_uri).id == "d-9");
    facts.san_uris.push_back("urn:fleet:device:d-10");
    CHECK(failure_of(facts) == identity_failure::id_ambiguous);
    facts.san_uris.clear();
    CHECK(failure_of(facts) == identity_failure::id_missing);
}

TEST_CASE("failure labels are stable") {
    CHECK(to_string(identity_failure::id_has_nul) == "id_has_nul");
    CHECK(to_string(identity_failure::id_prefix_mismatch) == "id_prefix_mismatch");
    CHECK(to_string(role::controller) == "controller");
}
