#include "core/chat/jinja_callable.h"

#include <algorithm>

namespace hearth::jinja {

ArgReader::ArgReader(std::string_view function, const CallArgs& args)
    : function_(function), args_(args), keyword_used_(args.keyword.size(), false) {}

const Value* ArgReader::get(std::size_t position, std::string_view name) {
    positional_used_ = std::max(positional_used_, position + 1);
    const Value* found = nullptr;
    if (position < args_.positional.size()) found = &args_.positional[position];
    for (std::size_t i = 0; i < args_.keyword.size(); ++i) {
        if (args_.keyword[i].first != name) continue;
        if (found) {
            throw TemplateError(function_ + "() got multiple values for argument '" + std::string(name) + "'");
        }
        keyword_used_[i] = true;
        found = &args_.keyword[i].second;
    }
    return found;
}

Value ArgReader::get_or(std::size_t position, std::string_view name, Value fallback) {
    const Value* v = get(position, name);
    return v ? *v : std::move(fallback);
}

const Value& ArgReader::require(std::size_t position, std::string_view name) {
    const Value* v = get(position, name);
    if (!v) throw TemplateError(function_ + "() missing argument '" + std::string(name) + "'");
    return *v;
}

void ArgReader::finish() const {
    if (args_.positional.size() > positional_used_) {
        throw TemplateError(function_ + "() takes at most " + std::to_string(positional_used_) +
                            " positional argument(s)");
    }
    for (std::size_t i = 0; i < args_.keyword.size(); ++i) {
        if (!keyword_used_[i]) {
            throw TemplateError(function_ + "() got an unexpected keyword argument '" +
                                args_.keyword[i].first + "'");
        }
    }
}

}  // namespace hearth::jinja
