#include "retained_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace fleetmq::broker::detail;

namespace {
message_ptr retained(const std::string& topic, const std::string& payload) {
    auto m = std::make_shared<message>();
    m->topic = topic;
    m->payload = payload;
    m->retain = true;
    return m;
}

std::vector<std::string> payloads(const retained_store& store, const std::string& filter) {
    std::vector<std::string> got;
    store.for_matching(filter, [&](const message_ptr& m) { got.push_back(m->payload); });
    std::sort(got.begin(), got.end());
    return got;
}
} // namespace

TEST_CASE("retained store: one message per topic, replaced, cleared by an empty payload") {
    retained_store store;
    CHECK(store.put(retained("a/1", "one"), 10) == retained_store::outcome::stored);
    CHECK(store.put(retained("a/1", "uno"), 10) == retained_store::outcome::replaced);
    CHECK(payloads(store, "a/1") == std::vector<std::string>{"uno"});
    CHECK(store.put(retained("a/1", ""), 10) == retained_store::outcome::cleared);
    CHECK(store.size() == 0);
    CHECK(payloads(store, "a/1").empty());
}

TEST_CASE("retained store: bounded in topics, replacing and clearing still work when full") {
    retained_store store;
    CHECK(store.put(retained("a/1", "one"), 2) == retained_store::outcome::stored);
    CHECK(store.put(retained("a/2", "two"), 2) == retained_store::outcome::stored);
    CHECK(store.put(retained("a/3", "three"), 2) == retained_store::outcome::full);
    CHECK(store.put(retained("a/2", "deux"), 2) == retained_store::outcome::replaced);
    CHECK(store.put(retained("a/1", ""), 2) == retained_store::outcome::cleared);
    CHECK(store.put(retained("a/3", "three"), 2) == retained_store::outcome::stored);
    CHECK(store.size() == 2);
}

TEST_CASE("retained store: a filter finds its topics, a wildcard several") {
    retained_store store;
    store.put(retained("device/a-0001/status", "1"), 10);
    store.put(retained("device/a-0002/status", "2"), 10);
    store.put(retained("device/a-0002/other", "3"), 10);
    store.put(retained("$SYS/broker", "sys"), 10);
    CHECK(payloads(store, "device/+/status") == std::vector<std::string>{"1", "2"});
    CHECK(payloads(store, "device/a-0002/#") == std::vector<std::string>{"2", "3"});
    CHECK(payloads(store, "device/a-0001/status") == std::vector<std::string>{"1"});
    CHECK(payloads(store, "#") == std::vector<std::string>{"1", "2", "3"}); // not $ topics
}
