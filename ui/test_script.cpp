#include "ui/test_script.h"

#include <map>

#include "core/error.h"
#include "ui/parse_number.h"

namespace hearth::ui {
namespace {

constexpr double kMaxWaitSeconds = 600.0;

std::string_view trim(std::string_view s) {
    const size_t begin = s.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

const std::map<std::string_view, StepKind>& step_names() {
    static const std::map<std::string_view, StepKind> names{
        {"wait_model", StepKind::wait_model},   {"set", StepKind::set},
        {"click", StepKind::click},             {"type", StepKind::type},
        {"key", StepKind::key},                 {"wait_generating", StepKind::wait_generating},
        {"wait_idle", StepKind::wait_idle},     {"frames", StepKind::frames},
        {"screenshot", StepKind::screenshot},   {"expect_messages", StepKind::expect_messages},
        {"expect_error", StepKind::expect_error}, {"quit", StepKind::quit},
    };
    return names;
}

template <typename T>
T number_argument(std::string_view text, const std::string& where) {
    const auto value = parse_number<T>(text);
    require(value.has_value(), ErrorKind::bad_request, where + ": '" + std::string(text) + "' is not a number");
    return *value;
}

// Fills the step's argument fields from the text after its name.
void parse_argument(ScriptStep& step, std::string_view argument, const std::string& where) {
    auto need = [&](bool ok, const char* what) { require(ok, ErrorKind::bad_request, where + ": " + what); };
    switch (step.kind) {
        case StepKind::wait_model:
        case StepKind::wait_generating:
        case StepKind::wait_idle:
            step.seconds = number_argument<double>(argument, where);
            need(step.seconds > 0.0 && step.seconds <= kMaxWaitSeconds, "a wait needs 0 < SECONDS <= 600");
            break;
        case StepKind::frames:
        case StepKind::expect_messages:
            step.count = number_argument<int>(argument, where);
            need(step.count >= 0, "the count must not be negative");
            break;
        case StepKind::set: {
            const size_t space = argument.find_first_of(" \t");
            need(space != std::string_view::npos, "set needs a KEY and a VALUE");
            step.name = std::string(argument.substr(0, space));
            step.text = std::string(trim(argument.substr(space)));
            break;
        }
        case StepKind::expect_error: {
            const size_t space = argument.find_first_of(" \t");
            need(space != std::string_view::npos, "expect_error needs SECONDS and the TEXT to look for");
            step.seconds = number_argument<double>(argument.substr(0, space), where);
            need(step.seconds > 0.0 && step.seconds <= kMaxWaitSeconds, "a wait needs 0 < SECONDS <= 600");
            step.text = std::string(trim(argument.substr(space)));
            break;
        }
        case StepKind::click:
        case StepKind::screenshot:
            need(!argument.empty(), "a name is missing");
            step.name = std::string(argument);
            break;
        case StepKind::type:
            need(!argument.empty(), "type needs the text to type");
            step.text = std::string(argument);
            break;
        case StepKind::key:
            try {
                step.chord = parse_key_chord(argument);
            } catch (const Error& e) {
                throw Error(ErrorKind::bad_request, where + ": " + e.what());
            }
            break;
        case StepKind::quit:
            need(argument.empty(), "quit takes no argument");
            break;
    }
}

}  // namespace

KeyChord parse_key_chord(std::string_view text) {
    KeyChord chord;
    for (;;) {
        if (text.starts_with("Ctrl+")) {
            chord.ctrl = true;
            text.remove_prefix(5);
        } else if (text.starts_with("Shift+")) {
            chord.shift = true;
            text.remove_prefix(6);
        } else {
            break;
        }
    }
    const bool letter = text.size() == 1 && text[0] >= 'A' && text[0] <= 'Z';
    require(letter || text == "Enter" || text == "Escape", ErrorKind::bad_request,
            "unknown key '" + std::string(text) + "' (Enter, Escape or A..Z, with Ctrl+ / Shift+)");
    chord.key = std::string(text);
    return chord;
}

std::vector<ScriptStep> parse_test_script(std::string_view text) {
    std::vector<ScriptStep> steps;
    int line_number = 0;
    for (size_t pos = 0; pos <= text.size();) {
        const size_t newline = text.find('\n', pos);
        const std::string_view raw = text.substr(pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
        pos = newline == std::string_view::npos ? text.size() + 1 : newline + 1;
        ++line_number;
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = "line " + std::to_string(line_number);
        const size_t space = line.find_first_of(" \t");
        const std::string_view name = line.substr(0, space);
        const auto kind = step_names().find(name);
        require(kind != step_names().end(), ErrorKind::bad_request, where + ": unknown step '" + std::string(name) + "'");
        ScriptStep step;
        step.kind = kind->second;
        step.line = line_number;
        parse_argument(step, space == std::string_view::npos ? std::string_view() : trim(line.substr(space)), where);
        steps.push_back(std::move(step));
    }
    return steps;
}

}  // namespace hearth::ui
