#include "process_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fleetmq::bench {

std::size_t resident_bytes(pid_t pid) {
    std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::stoull(line.substr(6)) * 1024; // reported in kB
        }
    }
    return 0;
}

std::chrono::microseconds cpu_time(pid_t pid) {
    std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
    std::string text{std::istreambuf_iterator<char>{stat}, {}};
    // Fields after the command name, which is in parentheses and may hold spaces.
    std::istringstream rest{text.substr(text.rfind(')') + 2)};
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) {
            utime = std::stoull(field);
        } else if (i == 15) {
            stime = std::stoull(field);
        }
    }
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return std::chrono::microseconds{
        static_cast<long long>(static_cast<double>(utime + stime) * 1e6 / ticks)};
}

} // namespace fleetmq::bench
