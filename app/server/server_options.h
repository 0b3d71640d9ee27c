#pragma once
// How `hearth serve` listens and what it allows. Safe by default: loopback only, no CORS, limits
// on bodies, prompts and max_tokens.
#include <cstdint>
#include <string>

#include "app/server/api_limits.h"

namespace hearth::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                // 0: any free port (see HttpServer::port())
    std::string api_key;            // empty: no authentication
    std::string cors_origin;        // empty: no CORS headers; "*" or one origin otherwise
    ApiLimits limits;
    int32_t max_prompt_tokens = 0;  // 0: up to the context size minus one
    int http_threads = 64;          // connections served at once (streams hold one each)
    std::string model_name;         // the name clients use; empty: the file name without .gguf
};

}  // namespace hearth::server
