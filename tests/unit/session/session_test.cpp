#include "fleetmq/session/session.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace fleetmq;
using namespace fleetmq::session;
using protocol::qos;

namespace {

message_ptr message_of(std::string topic, std::size_t payload = 10) {
    auto m = std::make_shared<message>();
    m->topic = std::move(topic);
    m->payload.assign(payload, 'x');
    return m;
}

outgoing outgoing_of(qos q, std::size_t payload = 10) {
    return {message_of("device/d1/commands", payload), q, false, {}};
}

session::session device_session() {
    return session::session{"d1", auth::identity{"d1", auth::role::device, "vendor-a"}};
}

constexpr queue_bounds roomy{100, 1 << 20};

} // namespace

TEST_CASE("session: subscriptions are a set bounded by the maximum given") {
    auto s = device_session();
    CHECK(s.subscribe("device/d1/commands", 2) == subscribe_outcome::added);
    CHECK(s.subscribe("device/d1/commands", 2) == subscribe_outcome::existed);
    CHECK(s.subscribe("$share/g/device/+/x", 2) == subscribe_outcome::added);
    CHECK(s.subscribe("a/b", 2) == subscribe_outcome::full);
    // An existing filter is an update, not one more, even at the maximum.
    CHECK(s.subscribe("device/d1/commands", 2) == subscribe_outcome::existed);
    CHECK(s.subscriptions().size() == 2);
    CHECK(s.subscribed("$share/g/device/+/x"));
    CHECK_FALSE(s.subscribed("a/b"));
    CHECK(s.unsubscribe("device/d1/commands"));
    CHECK_FALSE(s.unsubscribe("device/d1/commands"));
    CHECK(s.subscribe("a/b", 2) == subscribe_outcome::added);
}

TEST_CASE("session: the waiting queue keeps its byte count and refuses what does not fit") {
    auto s = device_session();
    const queue_bounds bounds{3, 100};
    const auto size = session::session::size_of(outgoing_of(qos::at_least_once, 20));
    REQUIRE(size == 38);
    CHECK(s.enqueue(outgoing_of(qos::at_least_once, 20), bounds));
    CHECK(s.enqueue(outgoing_of(qos::at_least_once, 20), bounds));
    CHECK(s.waiting_bytes() == 76);
    CHECK_FALSE(s.enqueue(outgoing_of(qos::at_least_once, 20), bounds)); // 114 > 100 bytes
    CHECK(s.enqueue(outgoing_of(qos::at_most_once, 0), bounds));         // 18 bytes fit
    CHECK_FALSE(s.enqueue(outgoing_of(qos::at_most_once, 0), bounds));   // 4 > 3 messages
    CHECK(s.waiting_count() == 3);
    CHECK(s.waiting_bytes() == 94);
    s.drop_next_waiting();
    CHECK(s.waiting_bytes() == 56);
    const auto [id, first] = s.take_next_waiting();
    CHECK(id == 1);
    CHECK(first.qos == qos::at_least_once);
    const auto [zero, last] = s.take_next_waiting();
    CHECK(zero == 0); // QoS 0: no packet id, nothing kept in flight
    CHECK(s.waiting_count() == 0);
    CHECK(s.waiting_bytes() == 0);
    CHECK(s.inflight_count() == 1);
}

TEST_CASE("session: QoS 1 to the client ends at PUBACK, once") {
    auto s = device_session();
    REQUIRE(s.enqueue(outgoing_of(qos::at_least_once), roomy));
    const auto [id, sent] = s.take_next_waiting();
    CHECK(s.on_pubcomp(id) == ack_outcome::unknown); // not a QoS 2 exchange
    CHECK(s.on_pubrec(id, false) == ack_outcome::unknown);
    CHECK(s.on_puback(id) == ack_outcome::completed);
    CHECK(s.on_puback(id) == ack_outcome::unknown);
    CHECK(s.inflight_count() == 0);
}

TEST_CASE("session: QoS 2 to the client: PUBREC releases, PUBCOMP ends, a refusal ends early") {
    auto s = device_session();
    REQUIRE(s.enqueue(outgoing_of(qos::exactly_once), roomy));
    REQUIRE(s.enqueue(outgoing_of(qos::exactly_once), roomy));
    const auto first = s.take_next_waiting().first;
    const auto second = s.take_next_waiting().first;
    CHECK(first != second);
    CHECK(s.on_puback(first) == ack_outcome::unknown);
    CHECK(s.on_pubcomp(first) == ack_outcome::unknown); // PUBCOMP before PUBREC
    CHECK(s.on_pubrec(first, false) == ack_outcome::released);
    CHECK(s.on_pubrec(first, false) == ack_outcome::released); // a resent PUBREC: PUBREL again
    std::vector<std::pair<std::uint16_t, bool>> resend;
    s.for_each_inflight(
        [&](std::uint16_t id, const inflight_message& m) { resend.emplace_back(id, m.released); });
    CHECK(resend == std::vector<std::pair<std::uint16_t, bool>>{{first, true}, {second, false}});
    CHECK(s.on_pubcomp(first) == ack_outcome::completed);
    CHECK(s.on_pubrec(second, true) == ack_outcome::completed);
    CHECK(s.inflight_count() == 0);
}

TEST_CASE("session: packet ids skip those in flight and wrap from 65535 to 1") {
    auto s = device_session();
    const queue_bounds many{70000, std::size_t{1} << 30};
    std::uint16_t kept = 0;
    for (int i = 0; i < 65535; ++i) {
        REQUIRE(s.enqueue(outgoing_of(qos::at_least_once, 0), many));
        const auto id = s.take_next_waiting().first;
        REQUIRE(id != 0);
        if (i == 2) {
            kept = id; // stays in flight
        } else {
            REQUIRE(s.on_puback(id) == ack_outcome::completed);
        }
    }
    REQUIRE(kept == 3);
    REQUIRE(s.enqueue(outgoing_of(qos::at_least_once, 0), many));
    CHECK(s.take_next_waiting().first == 1); // after 65535
    REQUIRE(s.enqueue(outgoing_of(qos::at_least_once, 0), many));
    CHECK(s.take_next_waiting().first == 2);
    REQUIRE(s.enqueue(outgoing_of(qos::at_least_once, 0), many));
    CHECK(s.take_next_waiting().first == 4); // 3 is still in flight
}

TEST_CASE("session: QoS 2 from the client is awaited once, within its bound, until PUBREL") {
    auto s = device_session();
    CHECK(s.await_release(7, 2));
    CHECK(s.await_release(7, 2)); // a resend: still one
    CHECK(s.await_release(8, 2));
    CHECK_FALSE(s.await_release(9, 2));
    CHECK(s.awaiting_release(7));
    CHECK(s.awaiting_release_count() == 2);
    CHECK(s.release(7));
    CHECK_FALSE(s.release(7));
    CHECK_FALSE(s.awaiting_release(7));
}

TEST_CASE("session: offline deadlines: no expiry ends it, a will waits for its delay") {
    SECTION("no Session Expiry Interval: it ends with its connection") {
        auto s = device_session();
        s.set_will(message_of("device/d1/status"), 0);
        const auto plan = s.went_offline(1000);
        CHECK(plan.end_now);
    }
    SECTION("a will without delay is due at once, the session later") {
        auto s = device_session();
        s.set_expiry_interval(60);
        s.set_will(message_of("device/d1/status"), 0);
        const auto plan = s.went_offline(1000);
        CHECK_FALSE(plan.end_now);
        CHECK(plan.will_now);
        CHECK(s.expires_at() == 61000);
    }
    SECTION("a delayed will is due after its delay, never after the expiry") {
        auto s = device_session();
        s.set_expiry_interval(60);
        s.set_will(message_of("device/d1/status"), 10);
        CHECK_FALSE(s.went_offline(1000).will_now);
        CHECK(s.next_deadline() == 11000);
        CHECK_FALSE(s.due(10999).will);
        CHECK(s.due(11000).will);
        CHECK_FALSE(s.due(11000).expired);
        CHECK(s.take_will() != nullptr);
        CHECK(s.next_deadline() == 61000);
        CHECK(s.due(61000).expired);

        auto longer = device_session();
        longer.set_expiry_interval(5);
        longer.set_will(message_of("device/d1/status"), 3600);
        longer.went_offline(0);
        CHECK(longer.will_at() == 5000); // published when the session ends at the latest
    }
    SECTION("resumed in time: the will is not sent and nothing is due") {
        auto s = device_session();
        s.set_expiry_interval(60);
        s.set_will(message_of("device/d1/status"), 10);
        s.went_offline(1000);
        s.resumed();
        CHECK_FALSE(s.has_will());
        CHECK_FALSE(s.due(100000).will);
    }
}

TEST_CASE("session: an idle session holds no queue storage once compacted") {
    auto s = device_session();
    CHECK_FALSE(s.holds_queue_storage());
    REQUIRE(s.enqueue(outgoing_of(qos::at_least_once), roomy));
    const auto id = s.take_next_waiting().first;
    s.compact();
    CHECK(s.holds_queue_storage()); // one in flight
    REQUIRE(s.on_puback(id) == ack_outcome::completed);
    s.compact();
    CHECK_FALSE(s.holds_queue_storage());
    CHECK(s.on_puback(id) == ack_outcome::unknown);
    CHECK_FALSE(s.release(1));
    CHECK(s.waiting_count() == 0);
}
