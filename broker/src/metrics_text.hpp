#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace fleetmq::broker::detail {

using label = std::pair<std::string_view, std::string_view>;

/// Writes the Prometheus text exposition format, version 0.0.4: a `# HELP` and `# TYPE` line per
/// family, then its samples. Label values and help texts are escaped as the format says; the
/// caller keeps each family's samples together and names them validly.
class metrics_text {
public:
    /// Starts a family; `type` is "counter", "gauge" or "histogram".
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, std::initializer_list<label> labels, std::uint64_t value);
    void sample(std::string_view name, std::initializer_list<label> labels, std::int64_t value);
    void sample(std::string_view name, std::initializer_list<label> labels, double value);
    /// A histogram's `_bucket` (cumulative, ending with le="+Inf"), `_sum` and `_count` lines.
    /// `counts[i]` is the number of observations in bucket i alone (not cumulative);
    /// `counts` has one more element than `bounds` (the +Inf bucket).
    void histogram(std::string_view name, std::initializer_list<label> labels,
                   std::span<const double> bounds, std::span<const std::uint64_t> counts,
                   double sum);

    const std::string& text() const noexcept { return out_; }
    std::string take() noexcept { return std::move(out_); }

private:
    void head(std::string_view name, std::string_view suffix, std::initializer_list<label> labels,
              std::string_view extra_name = {}, std::string_view extra_value = {});

    std::string out_;
};

} // namespace fleetmq::broker::detail
