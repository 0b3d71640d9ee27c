#include "app/server/openai_logprobs.h"

#include <cmath>

namespace hearth::server {
namespace {

// JSON has no infinity; OpenAI writes -9999.0 for a token the model rules out.
double finite_logprob(float logprob) { return std::isfinite(logprob) ? static_cast<double>(logprob) : -9999.0; }

// The token's raw bytes: the only faithful form when it holds part of a UTF-8 character.
nlohmann::json token_bytes(const std::string& token) {
    nlohmann::json bytes = nlohmann::json::array();
    for (const char c : token) bytes.push_back(static_cast<unsigned char>(c));
    return bytes;
}

nlohmann::json chat_entry(const std::string& token, float logprob) {
    return {{"token", token}, {"logprob", finite_logprob(logprob)}, {"bytes", token_bytes(token)}};
}

}  // namespace

nlohmann::json chat_logprobs(std::span<const TokenLogprob> tokens) {
    nlohmann::json content = nlohmann::json::array();
    for (const TokenLogprob& token : tokens) {
        nlohmann::json entry = chat_entry(token.token, token.logprob);
        nlohmann::json top = nlohmann::json::array();
        for (const TopLogprob& alternative : token.top) top.push_back(chat_entry(alternative.token, alternative.logprob));
        entry["top_logprobs"] = std::move(top);
        content.push_back(std::move(entry));
    }
    return {{"content", std::move(content)}};
}

nlohmann::json legacy_logprobs(std::span<const TokenLogprob> tokens, std::size_t first_offset) {
    nlohmann::json texts = nlohmann::json::array(), logprobs = nlohmann::json::array();
    nlohmann::json tops = nlohmann::json::array(), offsets = nlohmann::json::array();
    std::size_t offset = first_offset;
    for (const TokenLogprob& token : tokens) {
        texts.push_back(token.token);
        logprobs.push_back(finite_logprob(token.logprob));
        nlohmann::json top = nlohmann::json::object();
        for (const TopLogprob& alternative : token.top) top[alternative.token] = finite_logprob(alternative.logprob);
        tops.push_back(std::move(top));
        offsets.push_back(offset);
        offset += token.token.size();
    }
    return {{"tokens", std::move(texts)},
            {"token_logprobs", std::move(logprobs)},
            {"top_logprobs", std::move(tops)},
            {"text_offset", std::move(offsets)}};
}

}  // namespace hearth::server
