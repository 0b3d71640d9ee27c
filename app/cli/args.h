#pragma once
// A small command-line parser: declared options (with or without a value) and positionals.
// Unknown options, missing values and malformed numbers are errors naming the option.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hearth::cli {

struct OptionSpec {
    std::string name;     // "-m" or "--temp"
    std::string alias;    // e.g. "--model" for "-m"; may be empty
    bool takes_value = true;
    std::string help;
};

class Args {
public:
    // Parses argv[first..argc). Throws Error(bad_request) on unknown or incomplete options.
    Args(const std::vector<OptionSpec>& specs, int argc, char** argv, int first);

    bool has(const std::string& name) const { return values_.count(name) != 0; }
    std::optional<std::string> get(const std::string& name) const;  // the last value given
    std::vector<std::string> get_all(const std::string& name) const;  // every value, in order
    std::string get_or(const std::string& name, const std::string& fallback) const;
    int get_int(const std::string& name, int fallback) const;
    double get_double(const std::string& name, double fallback) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::map<std::string, std::vector<std::string>> values_;  // keyed by the spec's primary name
    std::vector<std::string> positionals_;
};

std::string usage_lines(const std::vector<OptionSpec>& specs);

}  // namespace hearth::cli
