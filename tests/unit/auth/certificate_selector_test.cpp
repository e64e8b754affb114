#include "fleetmq/auth/certificate_selector.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::auth;

namespace {

certificate_facts facts(std::vector<name_attribute> subject, std::vector<std::string> uris = {}) {
    certificate_facts f;
    f.subject = std::move(subject);
    f.san_uris = std::move(uris);
    return f;
}

} // namespace

TEST_CASE("a selector takes the certificates with every attribute and URI prefix it names") {
    const certificate_selector all;
    const certificate_selector controllers{{{"OU", "Controller"}}, ""};
    const certificate_selector acme_ctl{{{"O", "Acme"}, {"OU", "Controller"}}, "urn:acme:ctl:"};
    const auto device = facts({{"O", "Acme"}, {"OU", "meter"}, {"CN", "a-1"}});
    const auto ctl =
        facts({{"O", "Acme"}, {"OU", "Controller"}, {"CN", "ops-1"}}, {"urn:acme:ctl:ops-1"});
    const auto ctl_no_uri = facts({{"O", "Acme"}, {"OU", "Controller"}, {"CN", "ops-2"}});
    CHECK(all.matches(device));
    CHECK_FALSE(controllers.matches(device));
    CHECK(controllers.matches(ctl));
    CHECK(acme_ctl.matches(ctl));
    CHECK_FALSE(acme_ctl.matches(ctl_no_uri));
    // Exact values: no case folding, no substrings.
    CHECK_FALSE(controllers.matches(facts({{"OU", "controller"}})));
    CHECK_FALSE(controllers.matches(facts({{"OU", "Controllers"}})));
    // Any of several OUs.
    CHECK(controllers.matches(facts({{"OU", "meter"}, {"OU", "Controller"}})));
}

TEST_CASE("a selector within another is shadowed by it") {
    const certificate_selector all;
    const certificate_selector controllers{{{"OU", "Controller"}}, ""};
    const certificate_selector acme_ctl{{{"O", "Acme"}, {"OU", "Controller"}}, "urn:acme:ctl:"};
    CHECK(controllers.within(all));
    CHECK(acme_ctl.within(controllers));
    CHECK(acme_ctl.within(acme_ctl));
    CHECK_FALSE(controllers.within(acme_ctl));
    CHECK_FALSE(all.within(controllers));
    CHECK(acme_ctl.within(certificate_selector{{}, "urn:acme:"}));
    CHECK(controllers.describe() == "OU=Controller");
    CHECK(all.describe() == "every certificate");
}
