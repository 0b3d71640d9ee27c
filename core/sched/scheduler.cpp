#include "core/sched/scheduler.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/sched/logprobs.h"

namespace hearth {
namespace {

double seconds_between(Sequence::Clock::time_point from, Sequence::Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

Scheduler::Scheduler(Model& model, const tokenizer::Tokenizer& tokenizer, KvPages& pages,
                     const SchedulerOptions& options)
    : model_(model),
      tokenizer_(tokenizer),
      pages_(pages),
      options_(options),
      kv_(pages.layout().n_pages, pages.layout().page_size) {
    require(options.n_ctx > 1 && options.max_batch_tokens > 0 && options.max_sequences > 0, ErrorKind::bad_request,
            "scheduler: context, batch and sequence limits must be positive");
    require(options.max_sequences <= options.max_batch_tokens, ErrorKind::bad_request,
            "scheduler: more sequences than rows per step could never all decode at once");
}

void Scheduler::validate(const Request& request) const {
    const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
    const int64_t kv_tokens = static_cast<int64_t>(pages_.layout().n_pages) * pages_.layout().page_size;
    require(n_prompt > 0, ErrorKind::bad_request, "the prompt is empty");
    require(n_prompt < options_.n_ctx, ErrorKind::bad_request,
            "the prompt has " + std::to_string(n_prompt) + " tokens; the context holds " + std::to_string(options_.n_ctx));
    require(n_prompt < kv_tokens, ErrorKind::bad_request,
            "the prompt has " + std::to_string(n_prompt) + " tokens; the KV cache holds " + std::to_string(kv_tokens));
    for (int32_t token : request.prompt)
        require(token >= 0 && token < model_.config().n_vocab, ErrorKind::bad_request,
                [&] { return "token id " + std::to_string(token) + " is outside the vocabulary"; });
    require(request.top_logprobs >= -1 && request.top_logprobs <= 20, ErrorKind::bad_request,
            "top_logprobs must be between 0 and 20");
    require(request.n_keep >= 0 && request.n_keep < options_.n_ctx / 2, ErrorKind::bad_request,
            "n_keep must leave at least half the context to shift");
    request.options.sampling.validate();
    require(request.options.max_tokens >= 0, ErrorKind::bad_request, "max_tokens must not be negative");
}

void Scheduler::add(RequestId id, Request request) {
    validate(request);
    for (const auto& seq : sequences_)
        require(seq->id != id, ErrorKind::internal, "request id " + std::to_string(id) + " is already queued");
    const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
    sequences_.push_back(std::make_unique<Sequence>(id, next_arrival_++, std::move(request), tokenizer_,
                                                    model_.config().n_vocab));
    counters_.prompt_tokens += n_prompt;
}

void Scheduler::cancel(RequestId id) {
    for (auto& seq : sequences_)
        if (seq->id == id) seq->cancel_requested = true;
}

void Scheduler::cancel_all() {
    for (auto& seq : sequences_) seq->cancel_requested = true;
}

std::vector<Sequence*> Scheduler::in_order() const {
    std::vector<Sequence*> order;
    for (const auto& seq : sequences_)
        if (!seq->done) order.push_back(seq.get());
    std::stable_sort(order.begin(), order.end(), [](const Sequence* a, const Sequence* b) { return a->before(*b); });
    return order;
}

int32_t Scheduler::running_count() const {
    return static_cast<int32_t>(std::count_if(sequences_.begin(), sequences_.end(),
                                              [](const auto& s) { return !s->done && s->holds_kv(); }));
}

void Scheduler::step() {
    ++counters_.steps;
    for (auto& seq : sequences_)
        if (seq->cancel_requested && !seq->done) finish(*seq, FinishReason::cancelled);

    std::vector<Planned> plan;
    std::vector<PageCopy> copies;
    const std::vector<Sequence*> order = in_order();
    plan_decodes(order, plan, copies);
    plan_prefills(in_order(), plan, copies);
    if (plan.empty()) {
        // Every running sequence is stuck waiting for pages the others hold: free the last one.
        const std::vector<Sequence*> now = in_order();
        const auto last_running = std::find_if(now.rbegin(), now.rend(), [](Sequence* s) { return s->holds_kv(); });
        if (last_running != now.rend()) {
            if (running_count() > 1) {
                preempt(**last_running);
            } else {
                finish(**last_running, FinishReason::error, "the sequence does not fit in the KV cache");
            }
        }
    } else {
        run(plan, copies);
    }
    remove_finished();
}

void Scheduler::plan_decodes(const std::vector<Sequence*>& order, std::vector<Planned>& plan,
                             std::vector<PageCopy>& copies) {
    for (Sequence* seq : order) {
        if (!seq->holds_kv() || seq->pending() != 1) continue;
        while (!kv_.reserve(seq->kv, 1, copies)) {
            // The victim is the last running sequence in order that is not planned yet.
            Sequence* victim = nullptr;
            for (auto it = order.rbegin(); it != order.rend() && *it != seq; ++it)
                if ((*it)->holds_kv() && !(*it)->done) {
                    victim = *it;
                    break;
                }
            if (!victim) {
                if (running_count() == 1) {
                    finish(*seq, FinishReason::context_full);  // it alone fills the cache
                } else {
                    preempt(*seq);
                }
                break;
            }
            preempt(*victim);
        }
        if (seq->holds_kv() && !seq->done) plan.push_back(Planned{seq, 1, true});
    }
}

int32_t Scheduler::rows_that_fit(const Sequence& seq, int32_t wanted) const {
    int32_t lo = 0, hi = wanted;  // the largest count whose pages are free
    while (lo < hi) {
        const int32_t mid = lo + (hi - lo + 1) / 2;
        if (kv_.pages_needed(seq.kv, mid) <= kv_.free_pages()) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

bool Scheduler::admit(Sequence& seq) {
    if (running_count() >= options_.max_sequences) return false;
    seq.kv = kv_.add_sequence();
    const int32_t reusable = static_cast<int32_t>(seq.tokens.size()) - 1;  // the last token is computed for its logits
    seq.computed = kv_.reuse_prefix(seq.kv, seq.tokens, reusable);
    if (!seq.admitted_once) {
        seq.admitted_once = true;
        seq.result.prompt_tokens_cached = seq.computed;
        seq.result.timing.queue_seconds = seconds_between(seq.submitted, Sequence::Clock::now());
    }
    return true;
}

void Scheduler::plan_prefills(const std::vector<Sequence*>& order, std::vector<Planned>& plan,
                              std::vector<PageCopy>& copies) {
    int32_t budget = options_.max_batch_tokens - static_cast<int32_t>(plan.size());
    for (Sequence* seq : order) {
        if (budget <= 0) break;
        if (seq->done || (seq->holds_kv() && seq->pending() <= 1)) continue;
        const bool waiting = !seq->holds_kv();
        if (waiting && !admit(*seq)) break;  // first come first served: nobody overtakes it
        const int32_t count = rows_that_fit(*seq, std::min(seq->pending(), budget));
        if (count == 0) {
            if (waiting) {  // no room yet: back to the queue, returning the prefix pages it took
                kv_.remove_sequence(seq->kv);
                seq->kv = -1;
                seq->computed = 0;
                break;
            }
            continue;
        }
        require(kv_.reserve(seq->kv, count, copies), ErrorKind::internal, "KV pages vanished while planning");
        plan.push_back(Planned{seq, count, false});
        budget -= count;
    }
}

void Scheduler::run(const std::vector<Planned>& plan, const std::vector<PageCopy>& copies) {
    for (const PageCopy& copy : copies) model_.backend().copy_kv_page(pages_, copy.from, copy.to);
    std::vector<int32_t> tokens, positions, rows_sequence, logit_rows;
    std::vector<std::span<const int32_t>> tables;
    std::vector<Sequence*> logit_owners;
    for (size_t b = 0; b < plan.size(); ++b) {
        Sequence& seq = *plan[b].seq;
        tables.push_back(kv_.block_table(seq.kv));
        for (int32_t i = 0; i < plan[b].count; ++i) {
            tokens.push_back(seq.tokens[seq.computed + i]);
            positions.push_back(seq.computed + i);
            rows_sequence.push_back(static_cast<int32_t>(b));
        }
        if (seq.computed + plan[b].count == static_cast<int32_t>(seq.tokens.size())) {
            logit_rows.push_back(static_cast<int32_t>(tokens.size()) - 1);
            logit_owners.push_back(&seq);
        }
        if (!plan[b].decode) counters_.prefill_tokens_computed += plan[b].count;
    }
    const size_t n_vocab = static_cast<size_t>(model_.config().n_vocab);
    logits_.resize(logit_rows.size() * n_vocab);
    model_.forward(ForwardBatch{tokens, positions, rows_sequence, tables, logit_rows}, pages_, logits_);

    for (const Planned& p : plan) {
        kv_.append(p.seq->kv, std::span<const int32_t>(p.seq->tokens).subspan(p.seq->computed, p.count));
        p.seq->computed += p.count;
    }
    for (size_t i = 0; i < logit_owners.size(); ++i)
        on_logits(*logit_owners[i], std::span<const float>(logits_).subspan(i * n_vocab, n_vocab));
}

void Scheduler::on_logits(Sequence& seq, std::span<const float> logits) {
    if (seq.request.options.max_tokens == 0) {
        finish(seq, FinishReason::length);
        return;
    }
    GeneratedToken out;
    out.token = seq.sampler.sample(logits);
    seq.sampler.accept(out.token);
    if (seq.request.top_logprobs >= 0) fill_logprobs(logits, seq.request.top_logprobs, out);
    seq.last_token = Sequence::Clock::now();
    if (seq.text.generated() == 0) {
        seq.first_token = seq.last_token;
        seq.result.timing.time_to_first_token_seconds = seconds_between(seq.submitted, seq.first_token);
    }
    ++counters_.generated_tokens;
    seq.tokens.push_back(out.token);
    out.text = seq.text.push(out.token);
    const bool full = static_cast<int32_t>(seq.tokens.size()) >= options_.n_ctx;
    if (!seq.text.finished() && full && seq.request.on_overflow == ContextOverflow::finish)
        out.text += seq.text.finish(FinishReason::context_full);
    if (seq.request.on_token) seq.request.on_token(out);
    if (seq.text.finished()) {
        finish(seq, *seq.text.finished());
    } else if (full) {
        shift_context(seq);
    }
}

void Scheduler::shift_context(Sequence& seq) {
    const auto keep = static_cast<std::ptrdiff_t>(seq.request.n_keep);
    const auto discard = (static_cast<std::ptrdiff_t>(seq.tokens.size()) - keep) / 2;
    seq.tokens.erase(seq.tokens.begin() + keep, seq.tokens.begin() + keep + discard);
    kv_.remove_sequence(seq.kv);  // recomputed at the new positions (the kept prefix may be cached)
    seq.kv = -1;
    seq.computed = 0;
}

void Scheduler::preempt(Sequence& seq) {
    kv_.remove_sequence(seq.kv);
    seq.kv = -1;
    seq.computed = 0;
    ++seq.result.timing.preemptions;
    ++counters_.preemptions;
}

void Scheduler::finish(Sequence& seq, FinishReason reason, const std::string& error) {
    if (seq.holds_kv()) kv_.remove_sequence(seq.kv);
    seq.kv = -1;
    seq.done = true;
    seq.text.finish(reason);
    seq.result.finish = reason == FinishReason::error ? reason : seq.text.finished().value_or(reason);
    seq.result.error = error;
    seq.result.generated_tokens = seq.text.generated();
    if (seq.text.generated() > 0)
        seq.result.timing.decode_seconds = seconds_between(seq.first_token, seq.last_token);
    if (reason == FinishReason::cancelled) {
        ++counters_.cancelled;
    } else if (reason == FinishReason::error) {
        ++counters_.failed;
    } else {
        ++counters_.completed;
    }
    if (seq.request.on_finish) seq.request.on_finish(seq.result);
}

void Scheduler::remove_finished() {
    std::erase_if(sequences_, [](const auto& seq) { return seq->done; });
}

void Scheduler::fail_all(const std::string& message) {
    for (auto& seq : sequences_)
        if (!seq->done) finish(*seq, FinishReason::error, message);
    remove_finished();
}

SchedulerStats Scheduler::stats() const {
    SchedulerStats st = counters_;
    st.running = running_count();
    st.waiting = static_cast<int32_t>(sequences_.size()) - st.running;
    st.kv = kv_.stats();
    return st;
}

}  // namespace hearth
