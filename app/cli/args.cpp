#include "app/cli/args.h"

#include <charconv>
#include <cstdlib>

#include "core/error.h"

namespace hearth::cli {

Args::Args(const std::vector<OptionSpec>& specs, int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
            positionals_.push_back(arg);
            continue;
        }
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == arg || (!s.alias.empty() && s.alias == arg)) spec = &s;
        require(spec != nullptr, ErrorKind::bad_request, "unknown option " + arg);
        if (!spec->takes_value) {
            values_[spec->name].push_back("1");
            continue;
        }
        require(i + 1 < argc, ErrorKind::bad_request, "option " + arg + " needs a value");
        values_[spec->name].push_back(argv[++i]);
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Args::get_all(const std::string& name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

int Args::get_int(const std::string& name, int fallback) const {
    const auto text = get(name);
    if (!text) return fallback;
    int value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    require(ec == std::errc() && end == text->data() + text->size(), ErrorKind::bad_request,
            "option " + name + " expects an integer, got '" + *text + "'");
    return value;
}

double Args::get_double(const std::string& name, double fallback) const {
    const auto text = get(name);
    if (!text) return fallback;
    char* end = nullptr;
    const double value = std::strtod(text->c_str(), &end);
    require(!text->empty() && end == text->c_str() + text->size(), ErrorKind::bad_request,
            "option " + name + " expects a number, got '" + *text + "'");
    return value;
}

std::string usage_lines(const std::vector<OptionSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string left = "  " + s.name + (s.alias.empty() ? "" : ", " + s.alias) + (s.takes_value ? " V" : "");
        if (left.size() < 26) left.resize(26, ' ');
        out += left + " " + s.help + "\n";
    }
    return out;
}

}  // namespace hearth::cli
