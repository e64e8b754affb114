#include "fleetmq/session/subscription_ids.hpp"

#include <catch2/catch.hpp>

using fleetmq::session::subscription_ids;

TEST_CASE("subscription ids: none, one inline, several in order without repeats") {
    subscription_ids ids;
    CHECK(ids.empty());
    CHECK(ids.to_vector().empty());
    ids.add(0); // 0 means the subscription has none
    CHECK(ids.empty());
    ids.add(7);
    CHECK(ids.to_vector() == std::vector<std::uint32_t>{7});
    ids.add(3);
    ids.add(7);
    ids.add(9);
    ids.add(3);
    CHECK(ids.to_vector() == std::vector<std::uint32_t>{7, 3, 9});
}

TEST_CASE("subscription ids: a copy shares the list it was given") {
    subscription_ids ids{1};
    ids.add(2);
    const auto copy = ids;
    CHECK(copy.to_vector() == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("subscription ids: merging another delivery's ids keeps the order, no repeats") {
    subscription_ids into{4};
    subscription_ids other{5};
    other.add(4);
    other.add(6);
    into.add(other);
    CHECK(into.to_vector() == std::vector<std::uint32_t>{4, 5, 6});
    into.add(subscription_ids{});
    CHECK(into.to_vector() == std::vector<std::uint32_t>{4, 5, 6});
}
