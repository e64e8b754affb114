#pragma once

#include "fleetmq/auth/certificate_facts.hpp"

#include <string>
#include <utility>
#include <vector>

namespace fleetmq::auth {

/// Which of a CA's certificates a trust entry takes: those whose subject has every listed
/// attribute (e.g. OU=Controller) and, if a prefix is given, a SAN URI starting with it. An
/// empty selector takes every certificate of the CA. With several entries for one CA, the
/// first whose selector matches wins, so that e.g. a vendor's controllers (OU=Controller) and
/// its devices can come from the same CA with different roles.
struct certificate_selector {
    /// (type, value): OpenSSL short names as in name_attribute ("O", "OU", ...), exact values.
    std::vector<std::pair<std::string, std::string>> subject;
    std::string san_uri_prefix;

    bool selects_all() const noexcept { return subject.empty() && san_uri_prefix.empty(); }
    bool matches(const certificate_facts& facts) const;
    /// True if every certificate this selects, `other` selects too (so an entry with `other`
    /// before one with this takes all of its certificates).
    bool within(const certificate_selector& other) const;
    /// "OU=Controller, SAN URI urn:acme:ctl:*", or "every certificate", for messages.
    std::string describe() const;

    bool operator==(const certificate_selector&) const = default;
};

} // namespace fleetmq::auth
