// Writes the session fuzzer's seeds into the directory given: an offline session holding one
// of everything the format carries, the same session online (no deadlines), and a bare one.
#include "fleetmq/session/session_codec.hpp"
#include "sample_session.hpp"

#include <cstdio>
#include <fstream>
#include <string>

namespace {

using namespace fleetmq;

/// The clock the fuzzer reads with (tests/fuzz/session_codec_fuzz.cpp).
constexpr session::clock_reading now{5'000'000, 1'800'000'000'000};

void write_seed(const std::string& path, const session::session& s) {
    std::vector<std::uint8_t> bytes;
    session::encode_session(s, now, bytes);
    std::ofstream out{path, std::ios::binary};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    auto offline = testing::sample_session(now.monotonic_ms);
    write_seed(dir + "/offline", offline);
    offline.resumed();
    write_seed(dir + "/online", offline);
    write_seed(dir + "/bare",
               session::session{"d", auth::identity{"d", auth::role::controller, "ops"}});
    std::printf("wrote 3 session seeds to %s\n", dir.c_str());
    return 0;
}
