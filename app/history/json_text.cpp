#include "app/history/json_text.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace hearth::history {

namespace {

// The deepest nesting of [ and { outside strings; a cheap scan that needs no valid JSON.
int nesting_depth(std::string_view text) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

}  // namespace

nlohmann::ordered_json parse_untrusted_json(std::string_view text, std::string_view what) {
    require(nesting_depth(text) <= max_json_nesting, ErrorKind::bad_request,
            std::string(what) + ": JSON nests deeper than " + std::to_string(max_json_nesting) + " levels");
    nlohmann::ordered_json value = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    require(!value.is_discarded(), ErrorKind::bad_request, std::string(what) + ": not valid JSON");
    return value;
}

}  // namespace hearth::history
