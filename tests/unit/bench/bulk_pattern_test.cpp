#include "bulk_pattern.hpp"

#include <catch2/catch.hpp>

#include <vector>

using fleetmq::bench::bulk_pattern;

TEST_CASE("bulk pattern: the same message gives the same bytes, others differ") {
    std::vector<std::uint8_t> a(1000), b(1000), c(1000), d(1000);
    bulk_pattern::fill(1, 42, a);
    bulk_pattern::fill(1, 42, b);
    bulk_pattern::fill(1, 43, c);
    bulk_pattern::fill(2, 42, d);
    CHECK(a == b);
    CHECK(a != c);                                                     // another index
    CHECK(std::equal(a.begin() + 8, a.end(), d.begin() + 8) == false); // the other direction
    CHECK(bulk_pattern::index_of(a) == 42);
    CHECK(bulk_pattern::index_of(c) == 43);
}

TEST_CASE("bulk pattern: any single changed byte is seen") {
    std::vector<std::uint8_t> sent(333), check(333);
    bulk_pattern::fill(1, 7, sent);
    for (std::size_t at : {std::size_t{0}, std::size_t{8}, std::size_t{100}, std::size_t{332}}) {
        auto received = sent;
        received[at] ^= 0x01;
        bulk_pattern::fill(1, bulk_pattern::index_of(received), check);
        CHECK(check != received);
    }
}

TEST_CASE("bulk pattern: short payloads and the index bytes") {
    std::vector<std::uint8_t> tiny(5);
    bulk_pattern::fill(1, 0x0102030405ULL, tiny);
    CHECK(tiny == std::vector<std::uint8_t>{5, 4, 3, 2, 1});
    CHECK(bulk_pattern::index_of(tiny) == 0); // too short to carry an index
    std::vector<std::uint8_t> odd(19);
    bulk_pattern::fill(2, 9, odd); // a tail shorter than one word
    CHECK(bulk_pattern::index_of(odd) == 9);
}
