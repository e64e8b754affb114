#include "router.hpp"

#include <catch2/catch.hpp>

using namespace fleetmq::broker::detail;
using fleetmq::protocol::qos;

namespace {

subscription_entry entry(session_ref who, qos q, std::uint32_t id, bool filtered = false) {
    subscription_entry e;
    e.who = who;
    e.qos = q;
    e.subscription_id = id;
    e.acl_filtered = filtered;
    return e;
}

const delivery* find(const std::vector<delivery>& all, session_ref who) {
    for (const auto& d : all) {
        if (d.who == who) {
            return &d;
        }
    }
    return nullptr;
}

} // namespace

TEST_CASE(
    "overlapping subscriptions of one session give one delivery at the highest QoS with every id") {
    router r;
    const session_ref device{0, 1};
    const session_ref other{1, 7};
    r.add("a/#", entry(device, qos::at_most_once, 1));
    r.add("a/b", entry(device, qos::at_least_once, 2));
    r.add("+/b", entry(device, qos::at_most_once, 0));
    r.add("a/b", entry(other, qos::exactly_once, 9));
    std::vector<delivery> out;
    r.match("a/b", session_ref{3, 3}, out);
    REQUIRE(out.size() == 2);
    const auto* mine = find(out, device);
    REQUIRE(mine != nullptr);
    CHECK(mine->qos == qos::at_least_once);
    auto ids = mine->ids.to_vector();
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::uint32_t>{1, 2});
    const auto* theirs = find(out, other);
    REQUIRE(theirs != nullptr);
    CHECK(theirs->qos == qos::exactly_once);
    CHECK(theirs->ids.to_vector() == std::vector<std::uint32_t>{9});

    r.match("a/c", session_ref{3, 3}, out); // cleared first, only a/# matches
    REQUIRE(out.size() == 1);
    CHECK(out[0].qos == qos::at_most_once);
    CHECK(out[0].ids.to_vector() == std::vector<std::uint32_t>{1});
}

TEST_CASE(
    "a merged delivery is checked by the ACL only if every matching subscription is filtered") {
    router r;
    const session_ref device{0, 1};
    r.add("#", entry(device, qos::at_most_once, 0, true));
    r.add("x/+", entry(device, qos::at_most_once, 0, true));
    std::vector<delivery> out;
    r.match("x/y", session_ref{3, 3}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].acl_filtered);

    r.add("x/y", entry(device, qos::at_most_once, 0, false)); // granted without exception
    r.match("x/y", session_ref{3, 3}, out);
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].acl_filtered);
}

TEST_CASE("No Local keeps a session's own messages from its subscriptions") {
    router r;
    const session_ref device{0, 1};
    auto own = entry(device, qos::at_least_once, 4);
    own.no_local = true;
    r.add("a/#", own);
    r.add("a/b", entry(device, qos::at_most_once, 5));
    std::vector<delivery> out;
    r.match("a/b", device, out);
    REQUIRE(out.size() == 1); // only the subscription without No Local
    CHECK(out[0].qos == qos::at_most_once);
    CHECK(out[0].ids.to_vector() == std::vector<std::uint32_t>{5});
    r.match("a/b", session_ref{2, 2}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].qos == qos::at_least_once);
}
