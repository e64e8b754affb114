#include "command_handler.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

extern char** environ;

namespace fleetmq::tools {
namespace {

constexpr std::size_t max_output = 64 * 1024;

command_outcome failed(std::string why) {
    return {false, "error: " + std::move(why)};
}

std::string json_escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out;
}

std::string info(const device_facts& facts) {
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - facts.started);
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
        facts.certificate_not_after - std::chrono::system_clock::now());
    return fmt::format(R"({{"device_id":"{}","uptime_seconds":{},"certificate_not_after":{},)"
                       R"("certificate_expires_in_days":{}}})",
                       json_escaped(facts.device_id), uptime.count(),
                       std::chrono::system_clock::to_time_t(facts.certificate_not_after),
                       left.count() / 86400);
}

/// Runs `program name` with `input` on stdin; its stdout within `time_limit`.
command_outcome run_external(const std::filesystem::path& program, const std::string& name,
                             const std::string& input, std::chrono::milliseconds time_limit) {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) {
        return failed(std::string{"cannot run the handler: "} + std::strerror(errno));
    }
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
        ::close(to_child[0]);
        ::close(to_child[1]);
        return failed(std::string{"cannot run the handler: "} + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // Its own process group: a time-out kills what it started too.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    std::string program_text = program.string();
    std::string name_text = name;
    std::array<char*, 3> argv{program_text.data(), name_text.data(), nullptr};
    pid_t child = -1;
    const int spawned =
        ::posix_spawn(&child, program_text.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (spawned != 0) {
        ::close(to_child[1]);
        ::close(from_child[0]);
        return failed(fmt::format("cannot run {}: {}", program_text, std::strerror(spawned)));
    }
    // The payload is small (a packet); a handler that does not read it gets EPIPE, not a hang.
    ::fcntl(to_child[1], F_SETFL, O_NONBLOCK);
    [[maybe_unused]] const auto written = ::write(to_child[1], input.data(), input.size());
    ::close(to_child[1]);

    std::string output;
    bool timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + time_limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{from_child[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        char buffer[4096];
        const auto n = ::read(from_child[0], buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        output.append(buffer, static_cast<std::size_t>(n));
        if (output.size() > max_output) {
            output.resize(max_output);
            break;
        }
    }
    ::close(from_child[0]);
    if (timed_out) {
        ::kill(-child, SIGKILL);
    }
    int status = 0;
    // Bounded: after the pipe closed (or the kill) the child ends promptly.
    ::waitpid(child, &status, 0);
    if (timed_out) {
        return failed(fmt::format("'{}' timed out after {} ms", name, time_limit.count()));
    }
    while (!output.empty() && output.back() == '\n') {
        output.pop_back();
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return failed(
            fmt::format("'{}' exited with {}{}{}", name, code, output.empty() ? "" : ": ", output));
    }
    return {true, output};
}

} // namespace

command_outcome run_command(const std::string& payload, const device_facts& facts,
                            const std::filesystem::path& external,
                            std::chrono::milliseconds time_limit) {
    const auto space = payload.find(' ');
    const auto name = payload.substr(0, space);
    const auto argument = space == std::string::npos ? std::string{} : payload.substr(space + 1);
    if (name == "ping") {
        return {true, "pong"};
    }
    if (name == "echo") {
        return {true, argument};
    }
    if (name == "info") {
        return {true, info(facts)};
    }
    if (name.empty()) {
        return failed("empty command");
    }
    if (external.empty()) {
        return failed(fmt::format("unknown command '{}' (built in: ping, echo, info; others need "
                                  "command_handler in the configuration)",
                                  name));
    }
    return run_external(external, name, payload, time_limit);
}

} // namespace fleetmq::tools
