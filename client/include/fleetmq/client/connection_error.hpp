#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace fleetmq::client {

/// The step of a connection that failed: the doctor and the agent name it, and the hints of the
/// common-errors table depend on it.
enum class failure_stage { files, resolve, connect, tls, mqtt };

class connection_error : public std::runtime_error {
public:
    connection_error(failure_stage stage, const std::string& message)
        : std::runtime_error{message}, stage_{stage} {}
    failure_stage stage() const noexcept { return stage_; }

private:
    failure_stage stage_;
};

/// The common-errors table: what a failure message means and how to fix it, or an empty string
/// when the table has no entry for it.
std::string hint_for(std::string_view message);

} // namespace fleetmq::client
