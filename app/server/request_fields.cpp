#include "app/server/request_fields.h"

#include <array>
#include <limits>

namespace hearth::server {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

float read_float(const FieldReader& fields, std::string_view key, Range<double> range, float fallback) {
    return static_cast<float>(fields.number(key, range).value_or(fallback));
}

int32_t read_int32(const FieldReader& fields, std::string_view key, Range<int64_t> range, int32_t fallback) {
    return static_cast<int32_t>(fields.integer(key, range).value_or(fallback));
}

// Any non-negative 64-bit seed but kRandomSeed itself; -1 asks for a random one, as in
// llama.cpp and Ollama.
uint64_t read_seed(const FieldReader& fields) {
    const nlohmann::json* value = fields.find("seed");
    if (!value) return kRandomSeed;
    const std::string param = fields.param("seed");
    if (!value->is_number_integer()) throw_wrong_type(param, "integer", *value);
    if (value->is_number_unsigned() && value->get<uint64_t>() != kRandomSeed) return value->get<uint64_t>();
    if (!value->is_number_unsigned() && value->get<int64_t>() == -1) return kRandomSeed;
    throw invalid_request("Invalid '" + param + "': " + value->dump() +
                              " is out of range; it must be between 0 and 2^64 - 2, or -1 for a random seed.",
                          param, "invalid_value");
}

std::string read_stop_string(const nlohmann::json& value, const std::string& param, const ApiLimits& limits) {
    if (!value.is_string()) throw_wrong_type(param, "string", value);
    std::string text = value.get<std::string>();
    if (text.empty()) throw invalid_request("Invalid '" + param + "': stop strings must not be empty.", param, "invalid_value");
    if (text.size() > limits.max_stop_bytes) {
        throw invalid_request("Invalid '" + param + "': a stop string may have at most " +
                                  std::to_string(limits.max_stop_bytes) + " bytes.",
                              param, "string_above_max_length");
    }
    return text;
}

bool is_empty_value(const nlohmann::json& value) {
    return value.is_null() || value == false || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
           ((value.is_array() || value.is_object()) && value.empty());
}

}  // namespace

SamplingParams read_sampling(const FieldReader& fields) {
    const SamplingParams defaults;
    SamplingParams s;
    s.temperature = read_float(fields, "temperature", {0.0, 2.0}, defaults.temperature);
    s.top_k = read_int32(fields, "top_k", {0, kInt32Max}, defaults.top_k);
    s.top_p = read_float(fields, "top_p", {0.0, 1.0}, defaults.top_p);
    s.min_p = read_float(fields, "min_p", {0.0, 1.0}, defaults.min_p);
    s.repeat_penalty = read_float(fields, "repeat_penalty", {0.01, 100.0}, defaults.repeat_penalty);
    s.repeat_last_n = read_int32(fields, "repeat_last_n", {-1, kInt32Max}, defaults.repeat_last_n);
    s.presence_penalty = read_float(fields, "presence_penalty", {-2.0, 2.0}, defaults.presence_penalty);
    s.frequency_penalty = read_float(fields, "frequency_penalty", {-2.0, 2.0}, defaults.frequency_penalty);
    s.seed = read_seed(fields);
    return s;
}

void validate_sampling(const SamplingParams& sampling) {
    try {
        sampling.validate();
    } catch (const Error& error) {
        throw invalid_request(error.what(), "", "invalid_value");
    }
}

std::vector<std::string> read_stop(const FieldReader& fields, const ApiLimits& limits) {
    const nlohmann::json* value = fields.find("stop");
    const std::string param = fields.param("stop");
    if (!value) return {};
    if (value->is_string()) return {read_stop_string(*value, param, limits)};
    if (!value->is_array()) throw_wrong_type(param, "string or array", *value);
    if (value->size() > limits.max_stop_strings) {
        throw invalid_request("Invalid '" + param + "': at most " + std::to_string(limits.max_stop_strings) +
                                  " stop strings are allowed, got " + std::to_string(value->size()) + ".",
                              param, "array_above_max_length");
    }
    std::vector<std::string> stops;
    for (std::size_t i = 0; i < value->size(); ++i) {
        stops.push_back(read_stop_string((*value)[i], param + "[" + std::to_string(i) + "]", limits));
    }
    return stops;
}

int32_t read_max_tokens(const FieldReader& fields, std::string_view key, const ApiLimits& limits) {
    return read_int32(fields, key, {1, limits.max_tokens_cap}, limits.max_tokens_cap);
}

std::string read_role(const FieldReader& message, Dialect dialect) {
    static constexpr std::array<std::string_view, 4> kRoles = {"system", "user", "assistant", "tool"};
    const std::string role = message.required_string("role");
    if (dialect == Dialect::openai && role == "developer") return "system";
    for (const std::string_view known : kRoles) {
        if (role == known) return role;
    }
    throw invalid_request("Invalid value for '" + message.param("role") + "': '" + role +
                              "'; it must be system, user, assistant or tool.",
                          message.param("role"), "invalid_value");
}

void check_content_bytes(std::size_t bytes, const ApiLimits& limits, const std::string& param) {
    if (bytes <= limits.max_content_bytes) return;
    throw invalid_request("The text of '" + param + "' has " + std::to_string(bytes) + " bytes; the limit is " +
                              std::to_string(limits.max_content_bytes) + ".",
                          param, "string_above_max_length");
}

std::vector<ChatMessage> read_message_array(const nlohmann::json& messages, const ApiLimits& limits,
                                            MessageReader read_one) {
    if (messages.size() > limits.max_messages)
        throw invalid_request("Invalid 'messages': at most " + std::to_string(limits.max_messages) +
                                  " messages are allowed, got " + std::to_string(messages.size()) + ".",
                              "messages", "array_above_max_length");
    std::vector<ChatMessage> result;
    std::size_t content_bytes = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        result.push_back(read_one(messages[i], "messages[" + std::to_string(i) + "]"));
        content_bytes += result.back().content.size();
    }
    check_content_bytes(content_bytes, limits, "messages");
    return result;
}

void read_history_fields(const FieldReader& fields, GenerationRequest& request) {
    const std::optional<bool> store = fields.boolean("store");
    request.conversation_id = fields.integer("conversation_id", {1, std::numeric_limits<int64_t>::max()});
    if (request.conversation_id && store == false) {
        throw invalid_request("'conversation_id' appends to a stored conversation; it cannot be used with store: false.",
                              "store", "invalid_value");
    }
    request.store = store.value_or(request.conversation_id.has_value());
}

void refuse_unless_empty(const FieldReader& fields, std::string_view key, std::string_view what) {
    const nlohmann::json* value = fields.find(key);
    if (!value || is_empty_value(*value)) return;
    throw unsupported_value("Unsupported parameter '" + fields.param(key) + "': " + std::string(what) +
                                " is not supported by this server.",
                            fields.param(key));
}

void refuse_count_above_one(const FieldReader& fields, std::string_view key, std::string_view what) {
    const std::optional<int64_t> count = fields.integer(key, {1, std::numeric_limits<int64_t>::max()});
    if (count.value_or(1) == 1) return;
    throw unsupported_value("Only one " + std::string(what) + " per request is supported ('" + fields.param(key) +
                                "' = " + std::to_string(*count) + ").",
                            fields.param(key));
}

}  // namespace hearth::server
