#include "fleetmq/acl/rule_set.hpp"

#include "fleetmq/protocol/topic.hpp"

namespace fleetmq::acl {
namespace {

using level = rule_set::level;
using kind = level::kind;

/// The levels of a topic or filter, one at a time, without allocating.
class level_cursor {
public:
    explicit level_cursor(std::string_view text) : rest_{text}, more_{!text.empty()} {}

    bool more() const noexcept { return more_; }

    std::string_view next() noexcept {
        const auto slash = rest_.find('/');
        if (slash == std::string_view::npos) {
            more_ = false;
            return rest_;
        }
        const auto part = rest_.substr(0, slash);
        rest_.remove_prefix(slash + 1);
        return part;
    }

private:
    std::string_view rest_;
    bool more_;
};

/// A pattern level with its placeholder resolved for `who`. Placeholders whose value could
/// widen the pattern (empty, or holding + # /) leave the rule inapplicable.
struct resolved {
    kind type = kind::literal;
    std::string_view text;
    bool usable = true;
};

resolved resolve(const level& l, const subject& who) {
    const auto value = [&](std::string_view v) {
        const bool usable = !v.empty() && v.find_first_of("+#/") == std::string_view::npos;
        return resolved{kind::literal, v, usable};
    };
    switch (l.type) {
    case kind::id:
        return value(who.id);
    case kind::client_id:
        return value(who.client_id);
    case kind::vendor:
        return value(who.vendor);
    case kind::role:
        return value(auth::to_string(who.role));
    default:
        return {l.type, l.text, true};
    }
}

/// A filter level, classified.
resolved classify(std::string_view text) {
    if (text == "+") {
        return {kind::single, text, true};
    }
    if (text == "#") {
        return {kind::multi, text, true};
    }
    return {kind::literal, text, true};
}

bool is_dollar(std::string_view text) {
    return !text.empty() && text.front() == '$';
}

/// Is every topic the filter matches also matched by the pattern? For a topic name (no
/// wildcards) this is whether the pattern matches it. `usable` turns false if a placeholder of
/// the pattern cannot be used.
bool covers(const std::vector<level>& pattern, const subject& who, std::string_view filter,
            bool& usable) {
    level_cursor cursor{filter};
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const auto p = resolve(pattern[i], who);
        if (!p.usable) {
            usable = false;
            return false;
        }
        if (p.type == kind::multi) {
            return !(i == 0 && is_dollar(filter));
        }
        if (!cursor.more()) {
            return false;
        }
        const auto f = classify(cursor.next());
        if (f.type == kind::multi) {
            return false; // the filter reaches further than this pattern level
        }
        if (p.type == kind::single) {
            if (i == 0 && f.type == kind::literal && is_dollar(f.text)) {
                return false;
            }
            continue;
        }
        if (f.type != kind::literal || f.text != p.text) {
            return false;
        }
    }
    return !cursor.more();
}

/// Could some topic be matched by both the pattern and the filter?
bool overlaps(const std::vector<level>& pattern, const subject& who, std::string_view filter,
              bool& usable) {
    level_cursor cursor{filter};
    for (std::size_t i = 0;; ++i) {
        const bool pattern_left = i < pattern.size();
        if (!pattern_left || !cursor.more()) {
            if (!pattern_left && !cursor.more()) {
                return true;
            }
            if (!pattern_left) {
                return classify(cursor.next()).type == kind::multi; // "a/#" also matches "a"
            }
            return resolve(pattern[i], who).type == kind::multi;
        }
        const auto p = resolve(pattern[i], who);
        if (!p.usable) {
            usable = false;
            return false;
        }
        const auto f = classify(cursor.next());
        if (i == 0 && (p.type == kind::literal) != (f.type == kind::literal) &&
            is_dollar(p.type == kind::literal ? p.text : f.text)) {
            return false; // a wildcard first level never matches a '$' topic [MQTT-4.7.2-1]
        }
        if (p.type == kind::multi || f.type == kind::multi) {
            return true;
        }
        if (p.type == kind::single || f.type == kind::single) {
            continue;
        }
        if (p.text != f.text) {
            return false;
        }
    }
}

bool selects(const rule_set::rule& r, const subject& who) {
    return (r.role.empty() || r.role == auth::to_string(who.role)) &&
           (r.vendor.empty() || r.vendor == who.vendor) && (r.id.empty() || r.id == who.id);
}

} // namespace

const rule_set::rule* rule_set::first_matching(const subject& who, action what,
                                               std::string_view topic) const {
    for (const auto& r : rules_) {
        bool usable = true;
        // A topic name: "covers" is then "matches".
        if ((what == action::publish ? r.publish : r.subscribe) && selects(r, who) &&
            covers(r.pattern, who, topic, usable) && usable) {
            return &r;
        }
    }
    return nullptr;
}

verdict rule_set::check(const subject& who, action what, std::string_view topic) const {
    if (what == action::publish) {
        const auto* r = first_matching(who, action::publish, topic);
        return r != nullptr ? verdict{r->allow, r->line, false} : verdict{false, 0, false};
    }
    if (auto shared = protocol::split_shared_filter(topic)) {
        topic = shared->filter;
    }
    bool filtered = false;
    for (const auto& r : rules_) {
        if (!r.subscribe || !selects(r, who)) {
            continue;
        }
        bool usable = true;
        if (covers(r.pattern, who, topic, usable) && usable) {
            return {r.allow, r.line, r.allow && filtered};
        }
        // Only a deny rule that shares topics with the filter withholds some of its messages; an
        // allow rule covering part of it grants nothing the covering rule would not.
        usable = true;
        if (!r.allow && overlaps(r.pattern, who, topic, usable) && usable) {
            filtered = true;
        }
    }
    return {false, 0, false};
}

bool rule_set::delivers(const subject& who, std::string_view topic) const {
    const auto* r = first_matching(who, action::subscribe, topic);
    return r != nullptr && r->allow;
}

} // namespace fleetmq::acl
