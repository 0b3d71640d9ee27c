// Built-in fallback templates: selectable by name, each rendering its family's format, and a
// detector that picks one from vocabulary hints or the architecture name.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/error.h"

namespace hearth {

namespace {

std::string render_builtin(std::string_view name, bool add_generation_prompt = true) {
    const std::vector<ChatMessage> messages = {{"system", "Sys"}, {"user", "Hi"}, {"assistant", "Hello"}, {"user", "Bye"}};
    ChatRenderOptions options;
    options.add_generation_prompt = add_generation_prompt;
    options.bos_token = "<BOS>";
    options.eos_token = "<EOS>";
    return render_chat(builtin_template(name), messages, options);
}

}  // namespace

TEST_CASE("every built-in template is listed, parses and renders") {
    const auto names = builtin_template_names();
    CHECK(std::set<std::string_view>(names.begin(), names.end()) ==
          std::set<std::string_view>{"chatml", "qwen2", "llama3", "gemma", "mistral", "phi3"});
    for (std::string_view name : names) CHECK_FALSE(render_builtin(name).empty());
}

TEST_CASE("built-in templates produce their family's turn markers") {
    CHECK(render_builtin("chatml") ==
          "<|im_start|>system\nSys<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
          "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
    CHECK(render_builtin("llama3", false) ==
          "<BOS><|start_header_id|>system<|end_header_id|>\n\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi"
          "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>user"
          "<|end_header_id|>\n\nBye<|eot_id|>");
    CHECK(render_builtin("gemma") ==
          "<BOS><start_of_turn>user\nSys\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
          "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n");
    CHECK(render_builtin("mistral") == "<BOS>[INST] Hi[/INST] Hello<EOS>[INST] Sys\n\nBye[/INST]");
    CHECK(render_builtin("phi3", false) ==
          "<|system|>\nSys<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|user|>\nBye<|end|>\n<EOS>");
    CHECK(render_builtin("qwen2").rfind("<|im_start|>system\nSys<|im_end|>\n", 0) == 0);
}

TEST_CASE("qwen2 adds its default system prompt when the conversation has none") {
    const std::vector<ChatMessage> messages = {{"user", "Hi"}};
    CHECK(render_chat(builtin_template("qwen2"), messages, {}) ==
          "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
          "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("gemma and mistral reject conversations whose roles do not alternate") {
    const std::vector<ChatMessage> messages = {{"user", "a"}, {"user", "b"}};
    for (const char* name : {"gemma", "mistral"}) {
        INFO(name);
        CHECK_THROWS_AS((void)render_chat(builtin_template(name), messages, {}), Error);
    }
}

TEST_CASE("an unknown built-in name is a bad_request error listing the known ones") {
    try {
        (void)builtin_template("vicuna");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_request);
        CHECK(std::string(e.what()).find("chatml") != std::string::npos);
    }
}

TEST_CASE("detect_builtin_template prefers vocabulary hints, then the architecture") {
    auto vocab = [](std::set<std::string> tokens) {
        return [tokens = std::move(tokens)](std::string_view t) { return tokens.count(std::string(t)) > 0; };
    };
    CHECK(detect_builtin_template("llama", vocab({"<|im_start|>", "<|im_end|>"})) == "chatml");
    CHECK(detect_builtin_template("qwen2", vocab({"<|im_start|>"})) == "qwen2");
    CHECK(detect_builtin_template("llama", vocab({"<|start_header_id|>"})) == "llama3");
    CHECK(detect_builtin_template("gemma3", vocab({"<start_of_turn>"})) == "gemma");
    CHECK(detect_builtin_template("phi3", vocab({"<|assistant|>", "<|end|>"})) == "phi3");
    CHECK(detect_builtin_template("llama", vocab({"[INST]"})) == "mistral");
    CHECK(detect_builtin_template("gemma2") == "gemma");
    CHECK(detect_builtin_template("qwen2moe") == "qwen2");
    CHECK(detect_builtin_template("phi3") == "phi3");
    CHECK(detect_builtin_template("llama") == "llama3");
    CHECK(detect_builtin_template("falcon") == "chatml");
}

}  // namespace hearth
