#include "fleetmq/broker/log_escape.hpp"

#include <catch2/catch.hpp>

using fleetmq::broker::escape_for_log;

TEST_CASE("log escaping: a peer's string cannot split, forge or colour a line") {
    CHECK(escape_for_log("a-0001") == "a-0001");
    CHECK(escape_for_log("dispatcher/watch") == "dispatcher/watch");
    CHECK(escape_for_log("x\n2026-12-04 info connected: admin") ==
          "x\\n2026-12-04 info connected: admin");
    CHECK(escape_for_log("\r\t") == "\\r\\t");
    CHECK(escape_for_log("\x1b[31mred") == "\\x1b[31mred");
    CHECK(escape_for_log(std::string_view{"a\0b", 3}) == "a\\x00b");
    CHECK(escape_for_log("\x7f") == "\\x7f");
    CHECK(escape_for_log("back\\slash") == "back\\\\slash"); // so that "\n" above is unambiguous
}

TEST_CASE("log escaping: UTF-8 is kept, C1 controls and broken UTF-8 are escaped") {
    CHECK(escape_for_log("Zürich-温度-🙂") == "Zürich-温度-🙂");
    CHECK(escape_for_log("\xc2\x9b"
                         "31m") == "\\u009b31m");    // the one-byte CSI
    CHECK(escape_for_log("\xc2\xa0") == "\xc2\xa0"); // U+00A0 is text
    CHECK(escape_for_log("\xff\xfe") == "\\xff\\xfe");
    CHECK(escape_for_log("\xe2\x82") == "\\xe2\\x82");          // truncated
    CHECK(escape_for_log("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
    CHECK(escape_for_log("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // a surrogate
}
