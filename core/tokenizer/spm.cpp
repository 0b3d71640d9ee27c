#include "core/tokenizer/spm.h"

#include <algorithm>
#include <queue>

#include "core/tokenizer/symbols.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

struct Bigram {
    int left;
    int right;
    float score;
    size_t length;  // bytes of left + right when queued; a stale entry no longer adds up
};

// Highest score first; among equals the leftmost pair.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const { return a.score < b.score || (a.score == b.score && a.left > b.left); }
};

class SpmSession {
public:
    SpmSession(const Vocab& vocab, std::string_view text) : vocab_(vocab), text_(text) {}

    void encode(std::vector<int32_t>& out) {
        split_utf8_symbols(text_, symbols_);
        for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) try_add_bigram(i - 1, i);
        while (!queue_.empty()) {
            const Bigram bigram = queue_.top();
            queue_.pop();
            Symbol& left = symbols_[static_cast<size_t>(bigram.left)];
            Symbol& right = symbols_[static_cast<size_t>(bigram.right)];
            if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) continue;
            left.length += right.length;
            right.length = 0;
            left.next = right.next;
            if (right.next >= 0) symbols_[static_cast<size_t>(right.next)].prev = bigram.left;
            try_add_bigram(left.prev, bigram.left);
            try_add_bigram(bigram.left, left.next);
        }
        for (int i = symbols_.empty() ? -1 : 0; i != -1; i = symbols_[static_cast<size_t>(i)].next) emit(symbols_[static_cast<size_t>(i)], out);
    }

private:
    std::string_view text_of(size_t start, size_t length) const { return text_.substr(start, length); }

    void try_add_bigram(int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& a = symbols_[static_cast<size_t>(left)];
        const Symbol& b = symbols_[static_cast<size_t>(right)];
        const auto id = vocab_.find(text_of(a.start, a.length + b.length));
        if (!id) return;
        queue_.push(Bigram{left, right, vocab_.score(*id), a.length + b.length});
    }

    // A merged symbol is always a token; a lone character that is not becomes byte tokens.
    void emit(const Symbol& symbol, std::vector<int32_t>& out) const {
        const std::string_view piece = text_of(symbol.start, symbol.length);
        if (const auto id = vocab_.find(piece)) {
            out.push_back(*id);
            return;
        }
        for (char c : piece) {
            int32_t byte_id = vocab_.byte_token(static_cast<uint8_t>(c));
            if (byte_id == no_token) byte_id = vocab_.special().unknown;
            if (byte_id != no_token) out.push_back(byte_id);
        }
    }

    const Vocab& vocab_;
    std::string_view text_;
    std::vector<Symbol> symbols_;
    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue_;
};

}  // namespace

void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) { SpmSession(vocab, text).encode(out); }

}  // namespace hearth::tokenizer
