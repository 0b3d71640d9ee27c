// Real model chat templates rendered over several conversations must equal, byte for byte,
// what jinja2 produced with transformers' settings (scripts/make-chat-goldens.py).
#include <doctest/doctest.h>

#include <algorithm>

#include "core/error.h"
#include "tests/chat/golden_files.h"

namespace hearth::test {

namespace {

struct GoldenCase {
    std::string name;
    std::vector<ChatMessage> messages;
    ChatRenderOptions options;
    bool expect_error = false;
    std::string expected;       // output, or the message raise_exception gave
    bool raised_by_template = false;
};

std::vector<GoldenCase> load_cases(const nlohmann::ordered_json& doc) {
    std::vector<GoldenCase> cases;
    for (const auto& c : doc.at("cases")) {
        GoldenCase g;
        g.name = c.at("name").get<std::string>();
        g.messages = messages_of(c.at("messages"));
        g.options.add_generation_prompt = c.at("add_generation_prompt").get<bool>();
        g.options.bos_token = doc.at("bos_token").get<std::string>();
        g.options.eos_token = doc.at("eos_token").get<std::string>();
        if (c.contains("extra")) g.options.extra_context_json = c.at("extra").dump();
        g.expect_error = c.contains("error");
        g.expected = g.expect_error ? c.at("error").get<std::string>() : c.at("expected").get<std::string>();
        g.raised_by_template = g.expect_error && c.at("error_type") == "TemplateError";
        cases.push_back(std::move(g));
    }
    return cases;
}

void check_case(const ChatTemplate& tpl, const GoldenCase& g) {
    INFO("case: " << g.name);
    if (!g.expect_error) {
        CHECK(tpl.render(g.messages, g.options) == g.expected);
        return;
    }
    try {
        (void)tpl.render(g.messages, g.options);
        FAIL("expected the template to raise: " << g.expected);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        if (g.raised_by_template) CHECK(std::string(e.what()) == g.expected);
    }
}

std::vector<std::filesystem::path> golden_files() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(chat_data() / "goldens")) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("real chat templates render exactly as transformers does") {
    const auto files = golden_files();
    REQUIRE(files.size() >= 9);
    std::size_t checked = 0;
    for (const auto& path : files) {
        const auto doc = read_json(path);
        INFO("template: " << doc.at("template").get<std::string>());
        const ChatTemplate tpl(read_text(chat_data() / "templates" / doc.at("template").get<std::string>()));
        for (const GoldenCase& g : load_cases(doc)) {
            check_case(tpl, g);
            ++checked;
        }
    }
    CHECK(checked >= 100);
}

TEST_CASE("the built-in templates match the real templates of their model families") {
    const std::pair<const char*, const char*> pairs[] = {
        {"chatml", "chatml.json"}, {"qwen2", "qwen2.5.json"},       {"llama3", "llama3.json"},
        {"gemma", "gemma3.json"},  {"mistral", "mistral-v0.3.json"}, {"phi3", "phi3.json"},
    };
    for (const auto& [builtin, golden] : pairs) {
        INFO("built-in: " << builtin);
        const ChatTemplate tpl(builtin_template(builtin));
        std::size_t compared = 0;
        for (const GoldenCase& g : load_cases(read_json(chat_data() / "goldens" / golden))) {
            if (!g.options.extra_context_json.empty()) continue;  // tools and tool calls: real template only
            check_case(tpl, g);
            ++compared;
        }
        CHECK(compared >= 14);
    }
}

}  // namespace hearth::test
