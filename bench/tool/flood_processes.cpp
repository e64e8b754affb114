#include "flood_processes.hpp"

#include "process_sample.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fleetmq::bench {
namespace {

struct child {
    pid_t pid = -1;
    FILE* from = nullptr; // its report, line by line
    int release = -1;     // one byte: stop holding
};

/// Runs in the child: its slice, then its result as tab-separated lines on `out`.
[[noreturn]] void run_child(flood_options o, const device_identities& devices, int out,
                            int release) {
    FILE* report = ::fdopen(out, "w");
    o.broker_pid = 0;
    o.progress = false;
    o.on_all_settled = [report] {
        std::fputs("settled\n", report);
        std::fflush(report);
    };
    o.before_release = [release] {
        char go = 0;
        [[maybe_unused]] const auto n = ::read(release, &go, 1);
    };
    const auto r = run_flood(o, devices);
    std::fprintf(report, "established\t%zu\nlost\t%zu\nseconds\t%.6f\ncpu\t%.6f\n", r.established,
                 r.lost_while_held, r.connect_seconds, r.bench_cpu_seconds);
    for (const auto& [reason, n] : r.failures) {
        std::fprintf(report, "failure\t%s\t%zu\n", reason.c_str(), n);
    }
    std::fprintf(report, "tls\t%s\nconnack\t%s\nend\n", r.tls_micros.to_text().c_str(),
                 r.connack_micros.to_text().c_str());
    std::fflush(report);
    std::_Exit(0);
}

std::string read_line(FILE* in) {
    std::string line;
    for (int c = std::fgetc(in); c != EOF && c != '\n'; c = std::fgetc(in)) {
        line += static_cast<char>(c);
    }
    return line;
}

} // namespace

flood_result run_flood_in_processes(const flood_options& o, const device_identities& devices,
                                    unsigned processes) {
    flood_result total;
    total.attempted = o.connections;
    total.broker_rss_before = o.broker_pid != 0 ? resident_bytes(o.broker_pid) : 0;
    const cpu_meter cpu{o.broker_pid};
    std::vector<child> children;
    std::size_t first = 0;
    for (unsigned k = 0; k < processes; ++k) {
        const auto share = o.connections / processes + (k < o.connections % processes ? 1 : 0);
        int report[2];
        int release[2];
        if (::pipe(report) != 0 || ::pipe(release) != 0) {
            throw std::runtime_error{"cannot make pipes for --procs"};
        }
        std::fflush(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) {
            throw std::runtime_error{"cannot fork for --procs"};
        }
        if (pid == 0) {
            ::close(report[0]);
            ::close(release[1]);
            for (const auto& c : children) { // the earlier children's pipes are not ours
                std::fclose(c.from);
                ::close(c.release);
            }
            flood_options mine = o;
            mine.connections = share;
            mine.first_device = o.first_device + first;
            mine.source_offset = o.source_offset + k * o.to.sources;
            run_child(mine, devices, report[1], release[0]);
        }
        ::close(report[1]);
        ::close(release[0]);
        children.push_back({pid, ::fdopen(report[0], "r"), release[1]});
        first += share;
    }
    // Every process settled: the broker holds them all now.
    for (auto& c : children) {
        while (true) {
            const auto line = read_line(c.from);
            if (line == "settled" || std::feof(c.from)) {
                break;
            }
        }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.hold_seconds));
    total.broker_rss_after = o.broker_pid != 0 ? resident_bytes(o.broker_pid) : 0;
    total.broker_cpu_seconds = cpu.broker();
    for (auto& c : children) {
        const char go = 1;
        [[maybe_unused]] const auto n = ::write(c.release, &go, 1);
        ::close(c.release);
    }
    for (auto& c : children) {
        bool ended = false;
        while (!std::feof(c.from)) {
            const auto line = read_line(c.from);
            const auto tab = line.find('\t');
            const auto key = line.substr(0, tab);
            const auto value = tab == std::string::npos ? std::string{} : line.substr(tab + 1);
            if (key == "end") {
                ended = true;
                break;
            }
            if (key == "established") {
                total.established += std::stoull(value);
            } else if (key == "lost") {
                total.lost_while_held += std::stoull(value);
            } else if (key == "seconds") {
                total.connect_seconds = std::max(total.connect_seconds, std::stod(value));
            } else if (key == "cpu") {
                total.bench_cpu_seconds += std::stod(value);
            } else if (key == "failure") {
                const auto second = value.rfind('\t');
                total.failures[value.substr(0, second)] += std::stoull(value.substr(second + 1));
            } else if (key == "tls" || key == "connack") {
                if (const auto h = latency_histogram::from_text(value)) {
                    (key == "tls" ? total.tls_micros : total.connack_micros).merge(*h);
                }
            }
        }
        std::fclose(c.from);
        int status = 0;
        ::waitpid(c.pid, &status, 0);
        if (!ended || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ++total.failures["bench_process_failed"];
        }
    }
    return total;
}

} // namespace fleetmq::bench
