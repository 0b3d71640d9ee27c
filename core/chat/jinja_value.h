#pragma once
// Values of the Jinja subset used by chat templates, with the Python semantics that
// HF transformers' jinja2 rendering has: truthiness, ==, str() and repr().
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hearth::jinja {

// Raised by the interpreter's helpers; the statement that ran them turns it into a
// hearth::Error(bad_request) that names the template line.
class TemplateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Value;
class Callable;

// Containers are immutable once built (transformers renders in an immutable sandbox), so
// copies of a Value share them. Nesting depth is tracked so that hostile templates cannot
// build structures deep enough to overflow the stack when printed or destroyed.
struct List {
    std::vector<Value> items;
    bool is_tuple = false;  // prints as (a, b) instead of [a, b]
    int depth = 1;
};

struct Dict {
    std::vector<std::pair<std::string, Value>> entries;  // insertion order, unique keys
    int depth = 1;

    const Value* find(std::string_view key) const;
};

// The object behind namespace(): the one value a template may change in place.
struct Namespace {
    std::vector<std::pair<std::string, Value>> attrs;

    const Value* find(std::string_view key) const;
    void set(std::string_view key, Value value);
};

using ListPtr = std::shared_ptr<const List>;
using DictPtr = std::shared_ptr<const Dict>;
using NamespacePtr = std::shared_ptr<Namespace>;
using CallablePtr = std::shared_ptr<const Callable>;

inline constexpr int kMaxValueDepth = 128;

class Value {
public:
    enum class Kind { undefined, none, boolean, integer, floating, string, list, dict, ns, callable };

    Value() = default;  // undefined
    static Value undefined(std::string hint);
    static Value none();
    static Value boolean(bool b);
    static Value integer(std::int64_t i);
    static Value floating(double d);
    static Value string(std::string s);
    static Value list(std::vector<Value> items);  // throws TemplateError when nested too deep
    static Value tuple(std::vector<Value> items);
    static Value dict(std::vector<std::pair<std::string, Value>> entries);
    static Value from(ListPtr list);
    static Value from(DictPtr dict);
    static Value from(NamespacePtr ns);
    static Value from(CallablePtr callable);

    Kind kind() const { return static_cast<Kind>(data_.index()); }
    bool is(Kind k) const { return kind() == k; }
    bool is_undefined() const { return is(Kind::undefined); }
    bool is_none() const { return is(Kind::none); }
    bool is_string() const { return is(Kind::string); }
    bool is_number() const;  // bool, int or float, as Python's numbers.Number
    bool is_integral() const { return is(Kind::integer) || is(Kind::boolean); }

    bool as_bool() const { return std::get<bool>(data_); }
    std::int64_t as_int() const;  // bool or int
    double as_double() const;     // any number
    const std::string& as_string() const { return std::get<std::string>(data_); }
    const List& as_list() const { return *std::get<ListPtr>(data_); }
    const Dict& as_dict() const { return *std::get<DictPtr>(data_); }
    const ListPtr& list_ptr() const { return std::get<ListPtr>(data_); }
    const DictPtr& dict_ptr() const { return std::get<DictPtr>(data_); }
    const NamespacePtr& ns_ptr() const { return std::get<NamespacePtr>(data_); }
    const Callable& as_callable() const { return *std::get<CallablePtr>(data_); }
    const std::string& undefined_hint() const { return std::get<Undefined>(data_).hint; }

private:
    struct Undefined {
        std::string hint;  // the error a strict use reports, e.g. "'foo' is undefined"
    };
    struct None {};
    // Alternatives in the order of Kind: kind() is the variant's index.
    using Data = std::variant<Undefined, None, bool, std::int64_t, double, std::string, ListPtr,
                              DictPtr, NamespacePtr, CallablePtr>;
    explicit Value(Data data) : data_(std::move(data)) {}

    Data data_;
};

int value_depth(const Value& v);
bool truthy(const Value& v);
bool values_equal(const Value& a, const Value& b);  // Python ==
std::string to_str(const Value& v);                 // Python str(); undefined prints as ""
std::string to_repr(const Value& v);                // Python repr()
std::string type_name(const Value& v);              // Python type name for messages

// Throws the error a strict use of an undefined value raises ("'x' is undefined").
[[noreturn]] void fail_undefined(const Value& v);

}  // namespace hearth::jinja
