#include "core/sample/sampling_params.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace hearth {
namespace {

void require(bool ok, const char* field, const std::string& rule, double value) {
    if (!ok) {
        throw Error(ErrorKind::bad_request, std::string("sampling parameter ") + field + " must be " + rule +
                                                " (got " + std::to_string(value) + ")");
    }
}

bool within(float value, float lo, float hi) { return value >= lo && value <= hi; }  // false for NaN

}  // namespace

void SamplingParams::validate() const {
    require(std::isfinite(temperature), "temperature", "a finite number", temperature);
    require(top_k >= 0, "top_k", ">= 0", top_k);
    require(within(top_p, 0.0f, 1.0f), "top_p", "in [0, 1]", top_p);
    require(within(min_p, 0.0f, 1.0f), "min_p", "in [0, 1]", min_p);
    // Bounded so that dividing or multiplying a logit by it cannot overflow.
    require(within(repeat_penalty, 0.01f, 100.0f), "repeat_penalty", "in [0.01, 100]", repeat_penalty);
    require(repeat_last_n >= -1, "repeat_last_n", ">= -1", repeat_last_n);
    require(within(presence_penalty, -2.0f, 2.0f), "presence_penalty", "in [-2, 2]", presence_penalty);
    require(within(frequency_penalty, -2.0f, 2.0f), "frequency_penalty", "in [-2, 2]", frequency_penalty);
}

}  // namespace hearth
