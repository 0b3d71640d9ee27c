// OpenAI response bodies: chat.completion, text_completion and their streamed chunks.
#include <chrono>
#include <utility>

#include "app/server/api_response.h"
#include "app/server/json_text.h"
#include "app/server/openai_logprobs.h"

namespace hearth::server {
namespace {

int64_t unix_seconds(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

nlohmann::json envelope(const ResponseMeta& meta, std::string_view object, nlohmann::json choice) {
    return {{"id", meta.id},
            {"object", object},
            {"created", unix_seconds(meta.created)},
            {"model", meta.model},
            {"choices", nlohmann::json::array({std::move(choice)})}};
}

nlohmann::json optional_chat_logprobs(const std::optional<std::vector<TokenLogprob>>& logprobs) {
    return logprobs ? chat_logprobs(*logprobs) : nlohmann::json();
}

}  // namespace

std::string_view finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::length: return "length";
        case FinishReason::stop:
        case FinishReason::cancelled: break;
    }
    return "stop";
}

nlohmann::json openai_usage(const GenerationSummary& summary) {
    return {{"prompt_tokens", summary.prompt_tokens},
            {"completion_tokens", summary.completion_tokens},
            {"total_tokens", int64_t{summary.prompt_tokens} + summary.completion_tokens}};
}

nlohmann::json openai_chat_completion(const ResponseMeta& meta, const CompletionResult& result) {
    nlohmann::json response = envelope(meta, "chat.completion",
                                       {{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", result.text}}},
                                        {"logprobs", optional_chat_logprobs(result.logprobs)},
                                        {"finish_reason", finish_reason_name(result.summary.finish)}});
    response["usage"] = openai_usage(result.summary);
    return response;
}

nlohmann::json openai_text_completion(const ResponseMeta& meta, const CompletionResult& result) {
    nlohmann::json response =
        envelope(meta, "text_completion",
                 {{"text", result.text},
                  {"index", 0},
                  {"logprobs", result.logprobs ? legacy_logprobs(*result.logprobs, 0) : nlohmann::json()},
                  {"finish_reason", finish_reason_name(result.summary.finish)}});
    response["usage"] = openai_usage(result.summary);
    return response;
}

OpenAiStream::OpenAiStream(ResponseMeta meta, const GenerationRequest& request)
    : meta_(std::move(meta)),
      kind_(request.kind),
      include_usage_(request.include_usage),
      logprobs_(request.logprobs) {}

nlohmann::json OpenAiStream::chunk(nlohmann::json choice) const {
    const bool chat = kind_ == GenerationRequest::Kind::chat;
    nlohmann::json result = envelope(meta_, chat ? "chat.completion.chunk" : "text_completion", std::move(choice));
    // With include_usage every chunk but the last carries "usage": null, as OpenAI sends it.
    if (include_usage_) result["usage"] = nullptr;
    return result;
}

std::string OpenAiStream::begin() const {
    if (kind_ != GenerationRequest::Kind::chat) return {};
    return sse_event(chunk({{"index", 0},
                            {"delta", {{"role", "assistant"}, {"content", ""}}},
                            {"logprobs", nullptr},
                            {"finish_reason", nullptr}}));
}

std::string OpenAiStream::text(std::string_view piece, std::span<const TokenLogprob> logprobs) {
    nlohmann::json choice;
    if (kind_ == GenerationRequest::Kind::chat) {
        choice = {{"index", 0},
                  {"delta", {{"content", piece}}},
                  {"logprobs", logprobs_ ? chat_logprobs(logprobs) : nlohmann::json()}};
    } else {
        choice = {{"text", piece},
                  {"index", 0},
                  {"logprobs", logprobs_ ? legacy_logprobs(logprobs, text_offset_) : nlohmann::json()}};
    }
    choice["finish_reason"] = nullptr;
    text_offset_ += piece.size();
    return sse_event(chunk(std::move(choice)));
}

std::string OpenAiStream::end(const GenerationSummary& summary) const {
    nlohmann::json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", finish_reason_name(summary.finish)}};
    if (kind_ == GenerationRequest::Kind::chat) {
        choice["delta"] = nlohmann::json::object();
    } else {
        choice["text"] = "";
    }
    std::string events = sse_event(chunk(std::move(choice)));
    if (include_usage_) {
        nlohmann::json usage = chunk(nullptr);
        usage["choices"] = nlohmann::json::array();
        usage["usage"] = openai_usage(summary);
        events += sse_event(usage);
    }
    events += sse_done();
    return events;
}

}  // namespace hearth::server
