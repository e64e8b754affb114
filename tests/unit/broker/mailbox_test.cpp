#include "mailbox.hpp"
#include "message.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace fleetmq::broker::detail;
using fleetmq::protocol::qos;

namespace {

/// Small bounds, so that a test fills them with a handful of envelopes.
mailbox_bounds small() {
    mailbox_bounds b;
    b.ring_capacity = 4;
    b.drain_batch = 3;
    b.drop_at = 8;
    b.drop_at_bytes = 1U << 20U;
    b.pause_at = 4;
    b.pause_at_bytes = 1U << 20U;
    b.resume_at = 1;
    b.resume_at_bytes = 1U << 20U;
    return b;
}

message_ptr message_of(qos q, std::size_t payload = 10) {
    auto m = std::make_shared<message>();
    m->topic = "device/a-0001/responses";
    m->payload.assign(payload, 'x');
    m->qos = q;
    return m;
}

envelope delivery(std::uint64_t session, qos q = qos::at_most_once, std::size_t payload = 10) {
    return deliver_request{session, message_of(q, payload), q};
}

std::vector<std::uint64_t> drain_sessions(mailboxes& boxes, std::uint32_t to,
                                          bool* more = nullptr) {
    std::vector<std::uint64_t> got;
    const auto batch =
        boxes.drain(to, [&](envelope& e) { got.push_back(std::get<deliver_request>(e).session); });
    if (more != nullptr) {
        *more = batch.more;
    }
    return got;
}

} // namespace

TEST_CASE("mailbox: a full ring keeps envelopes in order and delivers them after a drain") {
    mailboxes boxes{2, small()};
    outbox out{boxes, 0};
    for (std::uint64_t i = 1; i <= 6; ++i) {
        const auto outcome = out.send(1, delivery(i));
        CHECK(outcome == (i <= 4 ? outbox::outcome::pushed : outbox::outcome::kept));
    }
    CHECK(boxes.depth(1) == 4);
    CHECK(out.kept_envelopes() == 2);
    CHECK(out.waiting());
    CHECK(drain_sessions(boxes, 1) == std::vector<std::uint64_t>{1, 2, 3});
    // a new envelope goes after the kept ones, never before them
    CHECK(out.send(1, delivery(7)) == outbox::outcome::pushed);
    CHECK(out.kept_envelopes() == 0);
    bool more = true;
    CHECK(drain_sessions(boxes, 1, &more) == std::vector<std::uint64_t>{4, 5, 6});
    CHECK(more);
    CHECK(drain_sessions(boxes, 1, &more) == std::vector<std::uint64_t>{7});
    CHECK_FALSE(more);
}

TEST_CASE("mailbox: a drain takes a bounded batch from each ring") {
    auto bounds = small();
    bounds.ring_capacity = 8;
    mailboxes boxes{3, bounds};
    outbox from0{boxes, 0};
    outbox from1{boxes, 1};
    for (std::uint64_t i = 0; i < 5; ++i) {
        from0.send(2, delivery(i));
        from1.send(2, delivery(100 + i));
    }
    bool more = false;
    const auto first = drain_sessions(boxes, 2, &more);
    CHECK(first == std::vector<std::uint64_t>{0, 1, 2, 100, 101, 102});
    CHECK(more);
    CHECK(drain_sessions(boxes, 2, &more) == std::vector<std::uint64_t>{3, 4, 103, 104});
    CHECK_FALSE(more);
}

TEST_CASE("mailbox: QoS 0 past the bound is dropped, QoS 1 is kept") {
    mailboxes boxes{2, small()};
    outbox out{boxes, 0};
    for (std::uint64_t i = 0; i < 4 + 8; ++i) {
        out.send(1, delivery(i)); // fills the ring (4), then the overflow up to its bound (8)
    }
    CHECK(out.kept(1).size() == 8);
    CHECK(out.send(1, delivery(99)) == outbox::outcome::dropped);
    CHECK(out.send(1, delivery(100, qos::at_least_once)) == outbox::outcome::kept);
    CHECK(out.kept(1).size() == 9);
}

TEST_CASE("mailbox: the byte bound drops large QoS 0 messages before the envelope bound") {
    auto bounds = small();
    bounds.drop_at_bytes = 3000;
    mailboxes boxes{2, bounds};
    outbox out{boxes, 0};
    for (std::uint64_t i = 0; i < 4; ++i) {
        out.send(1, delivery(i, qos::at_most_once, 1000)); // the ring
    }
    CHECK(out.send(1, delivery(4, qos::at_most_once, 1000)) == outbox::outcome::kept);
    CHECK(out.send(1, delivery(5, qos::at_most_once, 1000)) == outbox::outcome::kept);
    CHECK(out.send(1, delivery(6, qos::at_most_once, 1000)) == outbox::outcome::kept);
    CHECK(out.kept(1).bytes() >= 3000);
    CHECK(out.send(1, delivery(7, qos::at_most_once, 1000)) == outbox::outcome::dropped);
}

TEST_CASE("mailbox: congested past pause_at, calm again only at resume_at") {
    mailboxes boxes{2, small()};
    outbox out{boxes, 0};
    for (std::uint64_t i = 0; i < 4 + 3; ++i) {
        out.send(1, delivery(i));
    }
    CHECK_FALSE(out.congested()); // 3 kept, pause at 4
    out.send(1, delivery(7));
    CHECK(out.congested());
    CHECK_FALSE(out.calm());
    drain_sessions(boxes, 1);        // 3 taken from the ring
    out.flush([](std::uint32_t) {}); // 3 of the 4 kept move in
    CHECK(out.kept_envelopes() == 1);
    CHECK_FALSE(out.congested());
    CHECK(out.calm()); // down to resume_at (1)
    drain_sessions(boxes, 1);
    std::vector<std::uint32_t> woken;
    out.flush([&](std::uint32_t to) { woken.push_back(to); });
    CHECK(woken == std::vector<std::uint32_t>{1});
    CHECK_FALSE(out.waiting());
}

TEST_CASE("mailbox: discard and clear drop what waits") {
    mailboxes boxes{2, small()};
    outbox out{boxes, 0};
    for (std::uint64_t i = 0; i < 6; ++i) {
        out.send(1, delivery(i));
    }
    boxes.discard(1);
    out.clear();
    CHECK(boxes.depth(1) == 0);
    CHECK(out.kept_envelopes() == 0);
    CHECK(out.kept_bytes() == 0);
}
