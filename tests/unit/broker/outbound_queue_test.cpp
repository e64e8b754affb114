#include "outbound_queue.hpp"

#include <catch2/catch.hpp>

using fleetmq::broker::detail::out_chunk;
using fleetmq::broker::detail::outbound_queue;

namespace {

out_chunk own(std::uint8_t byte) {
    return {{byte}, nullptr};
}

} // namespace

TEST_CASE("the outbound queue is first in, first out, and empties completely") {
    outbound_queue q;
    CHECK(q.empty());
    q.push_back(own(1));
    q.push_back({{}, std::make_shared<const std::vector<std::uint8_t>>(3, std::uint8_t{2})});
    q.push_back(own(3));
    REQUIRE(q.size() == 3);
    CHECK(q.front().bytes()[0] == 1);
    CHECK(q[1].bytes().size() == 3);
    q.pop_front();
    CHECK(q.size() == 2);
    CHECK(q.front().bytes()[0] == 2);
    CHECK(q[1].bytes()[0] == 3);
    q.push_back(own(4)); // pushed while the head has moved
    q.pop_front();
    q.pop_front();
    CHECK(q.front().bytes()[0] == 4);
    q.pop_front();
    CHECK(q.empty());
    CHECK(q.size() == 0);
    q.push_back(own(5)); // usable again after emptying
    CHECK(q.front().bytes()[0] == 5);
}

TEST_CASE("a popped chunk lets go of shared bytes at once") {
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(10, std::uint8_t{7});
    outbound_queue q;
    q.push_back({{}, shared});
    q.push_back(own(1));
    CHECK(shared.use_count() == 2);
    q.pop_front();
    CHECK(shared.use_count() == 1);
}
