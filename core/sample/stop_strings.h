#pragma once
// Stops generation on strings. Text arrives in chunks (detokenized pieces); each push says how
// much is safe to show now. A tail that could still grow into a stop string is held back, and
// so is an incomplete UTF-8 character at the end. When a stop string completes, the text before
// it is released and the stop string itself is not. The result does not depend on how the text
// was cut into chunks: the match that completes first (the one ending earliest, the longest
// when two end together) wins.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth {

class StopStrings {
public:
    struct Step {
        std::string text;                   // safe to emit now
        std::optional<std::size_t> stop;    // index of the stop string that matched: generation is over
    };

    // Throws Error(bad_request) for an empty stop string. No stop strings: text passes through.
    explicit StopStrings(std::vector<std::string> stops);

    // After a match, further pushes return no text and the same stop index.
    Step push(std::string_view chunk);

    // Generation ended without a match: releases the held-back text (empty after a match).
    std::string finish();

    void reset();  // for a new generation with the same stop strings

    bool stopped() const { return matched_.has_value(); }
    const std::vector<std::string>& stops() const { return stops_; }

private:
    struct Match {
        std::size_t stop;
        std::size_t begin;
    };
    std::optional<Match> first_completed() const;
    std::size_t held_tail() const;  // bytes at the end of pending_ that must wait

    std::vector<std::string> stops_;
    std::size_t longest_stop_ = 1;  // 1 when there are none: nothing is held for stops
    std::string pending_;  // text not yet emitted: a held tail plus the new chunk
    std::optional<std::size_t> matched_;
};

}  // namespace hearth
