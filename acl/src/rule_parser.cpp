#include "fleetmq/acl/rule_set.hpp"

#include "fleetmq/protocol/topic.hpp"

#include <array>

namespace fleetmq::acl {
namespace {

constexpr std::string_view shipped_rules =
    R"(# fleetmq ACL: ordered rules, the first that applies decides; nothing applies: deny.
#   allow|deny  publish|subscribe|both  <pattern>  [role=<role>] [vendor=<trust entry>] [id=<id>]
# Placeholders (each a whole level): {id} {client_id} {vendor} {role}
#
# A deny before a wider allow carves out an exception ("everything except X"):
#   deny  subscribe  test/nosubscribe  role=controller
#   allow subscribe  #                 role=controller
# A SUBSCRIBE whose whole filter a deny covers is refused (0x87 in 5.0, 0x80 in 3.1.1). A filter
# that only overlaps a deny (`#` above) is granted, and the messages the deny covers are withheld
# from it at delivery, retained ones included; each is counted in fleetmq_acl_withheld_total.
# (Before this, a deny overlapping a later allow refused the whole wider filter.)

# A device receives its own commands and answers on its own response topic.
allow subscribe device/{id}/commands   role=device
allow publish   device/{id}/responses  role=device

# The controller commands any device and reads every response (shared subscriptions included).
allow publish   device/+/commands      role=controller
allow subscribe device/+/responses     role=controller
)";

class parser {
public:
    parser(std::string_view source, std::size_t line) : source_{source}, line_{line} {}

    [[noreturn]] void fail(const std::string& what) const {
        throw rule_error{std::string{source_} + ":" + std::to_string(line_) + ": " + what};
    }

    std::vector<rule_set::level> pattern(std::string_view text) const {
        if (protocol::split_shared_filter(text)) {
            fail("pattern '" + std::string{text} +
                 "': rules match the filter of a shared subscription; write it without $share/");
        }
        std::vector<rule_set::level> levels;
        std::string_view rest = text;
        for (bool more = true; more;) {
            const auto slash = rest.find('/');
            const auto part = rest.substr(0, slash);
            more = slash != std::string_view::npos;
            rest = more ? rest.substr(slash + 1) : std::string_view{};
            levels.push_back(level(part, text, !more));
        }
        return levels;
    }

    rule_set::level level(std::string_view part, std::string_view text, bool last) const {
        using kind = rule_set::level::kind;
        static constexpr std::array<std::pair<std::string_view, kind>, 4> placeholders{{
            {"{id}", kind::id},
            {"{client_id}", kind::client_id},
            {"{vendor}", kind::vendor},
            {"{role}", kind::role},
        }};
        for (const auto& [name, type] : placeholders) {
            if (part == name) {
                return {type, {}};
            }
        }
        if (part == "+") {
            return {kind::single, {}};
        }
        if (part == "#") {
            if (!last) {
                fail("pattern '" + std::string{text} + "': '#' must be the last level");
            }
            return {kind::multi, {}};
        }
        if (part.find_first_of("+#{}") != std::string_view::npos) {
            fail("pattern '" + std::string{text} + "': level '" + std::string{part} +
                 "' mixes text with a wildcard or placeholder; each must be a whole level "
                 "({id}, {client_id}, {vendor}, {role}, + or #)");
        }
        return {kind::literal, std::string{part}};
    }

    void selector(std::string_view token, rule_set::rule& r) const {
        const auto equals = token.find('=');
        if (equals == std::string_view::npos || equals + 1 == token.size()) {
            fail("selector '" + std::string{token} + "': expected role=, vendor= or id=<value>");
        }
        const auto key = token.substr(0, equals);
        const std::string value{token.substr(equals + 1)};
        if (key == "role") {
            if (value != "device" && value != "controller") {
                fail("role '" + value + "': a role is device or controller");
            }
            r.role = value;
        } else if (key == "vendor") {
            r.vendor = value;
        } else if (key == "id") {
            r.id = value;
        } else {
            fail("selector '" + std::string{token} + "': unknown key '" + std::string{key} +
                 "' (role, vendor or id)");
        }
    }

private:
    std::string_view source_;
    std::size_t line_;
};

std::vector<std::string_view> tokens_of(std::string_view line) {
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) {
            ++i;
        }
        const auto start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            ++i;
        }
        if (i > start) {
            tokens.push_back(line.substr(start, i - start));
        }
    }
    return tokens;
}

} // namespace

std::string_view rule_set::default_text() noexcept {
    return shipped_rules;
}

rule_set rule_set::defaults() {
    return parse(shipped_rules, "built-in default rules");
}

rule_set rule_set::parse(std::string_view text, std::string_view source) {
    rule_set set;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        const auto tokens = tokens_of(line);
        if (tokens.empty() || tokens.front().starts_with('#')) {
            continue;
        }
        const parser p{source, line_number};
        if (tokens.size() < 3) {
            p.fail("expected: allow|deny publish|subscribe|both <pattern> [selectors]");
        }
        rule r;
        r.line = line_number;
        if (tokens[0] == "allow" || tokens[0] == "deny") {
            r.allow = tokens[0] == "allow";
        } else {
            p.fail("unknown decision '" + std::string{tokens[0]} + "' (allow or deny)");
        }
        if (tokens[1] == "publish" || tokens[1] == "both") {
            r.publish = true;
        }
        if (tokens[1] == "subscribe" || tokens[1] == "both") {
            r.subscribe = true;
        }
        if (!r.publish && !r.subscribe) {
            p.fail("unknown action '" + std::string{tokens[1]} + "' (publish, subscribe or both)");
        }
        r.pattern = p.pattern(tokens[2]);
        for (std::size_t i = 3; i < tokens.size(); ++i) {
            p.selector(tokens[i], r);
        }
        set.rules_.push_back(std::move(r));
    }
    return set;
}

} // namespace fleetmq::acl
