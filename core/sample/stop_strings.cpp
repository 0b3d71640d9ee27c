#include "core/sample/stop_strings.h"

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace hearth {
namespace {

// Length of a UTF-8 sequence from its lead byte; 1 for ASCII and for stray continuation bytes.
std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

// Bytes at the end of `text` that start a UTF-8 character not yet complete.
std::size_t incomplete_utf8_tail(std::string_view text) {
    const std::size_t lookback = std::min<std::size_t>(text.size(), 3);
    for (std::size_t back = 1; back <= lookback; ++back) {
        const auto byte = static_cast<unsigned char>(text[text.size() - back]);
        if ((byte & 0xC0) == 0x80) continue;  // continuation byte: the lead is further back
        return sequence_length(byte) > back ? back : 0;
    }
    return 0;
}

// Does some suffix of `text` of exactly `length` bytes start the string `stop`?
bool tail_starts(std::string_view text, std::size_t length, std::string_view stop) {
    return length < stop.size() && stop.starts_with(text.substr(text.size() - length));
}

}  // namespace

StopStrings::StopStrings(std::vector<std::string> stops) : stops_(std::move(stops)) {
    for (std::size_t i = 0; i < stops_.size(); ++i) {
        if (stops_[i].empty()) throw Error(ErrorKind::bad_request, "stop string " + std::to_string(i) + " is empty");
        longest_stop_ = std::max(longest_stop_, stops_[i].size());
    }
}

StopStrings::Step StopStrings::push(std::string_view chunk) {
    if (matched_) return Step{{}, matched_};
    pending_.append(chunk);
    if (const std::optional<Match> match = first_completed()) {
        matched_ = match->stop;
        Step step{pending_.substr(0, match->begin), matched_};
        pending_.clear();
        return step;
    }
    const std::size_t emit = pending_.size() - held_tail();
    Step step{pending_.substr(0, emit), std::nullopt};
    pending_.erase(0, emit);
    return step;
}

std::string StopStrings::finish() {
    std::string rest = std::move(pending_);
    pending_.clear();
    return matched_ ? std::string{} : rest;
}

void StopStrings::reset() {
    pending_.clear();
    matched_.reset();
}

// Every match lies inside pending_: emitted text never ends with the start of a stop string.
std::optional<StopStrings::Match> StopStrings::first_completed() const {
    std::optional<Match> best;
    std::size_t best_end = 0;
    for (std::size_t i = 0; i < stops_.size(); ++i) {
        const std::size_t begin = pending_.find(stops_[i]);
        if (begin == std::string::npos) continue;
        const std::size_t end = begin + stops_[i].size();
        if (!best || end < best_end || (end == best_end && begin < best->begin)) {
            best = Match{i, begin};
            best_end = end;
        }
    }
    return best;
}

std::size_t StopStrings::held_tail() const {
    std::size_t stop_start = 0;
    // Longest first: a shorter possible start lies inside a longer one, so it is held too.
    for (std::size_t length = std::min(pending_.size(), longest_stop_ - 1); length > 0 && stop_start == 0; --length) {
        for (const std::string& stop : stops_) {
            if (tail_starts(pending_, length, stop)) stop_start = length;
        }
    }
    return std::max(stop_start, incomplete_utf8_tail(pending_));
}

}  // namespace hearth
