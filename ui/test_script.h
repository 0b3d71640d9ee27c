#pragma once
// The scripted test mode's little language: one step per line, run frame by frame against the
// real window (see script_runner.h). '#' starts a comment line. Steps:
//   wait_model SECONDS        until a model is loaded (fails if loading fails or time runs out)
//   set KEY VALUE             temperature | max_tokens | preset | seed | system_prompt
//   click TARGET              a left click at the centre of a named widget (input, send, stop,
//                             new_chat, regenerate, ...)
//   type TEXT                 the rest of the line as typed characters (UTF-8)
//   key CHORD                 Enter, Escape or a letter, with Ctrl+ / Shift+ prefixes
//   wait_generating SECONDS   until an answer is being generated
//   wait_idle SECONDS         until no answer is being generated
//   frames N                  let N frames pass
//   screenshot NAME           the window as NAME (a .png) in the screenshot folder
//   expect_messages N         the open conversation holds N stored messages
//   expect_error SECONDS TEXT until the window shows an error containing TEXT (any other error
//                             fails the test)
//   quit                      end the test (passed, unless a step failed)
#include <string>
#include <string_view>
#include <vector>

namespace hearth::ui {

enum class StepKind {
    wait_model, set, click, type, key, wait_generating, wait_idle, frames, screenshot, expect_messages, expect_error, quit,
};

struct KeyChord {
    std::string key;  // "Enter", "Escape" or an upper-case letter "A".."Z"
    bool ctrl = false;
    bool shift = false;
};

struct ScriptStep {
    StepKind kind = StepKind::quit;
    std::string name;   // target, setting key, screenshot name
    std::string text;   // typed text, setting value, expected error text
    KeyChord chord;     // for key
    double seconds = 0.0;  // for waits
    int count = 0;         // for frames and expect_messages
    int line = 0;          // in the script, for messages
};

// Throws Error(bad_request, "line N: ...") for an unknown step or a malformed argument.
std::vector<ScriptStep> parse_test_script(std::string_view text);
KeyChord parse_key_chord(std::string_view text);

}  // namespace hearth::ui
