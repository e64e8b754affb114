// Fuzzes the session reader and checks the property the format must keep: a session it accepts
// writes again, and reads back from that to the same bytes. A crash, a sanitizer report, an
// allocation beyond the input's size or a broken round trip is a finding.
#include "fleetmq/session/session_codec.hpp"

#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace {

using namespace fleetmq::session;

[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "fuzz finding: %s\n", what);
    std::abort();
}

/// The clock the seeds were written with (tests/fuzz/session_seeds.cpp).
constexpr clock_reading now{5'000'000, 1'800'000'000'000};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto first = decode_session(std::span{data, size}, now);
    if (!first.value) {
        if (first.error.empty()) {
            finding("a refusal without a reason");
        }
        return 0;
    }
    std::vector<std::uint8_t> written;
    encode_session(*first.value, now, written);
    const auto second = decode_session(written, now);
    if (!second.value) {
        finding("an accepted session does not read back from its own encoding");
    }
    std::vector<std::uint8_t> again;
    encode_session(*second.value, now, again);
    if (again != written) {
        finding("a session read back encodes differently");
    }
    return 0;
}
