#include "session_registry.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace fleetmq;
using namespace fleetmq::broker::detail;

namespace {

/// What the registry asked of its shard, in order.
struct recorded_events final : session_events {
    std::vector<std::string> wills;  // topics published
    std::vector<std::string> ending; // client ids
    void will_due(hosted_session& s) override { wills.push_back(s.take_will()->topic); }
    void session_ending(hosted_session& s) override { ending.push_back(s.client_id()); }
};

const auth::identity device{"d1", auth::role::device, "vendor-a"};
const auth::identity impostor{"d2", auth::role::device, "vendor-a"};

message_ptr will_on(std::string topic) {
    auto m = std::make_shared<message>();
    m->topic = std::move(topic);
    m->payload = "gone";
    return m;
}

/// A connection for `client_id` that asks for its session to be kept `expiry` seconds, with a
/// will after `will_delay` seconds when `will` is set.
hosted_session& connect(session_registry& r, const std::string& client_id,
                        const auth::identity& who, std::uint32_t expiry, bool will = false,
                        std::uint32_t will_delay = 0) {
    auto& s = *r.open(client_id, who, false).session;
    s.set_expiry_interval(expiry);
    if (will) {
        s.set_will(will_on("device/" + client_id + "/status"), will_delay);
    }
    return s;
}

} // namespace

TEST_CASE("session registry: the same identity resumes its session, nothing is due while online") {
    recorded_events events;
    session_registry r{3, events};
    auto& first = connect(r, "d1", device, 60, true, 10);
    CHECK(first.ref.shard == 3);
    REQUIRE(r.went_offline(first, 1000));
    CHECK(r.scheduled() == 1);
    CHECK(r.next_due() == 11000); // the will's delay

    const auto again = r.open("d1", device, false);
    CHECK(again.present);
    CHECK(again.session == &first);
    CHECK(r.scheduled() == 0);
    CHECK(r.run_due(1'000'000) == 0); // online: neither the will nor the expiry
    CHECK(events.wills.empty());      // resumed in time: no will [MQTT-3.1.3-9]
    CHECK(r.size() == 1);
}

TEST_CASE(
    "session registry: a clean start or another identity ends the old session, will and all") {
    recorded_events events;
    session_registry r{0, events};
    auto& old = connect(r, "d1", device, 60, true, 30);
    const auto old_id = old.ref.id;
    REQUIRE(r.went_offline(old, 0));

    // A client id is not a credential: another certificate does not get d1's session.
    const auto taken = r.open("d1", impostor, false);
    CHECK_FALSE(taken.present);
    CHECK(taken.session->ref.id != old_id);
    CHECK(taken.session->identity() == impostor);
    CHECK(r.find(old_id) == nullptr);
    CHECK(events.wills == std::vector<std::string>{"device/d1/status"}); // ended before its delay
    CHECK(events.ending == std::vector<std::string>{"d1"});
    CHECK(r.find("d1") == taken.session);

    taken.session->set_expiry_interval(60);
    REQUIRE(r.went_offline(*taken.session, 0));
    const auto fresh = r.open("d1", impostor, true);
    CHECK_FALSE(fresh.present);
    CHECK(events.ending.size() == 2);
    CHECK(r.size() == 1);
    CHECK(r.scheduled() == 0);
}

TEST_CASE("session registry: without an expiry interval a session ends with its connection") {
    recorded_events events;
    session_registry r{0, events};
    auto& s = connect(r, "d1", device, 0, true);
    CHECK_FALSE(r.went_offline(s, 500));
    CHECK(r.find("d1") == nullptr);
    CHECK(r.size() == 0);
    CHECK(events.wills == std::vector<std::string>{"device/d1/status"});
    CHECK(events.ending == std::vector<std::string>{"d1"});
}

TEST_CASE("session registry: a will without delay goes at once, the session waits for its expiry") {
    recorded_events events;
    session_registry r{0, events};
    auto& s = connect(r, "d1", device, 5, true, 0);
    REQUIRE(r.went_offline(s, 1000));
    CHECK(events.wills.size() == 1);
    CHECK(r.next_due() == 6000);
    CHECK(r.run_due(5999) == 0);
    CHECK(r.run_due(6000) == 1);
    CHECK(events.wills.size() == 1); // not twice
    CHECK(events.ending == std::vector<std::string>{"d1"});
    CHECK(r.size() == 0);
    CHECK(r.scheduled() == 0);
}

TEST_CASE("session registry: a delayed will comes due first, then the expiry, each once") {
    recorded_events events;
    session_registry r{0, events};
    auto& s = connect(r, "d1", device, 60, true, 10);
    REQUIRE(r.went_offline(s, 1000));
    CHECK(r.run_due(10'999) == 0);
    CHECK(events.wills.empty());
    CHECK(r.run_due(11'000) == 0);
    CHECK(events.wills.size() == 1);
    CHECK(r.scheduled() == 1); // filed again under its expiry
    CHECK(r.next_due() == 61'000);
    CHECK(r.run_due(61'000) == 1);
    CHECK(events.wills.size() == 1);
    CHECK(r.size() == 0);
}

TEST_CASE("session registry: a will delayed past the expiry is published when the session ends") {
    recorded_events events;
    session_registry r{0, events};
    auto& s = connect(r, "d1", device, 5, true, 3600);
    REQUIRE(r.went_offline(s, 0));
    CHECK(r.next_due() == 5000); // no later than the expiry [MQTT-3.1.2-23 and 3.1.3.2.2]
    CHECK(r.run_due(5000) == 1);
    CHECK(events.wills.size() == 1);
    CHECK(r.size() == 0);
}

TEST_CASE("session registry: the timers stay one per offline session however often clients churn") {
    recorded_events events;
    session_registry r{0, events};
    for (std::uint64_t round = 0; round < 50; ++round) {
        for (int d = 0; d < 20; ++d) {
            const auto id = "d" + std::to_string(d);
            auto& s = *r.open(id, {id, auth::role::device, "vendor-a"}, false).session;
            s.set_expiry_interval(3600);
            REQUIRE(r.went_offline(s, round * 1000));
        }
    }
    CHECK(r.size() == 20);
    CHECK(r.scheduled() == 20);
    CHECK(r.run_due(49'000 + 3'600'000) == 20);
    CHECK(r.size() == 0);
    CHECK(r.scheduled() == 0);
}

TEST_CASE(
    "session registry: an adopted offline session keeps its deadlines and replaces a local one") {
    recorded_events events;
    session_registry r{1, events};
    auto& local = connect(r, "d1", device, 60);
    REQUIRE(r.went_offline(local, 0));

    // What the store or another node carries: an offline session with its deadlines.
    fleetmq::session::session carried{"d1", device};
    carried.set_expiry_interval(30);
    REQUIRE(carried.subscribe("device/d1/commands", 10) ==
            fleetmq::session::subscribe_outcome::added);
    carried.set_will(will_on("device/d1/status"), 10);
    REQUIRE_FALSE(carried.went_offline(2000).end_now);

    auto& adopted = r.adopt(std::move(carried));
    CHECK(events.ending == std::vector<std::string>{"d1"}); // the local one
    CHECK(r.size() == 1);
    CHECK(r.find("d1") == &adopted);
    CHECK(adopted.ref.shard == 1);
    CHECK(adopted.subscribed("device/d1/commands"));
    CHECK(r.next_due() == 12'000);
    CHECK(r.run_due(12'000) == 0);
    CHECK(events.wills == std::vector<std::string>{"device/d1/status"});
    CHECK(r.run_due(32'000) == 1);
    CHECK(r.size() == 0);
}

TEST_CASE("session registry: clearing drops every session without wills") {
    recorded_events events;
    session_registry r{0, events};
    auto& s = connect(r, "d1", device, 60, true, 10);
    REQUIRE(r.went_offline(s, 0));
    connect(r, "d2", impostor, 60);
    r.clear();
    CHECK(r.size() == 0);
    CHECK(r.scheduled() == 0);
    CHECK(events.wills.empty());
    CHECK(events.ending.empty());
}
