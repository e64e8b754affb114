#include "fleetmq/protocol/utf8.hpp"

#include "swar.hpp"

#include <cstdint>

namespace fleetmq::protocol {
namespace {

bool is_control(char32_t cp) noexcept {
    return (cp >= 0x01 && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F);
}

// Unicode noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
bool is_noncharacter(char32_t cp) noexcept {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

bool is_continuation(std::uint8_t byte) noexcept {
    return (byte & 0xC0) == 0x80;
}

} // namespace

utf8_verdict check_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto* const end = p + text.size();
    auto verdict = utf8_verdict::valid;
    while (p != end) {
        // Printable ASCII, eight bytes at a time.
        if (end - p >= 8) {
            const auto word = detail::load_word(p);
            if ((word & detail::swar_highs) == 0 && detail::has_byte_below(word, 0x20) == 0 &&
                detail::has_byte(word, 0x7F) == 0) {
                p += 8;
                continue;
            }
        }
        const std::uint8_t lead = *p;
        if (lead < 0x80) {
            if (lead == 0) {
                return utf8_verdict::malformed;
            }
            if (lead < 0x20 || lead == 0x7F) {
                verdict = utf8_verdict::disallowed_code_point;
            }
            ++p;
            continue;
        }
        std::size_t length = 0;
        char32_t cp = 0;
        char32_t minimum = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            cp = lead & 0x1Fu;
            minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            cp = lead & 0x0Fu;
            minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            cp = lead & 0x07u;
            minimum = 0x10000;
        } else {
            return utf8_verdict::malformed;
        }
        if (static_cast<std::size_t>(end - p) < length) {
            return utf8_verdict::malformed;
        }
        for (std::size_t i = 1; i < length; ++i) {
            if (!is_continuation(p[i])) {
                return utf8_verdict::malformed;
            }
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if (cp < minimum || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return utf8_verdict::malformed;
        }
        if (is_control(cp) || is_noncharacter(cp)) {
            verdict = utf8_verdict::disallowed_code_point;
        }
        p += length;
    }
    return verdict;
}

} // namespace fleetmq::protocol
