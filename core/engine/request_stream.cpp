#include "core/engine/request_stream.h"

namespace hearth {

std::optional<GeneratedToken> RequestStream::pop_locked() {
    if (tokens_.empty()) return std::nullopt;
    GeneratedToken token = std::move(tokens_.front());
    tokens_.pop_front();
    return token;
}

std::optional<GeneratedToken> RequestStream::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !tokens_.empty() || result_.has_value(); });
    return pop_locked();
}

std::optional<GeneratedToken> RequestStream::next_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return !tokens_.empty() || result_.has_value(); });
    return pop_locked();
}

RequestResult RequestStream::wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return result_.has_value(); });
    return *result_;
}

bool RequestStream::finished() const {
    std::lock_guard lock(mutex_);
    return result_.has_value();
}

RequestResult RequestStream::result() const {
    std::lock_guard lock(mutex_);
    return result_.value_or(RequestResult{});
}

void RequestStream::push(const GeneratedToken& token) {
    {
        std::lock_guard lock(mutex_);
        tokens_.push_back(token);
    }
    changed_.notify_all();
}

void RequestStream::close(const RequestResult& result) {
    {
        std::lock_guard lock(mutex_);
        result_ = result;
    }
    changed_.notify_all();
}

}  // namespace hearth
