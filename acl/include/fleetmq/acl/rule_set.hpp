#pragma once

#include "fleetmq/auth/identity.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fleetmq::acl {

/// Who asks: the connection's identity and its MQTT client id.
struct subject {
    std::string_view id;
    std::string_view client_id;
    std::string_view vendor;
    auth::role role = auth::role::device;
};

enum class action : std::uint8_t {
    publish,
    subscribe,
};

/// The answer, with the rule that gave it (for the log line that names the rule broken).
struct verdict {
    bool allowed = false;
    /// 1-based line of the deciding rule in its source; 0 when no rule matched (default deny).
    std::size_t line = 0;
    /// SUBSCRIBE only: granted, but a deny rule before the granting one covers some of the
    /// topics the filter matches, so each message delivered through it is checked with
    /// rule_set::delivers() first. False for the common case, which pays nothing per message.
    bool filtered = false;
};

/// A rule file that cannot be used: the message is "<source>:<line>: <what is wrong>".
class rule_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Ordered topic rules, default deny. Each line of a rule file is
///
///     allow|deny  publish|subscribe|both  <pattern>  [selector ...]
///
/// `<pattern>` is a topic filter whose levels may be placeholders: `{id}`, `{client_id}`,
/// `{vendor}`, `{role}`, each a whole level. Selectors restrict the rule to `role=<role>`,
/// `vendor=<trust entry>` or `id=<device id>` (all must hold); none means everyone. `#` starts
/// a comment.
///
/// PUBLISH (wills and retained messages included): the first rule for the subject and action
/// whose pattern matches the topic decides.
///
/// SUBSCRIBE, rules in order: a deny rule whose pattern covers the whole filter refuses it; an
/// allow rule whose pattern covers the whole filter grants it (a filter wider than the pattern,
/// like `device/+/commands` against `device/{id}/commands`, is not granted by it). A deny rule
/// that covers only part of the filter (`deny subscribe test/secret` before `allow subscribe #`,
/// and a subscription to `#` or `+/+`) does not refuse it: the filter is granted by the allow rule
/// after it, filtered, and a message is delivered through it only if delivers() says so, i.e. if
/// the first subscribe rule matching the message's topic allows it ("everything except X").
/// A shared subscription is checked by its filter part. No deciding rule: deny.
///
/// Rules are few and shared by every connection: a check walks them without allocating, and
/// costs the same for a fleet of ten devices or four million. Immutable; thread-safe.
class rule_set {
public:
    /// Parses rule text. `source` names it in errors (a file path). Throws rule_error.
    static rule_set parse(std::string_view text, std::string_view source);

    /// The shipped default: a device subscribes to `device/{id}/commands` and publishes to
    /// `device/{id}/responses`; a controller publishes to `device/+/commands` and subscribes to
    /// `device/+/responses`.
    static rule_set defaults();
    static std::string_view default_text() noexcept;

    verdict check(const subject& who, action what, std::string_view topic_or_filter) const;

    /// May a message on `topic` be delivered to `who` through a filtered subscription: the first
    /// subscribe rule matching the topic allows it.
    bool delivers(const subject& who, std::string_view topic) const;

    std::size_t size() const noexcept { return rules_.size(); }

    struct level {
        enum class kind : std::uint8_t { literal, single, multi, id, client_id, vendor, role };
        kind type = kind::literal;
        std::string text; // for literals
    };

    struct rule {
        bool allow = false;
        bool publish = false;
        bool subscribe = false;
        std::vector<level> pattern;
        std::string role;   // empty: any
        std::string vendor; // empty: any
        std::string id;     // empty: any
        std::size_t line = 0;
    };

private:
    /// The first `what` rule for `who` whose pattern matches the topic name `topic`, if any.
    const rule* first_matching(const subject& who, action what, std::string_view topic) const;

    std::vector<rule> rules_;
};

} // namespace fleetmq::acl
