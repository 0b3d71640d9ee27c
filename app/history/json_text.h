#pragma once
// Parsing JSON text that comes from outside (imports, sampling settings) without trusting it.
#include <string_view>

#include <nlohmann/json.hpp>

namespace hearth::history {

// Nesting deeper than this is refused before parsing: the parser recurses once per level.
inline constexpr int max_json_nesting = 64;

// Parses `text`, keeping the order of object members; Error(bad_request, "<what>: ...") when
// it is not JSON or nests too deeply.
nlohmann::ordered_json parse_untrusted_json(std::string_view text, std::string_view what);

}  // namespace hearth::history
