#include "core/engine/session.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/error.h"

namespace hearth {

namespace {

int32_t pages_for_context(const SessionOptions& options) {
    require(options.n_ctx > 0 && options.n_batch > 0 && options.page_size > 0, ErrorKind::bad_request,
            "context, batch and page sizes must be positive");
    return (options.n_ctx + options.page_size - 1) / options.page_size;
}

}  // namespace

Session::Session(Model& model, const SessionOptions& options)
    : model_(model),
      options_(options),
      pages_(model.create_kv_pages(pages_for_context(options), options.page_size, options.kv_type)),
      kv_(pages_->layout().n_pages, options.page_size),
      sequence_(kv_.add_sequence()) {}

std::span<const float> Session::feed(std::span<const int32_t> tokens, LogitsWanted wanted) {
    const int64_t n = static_cast<int64_t>(tokens.size());
    require(n > 0, ErrorKind::bad_request, "nothing to evaluate: no tokens");
    const int32_t n_past = this->n_past();
    require(n_past + n <= options_.n_ctx, ErrorKind::bad_request, [&] {
        return "context overflow: " + std::to_string(n_past) + " + " + std::to_string(n) + " tokens exceed the context size " +
               std::to_string(options_.n_ctx);
    });
    const size_t n_vocab = static_cast<size_t>(model_.config().n_vocab);
    logits_.resize((wanted == LogitsWanted::all ? n : 1) * n_vocab);

    std::vector<PageCopy> copies;  // stays empty: this sequence shares no page
    require(kv_.reserve(sequence_, static_cast<int32_t>(n), copies) && copies.empty(), ErrorKind::internal,
            "session KV pages exhausted below the context size");
    const std::vector<int32_t> sequences(std::min<int64_t>(n, options_.n_batch), 0);
    const std::span<const int32_t> table = kv_.block_table(sequence_);
    std::vector<int32_t> positions, logit_rows;
    for (int64_t start = 0; start < n; start += options_.n_batch) {
        const int64_t count = std::min<int64_t>(options_.n_batch, n - start);
        positions.resize(count);
        std::iota(positions.begin(), positions.end(), this->n_past());
        logit_rows.clear();
        if (wanted == LogitsWanted::all) {
            for (int32_t i = 0; i < count; ++i) logit_rows.push_back(i);
        } else if (start + count == n) {
            logit_rows.push_back(static_cast<int32_t>(count - 1));
        }
        const size_t out_offset = wanted == LogitsWanted::all ? start * n_vocab : 0;
        const ForwardBatch batch{tokens.subspan(start, count), positions,
                                 std::span<const int32_t>(sequences).first(count), std::span(&table, 1), logit_rows};
        model_.forward(batch, *pages_, std::span<float>(logits_).subspan(out_offset, logit_rows.size() * n_vocab));
        kv_.append(sequence_, batch.tokens);
    }
    return logits_;
}

void Session::rewind(int32_t n) {
    require(n >= 0 && n <= n_past(), ErrorKind::internal, "rewind past the start or end of the history");
    kv_.truncate(sequence_, n);
}

}  // namespace hearth
