#pragma once
// What a request asks of the sampler. Defaults follow llama.cpp's common sampler.
#include <cstdint>

namespace hearth {

// SamplingParams::seed value meaning "draw a fresh seed" (Sampler::seed() tells which one).
inline constexpr uint64_t kRandomSeed = UINT64_MAX;

struct SamplingParams {
    float temperature = 0.8f;      // <= 0: greedy (argmax, lowest id on ties)
    int32_t top_k = 40;            // 0: off
    float top_p = 0.95f;           // [0, 1]; 1: off
    float min_p = 0.05f;           // [0, 1]; 0: off
    float repeat_penalty = 1.0f;   // [0.01, 100]; 1: off
    int32_t repeat_last_n = 64;    // tokens the penalties look back over; 0: off, -1: all
    float presence_penalty = 0.0f;   // [-2, 2], OpenAI's meaning
    float frequency_penalty = 0.0f;  // [-2, 2], OpenAI's meaning
    uint64_t seed = kRandomSeed;

    // Throws Error(bad_request) naming the first field out of range.
    void validate() const;

    bool greedy() const { return temperature <= 0.0f; }
    bool penalizes() const {
        return repeat_last_n != 0 &&
               (repeat_penalty != 1.0f || presence_penalty != 0.0f || frequency_penalty != 0.0f);
    }
};

}  // namespace hearth
