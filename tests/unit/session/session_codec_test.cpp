#include "fleetmq/session/session_codec.hpp"

#include "sample_session.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace fleetmq;
using namespace fleetmq::session;
using protocol::qos;

namespace {

constexpr clock_reading written_at{5'000'000, 1'800'000'000'000};

std::vector<std::uint8_t> encoded(const session::session& s, clock_reading at = written_at) {
    std::vector<std::uint8_t> out;
    encode_session(s, at, out);
    return out;
}

} // namespace

TEST_CASE("session codec: a session with everything in it comes back the same") {
    const auto original = testing::sample_session(written_at.monotonic_ms);
    const auto bytes = encoded(original);
    auto back = decode_session(bytes, written_at);
    REQUIRE(back.error.empty());
    REQUIRE(back.value);
    const auto& s = *back.value;
    CHECK(s.client_id() == "dev-42");
    CHECK(s.identity() == original.identity());
    CHECK(s.expiry_interval() == 3600);
    CHECK(s.will_delay() == 30);
    CHECK(s.expires_at() == original.expires_at());
    CHECK(s.will_at() == original.will_at());
    REQUIRE(s.has_will());
    CHECK(s.will()->topic == "device/dev-42/status");
    CHECK(s.will()->payload == "offline");
    CHECK(std::vector<std::string>(s.subscriptions().begin(), s.subscriptions().end()) ==
          std::vector<std::string>{"$share/ops/device/+/alerts", "device/dev-42/commands"});
    CHECK(s.inflight_count() == 2);
    CHECK(s.waiting_count() == 2);
    CHECK(s.waiting_bytes() == original.waiting_bytes());
    CHECK(s.awaiting_release_count() == 2);
    CHECK(s.awaiting_release(9));
    const auto* next = s.next_waiting();
    REQUIRE(next != nullptr);
    CHECK(next->msg->properties.content_type == "application/json");
    CHECK(next->msg->properties.user_properties.size() == 1);
    CHECK(next->msg->properties.user_properties[0].value == "v");
    CHECK(next->ids.to_vector() == std::vector<std::uint32_t>{7, 11});
    // The same bytes again: nothing was lost or reordered.
    CHECK(encoded(s) == bytes);
}

TEST_CASE("session codec: deadlines keep their wall-clock meaning across a restart") {
    const auto original = testing::sample_session(written_at.monotonic_ms);
    const auto bytes = encoded(original);
    // Read 10 s later by a process whose monotonic clock started anew.
    const clock_reading later{2'000, written_at.wall_ms + 10'000};
    const auto back = decode_session(bytes, later);
    REQUIRE(back.value);
    const auto left_before = original.expires_at() - written_at.monotonic_ms;
    CHECK(back.value->expires_at() - later.monotonic_ms == left_before - 10'000);
    // A deadline that passed while it was stored is due at once, not forgotten.
    const clock_reading much_later{2'000, written_at.wall_ms + 7'200'000};
    const auto late = decode_session(bytes, much_later);
    REQUIRE(late.value);
    CHECK(late.value->due(much_later.monotonic_ms).expired);
    CHECK(late.value->due(much_later.monotonic_ms).will);
}

TEST_CASE("session codec: the packet id sequence and the QoS flows continue after a read") {
    auto back =
        decode_session(encoded(testing::sample_session(written_at.monotonic_ms)), written_at);
    REQUIRE(back.value);
    auto& s = *back.value;
    CHECK(s.on_pubrec(2, false) == ack_outcome::released); // QoS 2 sent before, PUBREC now
    CHECK(s.on_pubcomp(1) == ack_outcome::completed);      // released before it was written
    const auto [id, sent] = s.take_next_waiting();
    CHECK(id == 3); // after the last packet id written
    CHECK(s.release(4));
}

TEST_CASE("session codec: every truncation is refused with where it stopped") {
    const auto bytes = encoded(testing::sample_session(written_at.monotonic_ms));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const auto back = decode_session(std::span{bytes}.first(n), written_at);
        INFO("prefix of " << n << " bytes");
        REQUIRE_FALSE(back.value);
        REQUIRE_THAT(back.error, Catch::Contains("at byte"));
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK_THAT(decode_session(longer, written_at).error, Catch::Contains("trailing bytes"));
}

TEST_CASE("session codec: another format version is refused before anything else is read") {
    auto bytes = encoded(testing::sample_session(written_at.monotonic_ms));
    bytes[4] = 2;
    const auto back = decode_session(bytes, written_at);
    CHECK_FALSE(back.value);
    CHECK_THAT(back.error, Catch::Contains("format version 2, this build reads 1"));
    bytes[0] = 'X';
    CHECK_THAT(decode_session(bytes, written_at).error, Catch::Contains("not a session"));
}

TEST_CASE("session codec: hostile counts and values are refused without allocating for them") {
    session::session s{"d", auth::identity{"d", auth::role::device, "t"}};
    const auto bytes = encoded(s);
    // The subscription count sits right after the will flag; the input ends soon after it.
    const std::size_t subscriptions_at = bytes.size() - 16;
    auto hostile = bytes;
    hostile[subscriptions_at] = 0xFF; // about 4 billion subscriptions in 12 bytes
    decode_limits unbounded;
    unbounded.max_subscriptions = std::numeric_limits<std::size_t>::max();
    CHECK_THAT(decode_session(hostile, written_at, unbounded).error,
               Catch::Contains("too many subscriptions"));

    session::session over{"d", auth::identity{"d", auth::role::device, "t"}};
    REQUIRE(over.subscribe("a", 10) == subscribe_outcome::added);
    REQUIRE(over.subscribe("b", 10) == subscribe_outcome::added);
    decode_limits one;
    one.max_subscriptions = 1;
    CHECK_THAT(decode_session(encoded(over), written_at, one).error,
               Catch::Contains("too many subscriptions"));

    session::session bad_filter{"d", auth::identity{"d", auth::role::device, "t"}};
    REQUIRE(bad_filter.subscribe("a/#/b", 10) == subscribe_outcome::added); // not validated here
    CHECK_THAT(decode_session(encoded(bad_filter), written_at).error,
               Catch::Contains("invalid topic filter"));
}

TEST_CASE("session codec: a flipped byte anywhere never yields a broken session") {
    const auto bytes = encoded(testing::sample_session(written_at.monotonic_ms));
    std::size_t refused = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (const int flip : {0x01, 0x80, 0xFF}) {
            auto damaged = bytes;
            damaged[i] ^= static_cast<std::uint8_t>(flip);
            const auto back = decode_session(damaged, written_at);
            if (!back.value) {
                ++refused;
                REQUIRE_FALSE(back.error.empty());
                continue;
            }
            // Accepted (a payload byte, a time): it must be a session that writes and reads
            // back the same.
            const auto again = encoded(*back.value);
            INFO("byte " << i << " flipped by " << flip << ": "
                         << decode_session(again, written_at).error);
            REQUIRE(decode_session(again, written_at).value);
        }
    }
    CHECK(refused > bytes.size()); // most damage is seen
}
