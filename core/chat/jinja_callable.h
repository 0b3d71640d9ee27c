#pragma once
// Things a template can call: built-in globals, bound str/dict methods, macros, caller().
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/chat/jinja_value.h"

namespace hearth::jinja {

class Interpreter;

struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;
};

class Callable {
public:
    virtual ~Callable() = default;
    virtual Value call(Interpreter& interp, CallArgs args) const = 0;
    virtual std::string repr() const = 0;
};

// Binds call arguments to a Python-style signature: each parameter may come by position or by
// name; finish() rejects what is left over, as Python raises TypeError.
class ArgReader {
public:
    ArgReader(std::string_view function, const CallArgs& args);

    const Value* get(std::size_t position, std::string_view name);  // nullptr when absent
    Value get_or(std::size_t position, std::string_view name, Value fallback);
    const Value& require(std::size_t position, std::string_view name);
    void finish() const;

private:
    std::string function_;
    const CallArgs& args_;
    std::vector<bool> keyword_used_;
    std::size_t positional_used_ = 0;
};

}  // namespace hearth::jinja
