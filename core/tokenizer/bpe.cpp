#include "core/tokenizer/bpe.h"

#include <algorithm>
#include <queue>
#include <string>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/symbols.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

struct Bigram {
    int left;
    int right;
    int32_t rank;
    size_t left_length;  // the pair is stale when either side has changed since
    size_t right_length;
};

// Lowest rank first; among equals the leftmost pair.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const { return a.rank > b.rank || (a.rank == b.rank && a.left > b.left); }
};

class BpeWord {
public:
    BpeWord(const Vocab& vocab, std::string_view word) : vocab_(vocab), word_(word) {}

    void encode(std::vector<int32_t>& out) {
        if (vocab_.flags().ignore_merges) {
            if (const auto id = vocab_.find(word_)) {
                out.push_back(*id);
                return;
            }
        }
        split_utf8_symbols(word_, symbols_);
        for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) try_add_bigram(i - 1, i);
        while (!queue_.empty()) {
            const Bigram bigram = queue_.top();
            queue_.pop();
            Symbol& left = symbols_[static_cast<size_t>(bigram.left)];
            Symbol& right = symbols_[static_cast<size_t>(bigram.right)];
            if (left.length != bigram.left_length || right.length != bigram.right_length || left.length == 0 || right.length == 0) continue;
            left.length += right.length;
            right.length = 0;
            left.next = right.next;
            if (right.next >= 0) symbols_[static_cast<size_t>(right.next)].prev = bigram.left;
            try_add_bigram(left.prev, bigram.left);
            try_add_bigram(bigram.left, left.next);
        }
        for (const Symbol& symbol : symbols_)
            if (symbol.length > 0) emit(word_.substr(symbol.start, symbol.length), out);
    }

private:
    void try_add_bigram(int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& a = symbols_[static_cast<size_t>(left)];
        const Symbol& b = symbols_[static_cast<size_t>(right)];
        const int32_t rank = vocab_.merge_rank(word_.substr(a.start, a.length), word_.substr(b.start, b.length));
        if (rank < 0) return;
        queue_.push(Bigram{left, right, rank, a.length, b.length});
    }

    // A piece missing from the vocab is spelled byte by byte; like llama.cpp, only bytes that
    // are themselves one-character tokens (ASCII in practice) survive.
    void emit(std::string_view piece, std::vector<int32_t>& out) const {
        if (const auto id = vocab_.find(piece)) {
            out.push_back(*id);
            return;
        }
        for (char c : piece)
            if (const auto id = vocab_.find(std::string_view(&c, 1))) out.push_back(*id);
    }

    const Vocab& vocab_;
    std::string_view word_;
    std::vector<Symbol> symbols_;
    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue_;
};

}  // namespace

void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) {
    for (const std::string& word : vocab.pre_tokenizer().split(text)) {
        const std::string encoded = byte_level_encode(word);
        BpeWord(vocab, encoded).encode(out);
    }
}

}  // namespace hearth::tokenizer
