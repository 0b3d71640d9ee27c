#pragma once
// A whole string as a number (no sign tricks, spaces or trailing text), or nothing.
#include <charconv>
#include <optional>
#include <string_view>

namespace hearth::ui {

template <typename T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || stop != end) return std::nullopt;
    return value;
}

}  // namespace hearth::ui
