#include "core/tokenizer/pretokenizer.h"

#include <algorithm>
#include <span>

#include "core/error.h"
#include "core/tokenizer/unicode.h"

namespace hearth::tokenizer {
namespace {

// The pre-tokenizer regexes of the models' tokenizer.json files, in the forms llama.cpp runs
// (where it rewrote one, e.g. \p{Lu} lookaheads, the rewritten form is used so ids match).
constexpr std::string_view gpt2_re = R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)re";
constexpr std::string_view llama3_re =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view qwen2_re =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view qwen35_re =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view seed_coder_re =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view bailing_re =
    R"re('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)re";
constexpr std::string_view tekken_re =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view gpt4o_re =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr std::string_view poro_re = R"re( ?[^(\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+)re";
// Cased letters as DeepSeek-LLM lists them (written as escapes: several are compatibility
// characters that text editors silently normalize, e.g. U+212A KELVIN SIGN).
constexpr std::string_view deepseek_llm_letters_re =
    R"re(\s?[\u0041-\u005A\u0061-\u007A\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293)re"
    R"re(\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5)re"
    R"re(\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF)re"
    R"re(\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57)re"
    R"re(\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3)re"
    R"re(\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124)re"
    R"re(\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B)re"
    R"re(\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E)re"
    R"re(\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\u{10400}-\u{1044F}\u{104B0}-\u{104D3})re"
    R"re(\u{104D8}-\u{104FB}\u{10C80}-\u{10CB2}\u{10CC0}-\u{10CF2}\u{118A0}-\u{118DF}\u{1E900}-\u{1E943}]+)re";
constexpr std::string_view cjk_hangul_re = R"re([\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+)re";

struct Spec {
    std::vector<std::string_view> names;
    std::vector<std::string_view> patterns;
    PreTokenizerTraits traits;
};

constexpr PreTokenizerTraits plain{};
constexpr PreTokenizerTraits no_clean{.clean_spaces = false};

const std::vector<Spec>& specs() {
    static const std::vector<Spec> table = {
        {{"default", ""},
         {R"re([\p{P}\$\+<=>\^~\|]+)re", gpt2_re, R"re(\p{N}+)re", "[0-9][0-9][0-9]"},
         plain},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"},
         {llama3_re},
         {.ignore_merges = true, .add_bos = true}},
        {{"dbrx", "smaug-bpe"}, {llama3_re}, plain},
        {{"glm4", "chatglm-bpe"}, {llama3_re}, {.drop_bos = true}},
        {{"deepseek-llm"},
         {"[\r\n]", deepseek_llm_letters_re, R"re(\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+)re",
          R"re(\s+$)re", cjk_hangul_re, R"re(\p{N}+)re"},
         no_clean},
        {{"deepseek-coder"}, {"[\r\n]", R"re(\s?\p{L}+)re", R"re(\s?\p{P}+)re", cjk_hangul_re, R"re(\p{N})re"}, no_clean},
        {{"deepseek-v3", "hunyuan-dense", "joyai-llm"},
         {R"re(\p{N}{1,3})re", R"re([\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+)re",
          R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re"},
         no_clean},
        {{"falcon"}, {R"re([\p{P}\$\+<=>\^~\|`]+)re", gpt2_re, "[0-9][0-9][0-9]"}, plain},
        {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum", "modern-bert",
          "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "gpt-neox", "olmo", "jais", "exaone4"},
         {gpt2_re},
         plain},
        {{"trillion", "granite-docling"}, {gpt2_re}, no_clean},
        {{"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"}, {R"re(\p{N})re", gpt2_re}, plain},
        {{"command-r", "smollm"}, {R"re(\p{N})re", gpt2_re}, no_clean},
        {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "grok-2", "solar-open"}, {qwen2_re}, no_clean},
        {{"stablelm2", "megrez"}, {qwen2_re}, plain},
        {{"qwen35"}, {qwen35_re}, no_clean},
        {{"seed-coder"}, {seed_coder_re}, no_clean},
        {{"bailingmoe", "bailingmoe2", "llada-moe"}, {bailing_re}, no_clean},
        {{"poro-chat"}, {poro_re}, no_clean},
        {{"bloom", "gpt3-finnish"}, {poro_re}, plain},
        {{"viking"}, {poro_re, R"re(\p{N})re"}, no_clean},
        {{"tekken"}, {tekken_re}, {.ignore_merges = true, .add_bos = true, .clean_spaces = false}},
        {{"gpt-4o", "llama4"}, {gpt4o_re}, no_clean},
        {{"chameleon"},
         {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\t\n]|    |  )", R"re(\p{N})re",
          R"re([\p{P}!-/:-@\[-`{-~])re", gpt2_re},
         {.add_bos = true, .clean_spaces = false}},
        {{"minicpm5"},
         {R"re(\p{N}{1,3})re",
          R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re"},
         {.ignore_merges = true}},
    };
    return table;
}

const Spec* find_spec(std::string_view name) {
    for (const Spec& spec : specs())
        if (std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end()) return &spec;
    return nullptr;
}

}  // namespace

bool is_known_pre_tokenizer(std::string_view name) { return find_spec(name) != nullptr; }

PreTokenizer PreTokenizer::for_name(std::string_view name) {
    const Spec* spec = find_spec(name);
    if (!spec) throw Error(ErrorKind::unsupported, "unsupported BPE pre-tokenizer tokenizer.ggml.pre = '" + std::string(name) + "'");
    return PreTokenizer(std::string(name.empty() ? "default" : name), spec->patterns, spec->traits);
}

PreTokenizer::PreTokenizer(std::string name, const std::vector<std::string_view>& patterns, PreTokenizerTraits traits)
    : name_(std::move(name)), traits_(traits) {
    regexes_.reserve(patterns.size());
    for (std::string_view pattern : patterns) regexes_.emplace_back(pattern);
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
    const std::vector<uint32_t> cpts = decode_utf8(text);
    // llama.cpp's std::regex path sees every non-ASCII white space as U+000B, so a literal
    // U+3000 in a pattern never matches; matching on the same view keeps the splits identical.
    std::vector<uint32_t> view = cpts;
    for (uint32_t& cpt : view)
        if (cpt >= 0x80 && is_whitespace(cpt)) cpt = 0x0B;

    std::vector<size_t> lengths = {cpts.size()};
    for (const Regex& regex : regexes_) {
        std::vector<size_t> next;
        size_t start = 0;
        for (size_t length : lengths) {
            RegexMatcher matcher(regex, std::span<const uint32_t>(view).subspan(start, length));
            size_t pos = 0;
            while (const auto match = matcher.search(pos)) {
                if (match->begin > pos) next.push_back(match->begin - pos);
                next.push_back(match->end - match->begin);
                pos = match->end;
            }
            if (pos < length) next.push_back(length - pos);
            start += length;
        }
        lengths = std::move(next);
    }

    std::vector<std::string> words;
    words.reserve(lengths.size());
    size_t start = 0;
    for (size_t length : lengths) {
        std::string word;
        for (size_t i = start; i < start + length; ++i) append_utf8(word, cpts[i]);
        words.push_back(std::move(word));
        start += length;
    }
    return words;
}

}  // namespace hearth::tokenizer
