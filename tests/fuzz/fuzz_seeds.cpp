// Writes the fuzzer's seed corpus into the directory given: one file per sample packet of each
// version, fed whole and in 3-byte pieces, and one file of each version's whole stream.
#include "fleetmq/protocol/encode.hpp"
#include "fuzz_input.hpp"
#include "protocol_samples.hpp"

#include <cstdio>
#include <fstream>
#include <string>

namespace {

using namespace fleetmq::protocol;

void write_seed(const std::string& path, std::uint8_t control,
                const std::vector<std::uint8_t>& wire) {
    std::ofstream out{path, std::ios::binary};
    out.put(static_cast<char>(control));
    out.write(reinterpret_cast<const char*>(wire.data()),
              static_cast<std::streamsize>(wire.size()));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    int count = 0;
    for (auto version : {protocol_version::v3_1_1, protocol_version::v5}) {
        std::vector<std::uint8_t> stream;
        const auto name = std::string{version == protocol_version::v5 ? "v5" : "v311"};
        int index = 0;
        for (const auto& p : samples::all_packets(version)) {
            std::vector<std::uint8_t> wire;
            if (encode(p, version, wire).error) {
                std::fprintf(stderr, "sample %d of %s does not encode\n", index, name.c_str());
                return 1;
            }
            stream.insert(stream.end(), wire.begin(), wire.end());
            const auto base = dir + "/" + name + "-" + std::to_string(index++) + "-" +
                              std::string{to_string(type_of(p))};
            write_seed(base, fuzz::input::control_byte(version, 0), wire);
            write_seed(base + "-split", fuzz::input::control_byte(version, 3), wire);
            count += 2;
        }
        write_seed(dir + "/" + name + "-stream", fuzz::input::control_byte(version, 0), stream);
        ++count;
    }
    std::printf("wrote %d seeds to %s\n", count, dir.c_str());
    return 0;
}
