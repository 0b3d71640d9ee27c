#include "core/tokenizer/byte_level.h"

#include <array>

#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

constexpr uint32_t extra_count = 68;  // bytes that do not stand for themselves

bool stands_for_itself(uint32_t byte) { return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE); }

struct ByteTable {
    std::array<uint32_t, 256> to_codepoint{};
    std::array<std::string, 256> to_utf8{};
    std::array<uint8_t, extra_count> extra_to_byte{};  // byte of U+0100 + i
    ByteTable() {
        uint32_t next_extra = 0;
        for (uint32_t byte = 0; byte < 256; ++byte) {
            if (stands_for_itself(byte)) {
                to_codepoint[byte] = byte;
            } else {
                extra_to_byte[next_extra] = static_cast<uint8_t>(byte);
                to_codepoint[byte] = 256 + next_extra++;
            }
            to_utf8[byte] = encode_utf8(to_codepoint[byte]);
        }
    }
};

const ByteTable& table() {
    static const ByteTable instance;  // immutable after construction
    return instance;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t byte) { return table().to_codepoint[byte]; }

std::optional<uint8_t> codepoint_to_byte(uint32_t cpt) {
    if (cpt < 256 && stands_for_itself(cpt)) return static_cast<uint8_t>(cpt);
    if (cpt < 256 || cpt >= 256 + extra_count) return std::nullopt;
    return table().extra_to_byte[cpt - 256];
}

std::string byte_level_encode(std::string_view bytes) {
    const ByteTable& bytes_table = table();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) out += bytes_table.to_utf8[static_cast<uint8_t>(c)];
    return out;
}

std::string byte_level_decode(std::string_view text) {
    std::string out;
    for (uint32_t cpt : decode_utf8(text)) {
        if (const auto byte = codepoint_to_byte(cpt)) {
            out += static_cast<char>(*byte);
        } else {
            append_utf8(out, cpt);
        }
    }
    return out;
}

}  // namespace hearth::tokenizer
