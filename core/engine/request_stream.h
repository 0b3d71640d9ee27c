#pragma once
// A submitted request as its frontend sees it: tokens arrive from the engine thread into a
// queue that the frontend's own thread drains, blocking or with a timeout, so the engine never
// waits on a slow client.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "core/sched/request.h"

namespace hearth {

class RequestStream {
public:
    explicit RequestStream(RequestId id) : id_(id) {}
    RequestId id() const { return id_; }

    // The next token, waiting for it; nothing once the request has finished and every token was
    // taken (result() is then final).
    std::optional<GeneratedToken> next();
    // Like next(), but gives up after timeout: then nothing, with finished() still false.
    std::optional<GeneratedToken> next_for(std::chrono::milliseconds timeout);
    // Waits for the end; tokens not taken stay queued.
    RequestResult wait();
    bool finished() const;
    RequestResult result() const;  // meaningful once finished()

    // Called by the engine thread.
    void push(const GeneratedToken& token);
    void close(const RequestResult& result);

private:
    std::optional<GeneratedToken> pop_locked();

    const RequestId id_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<GeneratedToken> tokens_;
    std::optional<RequestResult> result_;
};

}  // namespace hearth
