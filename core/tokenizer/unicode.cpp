#include "core/tokenizer/unicode.h"

#include <algorithm>
#include <array>

namespace hearth::tokenizer {
namespace {

// Categories of the 128 ASCII code points, computed once from the generated ranges so the
// common case skips the binary search.
struct AsciiCategories {
    std::array<Category, 128> table{};
    AsciiCategories() {
        for (size_t i = 0; i < unicode_data::category_range_count; ++i) {
            const auto& range = unicode_data::category_ranges[i];
            for (uint32_t cpt = range.first; cpt <= range.last && cpt < 128; ++cpt) table[cpt] = range.category;
        }
    }
};

Category lookup_category(uint32_t cpt) {
    const auto* begin = unicode_data::category_ranges;
    const auto* end = begin + unicode_data::category_range_count;
    const auto* it = std::upper_bound(begin, end, cpt,
                                      [](uint32_t value, const unicode_data::CategoryRange& range) { return value < range.first; });
    if (it == begin) return Category::other;
    --it;
    return cpt <= it->last ? it->category : Category::other;
}

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

Category category_of(uint32_t cpt) {
    static const AsciiCategories ascii;  // immutable after construction
    if (cpt < 128) return ascii.table[cpt];
    return lookup_category(cpt);
}

bool is_whitespace(uint32_t cpt) {
    const auto* begin = unicode_data::whitespace;
    const auto* end = begin + unicode_data::whitespace_count;
    return std::binary_search(begin, end, cpt);
}

uint32_t to_lower(uint32_t cpt) {
    const auto* begin = unicode_data::lowercase_runs;
    const auto* end = begin + unicode_data::lowercase_run_count;
    const auto* it = std::upper_bound(begin, end, cpt,
                                      [](uint32_t value, const unicode_data::LowercaseRun& run) { return value < run.first; });
    if (it == begin) return cpt;
    --it;
    if (cpt > it->last || (cpt - it->first) % it->stride != 0) return cpt;
    return static_cast<uint32_t>(static_cast<int64_t>(cpt) + it->delta);
}

size_t utf8_length_from_lead(uint8_t lead) {
    static constexpr std::array<uint8_t, 16> lengths = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lengths[lead >> 4];
}

std::vector<uint32_t> decode_utf8(std::string_view text) {
    std::vector<uint32_t> out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        const auto lead = static_cast<uint8_t>(text[pos]);
        size_t length = 0;
        uint32_t cpt = 0;
        if (lead < 0x80) {
            length = 1;
            cpt = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            cpt = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            cpt = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            cpt = lead & 0x07;
        }
        bool valid = length > 0 && pos + length <= text.size();
        for (size_t i = 1; valid && i < length; ++i) {
            const auto byte = static_cast<uint8_t>(text[pos + i]);
            valid = is_continuation(byte);
            cpt = (cpt << 6) | (byte & 0x3F);
        }
        if (!valid || cpt > max_codepoint) {
            out.push_back(replacement_char);
            ++pos;
            continue;
        }
        out.push_back(cpt);
        pos += length;
    }
    return out;
}

void append_utf8(std::string& out, uint32_t cpt) {
    if (cpt < 0x80) {
        out += static_cast<char>(cpt);
    } else if (cpt < 0x800) {
        out += static_cast<char>(0xC0 | (cpt >> 6));
        out += static_cast<char>(0x80 | (cpt & 0x3F));
    } else if (cpt < 0x10000) {
        out += static_cast<char>(0xE0 | (cpt >> 12));
        out += static_cast<char>(0x80 | ((cpt >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cpt & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cpt >> 18));
        out += static_cast<char>(0x80 | ((cpt >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cpt >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cpt & 0x3F));
    }
}

std::string encode_utf8(uint32_t cpt) {
    std::string out;
    append_utf8(out, cpt);
    return out;
}

Utf8Sequence scan_utf8_sequence(std::string_view bytes) {
    using Kind = Utf8Sequence::Kind;
    const auto lead = static_cast<uint8_t>(bytes[0]);
    if (lead < 0x80) return {Kind::complete, 1};
    size_t length = 0;
    uint8_t second_min = 0x80;
    uint8_t second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong
        if (lead == 0xED) second_max = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong
        if (lead == 0xF4) second_max = 0x8F;  // past U+10FFFF
    } else {
        return {Kind::invalid, 1};
    }
    for (size_t i = 1; i < length; ++i) {
        if (i == bytes.size()) return {Kind::incomplete, i};
        const auto byte = static_cast<uint8_t>(bytes[i]);
        const uint8_t low = i == 1 ? second_min : 0x80;
        const uint8_t high = i == 1 ? second_max : 0xBF;
        if (byte < low || byte > high) return {Kind::invalid, i};
    }
    return {Kind::complete, length};
}

}  // namespace hearth::tokenizer
