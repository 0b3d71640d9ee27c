#pragma once
// Global functions every render sees (range, namespace, dict, raise_exception, strftime_now)
// and the str/dict/list methods templates call, such as s.strip() or d.items().
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/chat/jinja_value.h"

namespace hearth::jinja {

inline constexpr std::int64_t kMaxRange = 100000;  // jinja2's sandbox limit

std::vector<std::pair<std::string, Value>> builtin_globals();

// The bound method receiver.name, or nullopt when the type has no such method. Methods that
// would mutate the receiver throw, as jinja2's immutable sandbox forbids them.
std::optional<Value> bound_method(const Value& receiver, std::string_view name);

}  // namespace hearth::jinja
