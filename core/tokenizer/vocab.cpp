// Vocab construction: token table, merges and lookups. Special ids, flags and per-model token
// quirks are resolved in vocab_special.cpp.
#include "core/tokenizer/vocab.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace hearth::tokenizer {
namespace {

constexpr uint64_t fnv_offset = 1469598103934665603ull;
constexpr uint64_t fnv_prime = 1099511628211ull;

uint64_t fnv_append(uint64_t hash, std::string_view bytes) {
    for (char c : bytes) hash = (hash ^ static_cast<uint8_t>(c)) * fnv_prime;
    return hash;
}

std::string quoted(std::string_view text) {
    constexpr size_t max_shown = 40;
    std::string out = "'" + std::string(text.substr(0, max_shown));
    if (text.size() > max_shown) out += "...";
    return out + "'";
}

// "<0xXX>" -> XX, or -1.
int parse_byte_token(std::string_view text) {
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
    int value = 0;
    for (char c : text.substr(3, 2)) {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

}  // namespace

size_t Vocab::MergeHash::operator()(std::string_view joined) const { return fnv_append(fnv_offset, joined); }

size_t Vocab::MergeHash::operator()(const MergeKey& key) const {
    return fnv_append(fnv_append(fnv_append(fnv_offset, key.left), " "), key.right);
}

bool Vocab::MergeEqual::operator()(std::string_view joined, const MergeKey& key) const {
    return joined.size() == key.left.size() + 1 + key.right.size() && joined.starts_with(key.left) &&
           joined[key.left.size()] == ' ' && joined.ends_with(key.right);
}

Vocab::Vocab(const VocabSpec& spec) {
    if (spec.model == "llama") {
        kind_ = VocabKind::spm;
    } else if (spec.model == "gpt2") {
        kind_ = VocabKind::bpe;
        pre_tokenizer_ = PreTokenizer::for_name(spec.pre);
    } else if (spec.model.empty()) {
        throw Error(ErrorKind::bad_file, "tokenizer.ggml.model is missing");
    } else {
        throw Error(ErrorKind::unsupported, "unsupported tokenizer model tokenizer.ggml.model = " + quoted(spec.model) +
                                                " (Hearth reads 'llama' (SentencePiece) and 'gpt2' (byte-level BPE))");
    }
    load_tokens(spec);
    if (kind_ == VocabKind::bpe) load_merges(spec);
    resolve_special_ids(spec);
    resolve_flags(spec);
    mark_end_of_generation();
    index_special_tokens();
    apply_model_quirks(spec);
    index_byte_tokens();
}

void Vocab::load_tokens(const VocabSpec& spec) {
    const size_t n = spec.tokens.size();
    if (n == 0) throw Error(ErrorKind::bad_file, "tokenizer.ggml.tokens is missing or empty");
    if (n >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error(ErrorKind::bad_file, "tokenizer.ggml.tokens has too many entries (" + std::to_string(n) + ")");
    auto check_length = [n](size_t count, const char* key) {
        if (count != 0 && count != n)
            throw Error(ErrorKind::bad_file, std::string(key) + " has " + std::to_string(count) +
                                                 " entries but tokenizer.ggml.tokens has " + std::to_string(n));
    };
    check_length(spec.scores.size(), "tokenizer.ggml.scores");
    check_length(spec.token_types.size(), "tokenizer.ggml.token_type");

    // Empty strings get llama.cpp's placeholder so every token has a distinct, non-empty text.
    std::vector<std::string> placeholders(n);
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
        if (spec.tokens[i].empty()) placeholders[i] = "[EMPTY_" + std::to_string(i) + "]";
        total += spec.tokens[i].empty() ? placeholders[i].size() : spec.tokens[i].size();
    }
    if (total >= std::numeric_limits<uint32_t>::max()) throw Error(ErrorKind::bad_file, "tokenizer.ggml.tokens is too large");
    texts_.reserve(total);
    offsets_.reserve(n + 1);
    info_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const std::string& text = spec.tokens[i].empty() ? placeholders[i] : spec.tokens[i];
        offsets_.push_back(static_cast<uint32_t>(texts_.size()));
        texts_.insert(texts_.end(), text.begin(), text.end());
        if (!spec.scores.empty()) info_[i].score = spec.scores[i];
        if (!spec.token_types.empty()) {
            const int64_t type = spec.token_types[i];
            if (type < 0 || type > static_cast<int64_t>(TokenType::byte))
                throw Error(ErrorKind::bad_file, "tokenizer.ggml.token_type[" + std::to_string(i) + "] = " + std::to_string(type) +
                                                     " is not a token type (0..6)");
            info_[i].type = static_cast<TokenType>(type);
        }
        if (info_[i].type == TokenType::byte && parse_byte_token(text) < 0)
            throw Error(ErrorKind::bad_file, "byte token " + std::to_string(i) + " is " + quoted(text) + ", not <0xXX>");
    }
    offsets_.push_back(static_cast<uint32_t>(texts_.size()));

    ids_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const auto id = static_cast<int32_t>(i);
        const auto [it, inserted] = ids_.emplace(text(id), id);
        if (!inserted)
            throw Error(ErrorKind::bad_file, "duplicate token " + quoted(text(id)) + " at ids " + std::to_string(it->second) + " and " +
                                                 std::to_string(i));
    }
}

void Vocab::load_merges(const VocabSpec& spec) {
    if (spec.merges.empty()) throw Error(ErrorKind::bad_file, "tokenizer.ggml.merges is missing or empty (needed by a BPE vocab)");
    if (spec.merges.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error(ErrorKind::bad_file, "tokenizer.ggml.merges has too many entries");
    size_t total = 0;
    for (const std::string& merge : spec.merges) total += merge.size();
    merge_texts_.reserve(total);
    for (const std::string& merge : spec.merges) merge_texts_.insert(merge_texts_.end(), merge.begin(), merge.end());

    merge_ranks_.reserve(spec.merges.size());
    size_t offset = 0;
    for (size_t rank = 0; rank < spec.merges.size(); ++rank) {
        const std::string_view merge(merge_texts_.data() + offset, spec.merges[rank].size());
        offset += merge.size();
        // The separator is the first space after the first byte, as llama.cpp splits it.
        const size_t space = merge.size() < 2 ? std::string_view::npos : merge.find(' ', 1);
        if (space == std::string_view::npos)
            throw Error(ErrorKind::bad_file, "tokenizer.ggml.merges[" + std::to_string(rank) + "] = " + quoted(merge) + " is not 'left right'");
        merge_ranks_.emplace(merge, static_cast<int32_t>(rank));  // a repeated merge keeps its first rank
    }
}

std::string_view Vocab::text(int32_t id) const {
    const auto i = static_cast<size_t>(id);
    return {texts_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
}

std::optional<int32_t> Vocab::find(std::string_view text) const {
    const auto it = ids_.find(text);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

int32_t Vocab::merge_rank(std::string_view left, std::string_view right) const {
    const auto it = merge_ranks_.find(MergeKey{left, right});
    return it == merge_ranks_.end() ? -1 : it->second;
}

uint8_t Vocab::token_byte(int32_t id) const { return static_cast<uint8_t>(std::max(0, parse_byte_token(text(id)))); }

bool Vocab::is_end_of_generation(int32_t id) const {
    return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

void Vocab::index_special_tokens() {
    for (int32_t id = 0; id < size(); ++id) {
        const TokenType t = type(id);
        if (t == TokenType::control || t == TokenType::user_defined || t == TokenType::unknown) special_by_length_.push_back(id);
    }
    std::stable_sort(special_by_length_.begin(), special_by_length_.end(),
                     [this](int32_t a, int32_t b) { return text(a).size() > text(b).size(); });
}

void Vocab::index_byte_tokens() {
    if (kind_ != VocabKind::spm) return;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (int byte = 0; byte < 256; ++byte) {
        const std::string name = {'<', '0', 'x', hex[byte >> 4], hex[byte & 15], '>'};
        if (auto id = find(name)) {
            byte_tokens_[static_cast<size_t>(byte)] = *id;
        } else if (auto single = find(std::string(1, static_cast<char>(byte)))) {
            byte_tokens_[static_cast<size_t>(byte)] = *single;
        }
    }
}

}  // namespace hearth::tokenizer
