#include "fleetmq/protocol/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fleetmq::protocol;
using namespace std::string_literals;

TEST_CASE("well-formed UTF-8 is valid") {
    CHECK(check_utf8("") == utf8_verdict::valid);
    CHECK(check_utf8("device/42/commands") == utf8_verdict::valid);
    CHECK(check_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == utf8_verdict::valid);
    CHECK(check_utf8("\xef\xbb\xbf") == utf8_verdict::valid); // U+FEFF is allowed [MQTT-1.5.4-3]
    CHECK(check_utf8("\xf4\x8f\xbf\xbd") == utf8_verdict::valid); // U+10FFFD
}

TEST_CASE("U+0000 and ill-formed sequences are malformed [MQTT-1.5.4-1] [MQTT-1.5.4-2]") {
    CHECK(check_utf8("a\0b"s) == utf8_verdict::malformed);
    CHECK(check_utf8("\xc0\x80") == utf8_verdict::malformed);         // overlong NUL
    CHECK(check_utf8("\xc1\xbf") == utf8_verdict::malformed);         // overlong
    CHECK(check_utf8("\xe0\x80\xaf") == utf8_verdict::malformed);     // overlong '/'
    CHECK(check_utf8("\xf0\x82\x82\xac") == utf8_verdict::malformed); // overlong euro sign
    CHECK(check_utf8("\xed\xa0\x80") == utf8_verdict::malformed);     // U+D800 surrogate
    CHECK(check_utf8("\xed\xbf\xbf") == utf8_verdict::malformed);     // U+DFFF surrogate
    CHECK(check_utf8("\xf4\x90\x80\x80") == utf8_verdict::malformed); // U+110000
    CHECK(check_utf8("\xf8\x88\x80\x80\x80") == utf8_verdict::malformed);
    CHECK(check_utf8("\x80") == utf8_verdict::malformed);     // lone continuation byte
    CHECK(check_utf8("\xc3") == utf8_verdict::malformed);     // truncated
    CHECK(check_utf8("\xe2\x82") == utf8_verdict::malformed); // truncated
    CHECK(check_utf8("\xe2\x28\xa1") == utf8_verdict::malformed);
    CHECK(check_utf8("\xff") == utf8_verdict::malformed);
}

TEST_CASE("control characters and noncharacters are disallowed code points") {
    CHECK(check_utf8("a\x01z") == utf8_verdict::disallowed_code_point);
    CHECK(check_utf8("a\x1fz") == utf8_verdict::disallowed_code_point);
    CHECK(check_utf8("\x7f") == utf8_verdict::disallowed_code_point);
    CHECK(check_utf8("\xc2\x80") == utf8_verdict::disallowed_code_point);         // U+0080
    CHECK(check_utf8("\xc2\x9f") == utf8_verdict::disallowed_code_point);         // U+009F
    CHECK(check_utf8("\xef\xb7\x90") == utf8_verdict::disallowed_code_point);     // U+FDD0
    CHECK(check_utf8("\xef\xbf\xbf") == utf8_verdict::disallowed_code_point);     // U+FFFF
    CHECK(check_utf8("\xf0\x9f\xbf\xbe") == utf8_verdict::disallowed_code_point); // U+1FFFE
    CHECK(check_utf8("\xc2\xa0") == utf8_verdict::valid);                         // U+00A0
    // A malformed sequence after a disallowed code point is still malformed.
    CHECK(check_utf8("\x01\xc0\x80") == utf8_verdict::malformed);
}
