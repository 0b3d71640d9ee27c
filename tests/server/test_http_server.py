"""Integration tests of `hearth serve` over loopback with real clients: the official `openai`
package (streaming and not), raw HTTP for the Ollama dialect and every other endpoint, auth,
malformed input, the history store, disconnect-cancels, shutdown, and a bounded load test.

Usage: test_http_server.py HEARTH MODEL   (skips when MODEL is absent; openai is required when
HEARTH_REQUIRE_OPENAI=1, as scripts/test sets, and skipped otherwise when it is not installed)
"""
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_client import Server, wait_until  # noqa: E402

KEY = "test-key-123"
AUTH = {"Authorization": "Bearer " + KEY}
GREEDY = {"temperature": 0}


def chat(content, **extra):
    return {"messages": [{"role": "user", "content": content}], "max_tokens": 12, **GREEDY, **extra}


# --- the official openai client -------------------------------------------------------------

def test_openai_client(server):
    try:
        import openai
    except ImportError:
        if os.environ.get("HEARTH_REQUIRE_OPENAI") == "1":
            raise
        print("  SKIPPED: the openai package is not installed")
        return
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key=KEY)
    models = [m.id for m in client.models.list().data]
    assert models == [server.model_name], models

    messages = [{"role": "user", "content": "Name three colours."}]
    whole = client.chat.completions.create(model=server.model_name, messages=messages, max_tokens=16, temperature=0)
    text = whole.choices[0].message.content
    assert text and whole.choices[0].finish_reason in ("stop", "length"), whole
    assert whole.usage.completion_tokens > 0 and whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens
    pieces, finish = [], None
    for chunk in client.chat.completions.create(model=server.model_name, messages=messages, max_tokens=16,
                                                temperature=0, stream=True):
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
    assert "".join(pieces) == text, ("streamed and whole greedy answers differ", pieces, text)
    assert finish == whole.choices[0].finish_reason

    done = client.completions.create(model=server.model_name, prompt="The capital of France is", max_tokens=8, temperature=0)
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=server.model_name, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True) if c.choices)
    assert done.choices[0].text == streamed and "Paris" in streamed, (done.choices[0].text, streamed)

    probs = client.chat.completions.create(model=server.model_name, messages=messages, max_tokens=6, temperature=0,
                                           logprobs=True, top_logprobs=3)
    content = probs.choices[0].logprobs.content
    assert len(content) == probs.usage.completion_tokens
    for entry in content:
        alternatives = [t.logprob for t in entry.top_logprobs]
        assert len(alternatives) == 3 and alternatives == sorted(alternatives, reverse=True)
        assert entry.top_logprobs[0].token == entry.token and entry.logprob <= 0  # greedy picks the top one

    try:
        client.chat.completions.create(model="no-such-model", messages=messages, max_tokens=4)
        raise AssertionError("an unknown model was accepted")
    except openai.NotFoundError:
        pass
    bad = openai.OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="wrong")
    try:
        bad.models.list()
        raise AssertionError("a wrong key was accepted")
    except openai.AuthenticationError:
        pass


# --- Ollama dialect and the other endpoints --------------------------------------------------

def test_ollama_endpoints(server):
    status, _, body = server.request("POST", "/api/chat", {"model": server.model_name, "stream": False,
                                                           "messages": [{"role": "user", "content": "Hi"}],
                                                           "options": {"num_predict": 6, "temperature": 0}}, AUTH)
    assert status == 200 and body["done"] and body["message"]["role"] == "assistant", body
    assert body["eval_count"] == 6 and body["prompt_eval_count"] > 0 and body["total_duration"] > 0
    lines = server.stream("/api/chat", {"messages": [{"role": "user", "content": "Hi"}],
                                        "options": {"num_predict": 6, "temperature": 0}}, AUTH)
    assert lines[-1]["done"] and not any(l["done"] for l in lines[:-1])
    assert "".join(l["message"]["content"] for l in lines) == body["message"]["content"]
    status, _, gen = server.request("POST", "/api/generate", {"prompt": "1, 2, 3,", "stream": False, "raw": True,
                                                              "options": {"num_predict": 4, "temperature": 0}}, AUTH)
    assert status == 200 and gen["response"] and gen["done_reason"] == "length", gen
    status, _, tags = server.request("GET", "/api/tags", headers=AUTH)
    assert status == 200 and tags["models"][0]["name"] == server.model_name
    assert tags["models"][0]["details"]["family"] == "llama"
    status, _, version = server.request("GET", "/api/version", headers=AUTH)
    assert status == 200 and version["version"]


def test_health_metrics_tokens(server):
    status, _, health = server.request("GET", "/health")  # open without a key
    assert status == 200 and health["backend"] == "cpu" and health["model"] == server.model_name, health
    assert "CPU" in health["device"] and health["n_ctx"] == 1024
    status, _, tokens = server.request("POST", "/tokenize", {"content": "Hello world"}, AUTH)
    assert status == 200 and len(tokens["tokens"]) >= 2
    status, _, text = server.request("POST", "/detokenize", {"tokens": tokens["tokens"]}, AUTH)
    assert status == 200 and text["content"] == "Hello world", text
    status, _, metrics = server.request("GET", "/metrics", headers=AUTH)
    for name in ("hearth_requests_total{", "hearth_time_to_first_token_seconds_bucket", "hearth_inter_token_seconds_count",
                 "hearth_queue_depth", "hearth_kv_pages_used", "hearth_kv_pages_cached", "hearth_prefix_cache_hit_rate",
                 "hearth_completion_tokens_total"):
        assert name in metrics, name
    status, headers, _ = server.request("GET", "/v1/models", headers={**AUTH, "Origin": "http://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers, headers  # CORS is off by default
    status, headers, page = server.request("GET", "/")  # the page is open too; it asks for the key
    assert status == 200 and "<title>Hearth</title>" in page and headers["Content-Type"].startswith("text/html")


def test_malformed_requests(server):
    cases = [
        ("POST", "/v1/chat/completions", "{not json", 400, "invalid_request_error", None),
        ("POST", "/v1/chat/completions", json.dumps([1, 2]), 400, "invalid_request_error", None),
        ("POST", "/v1/chat/completions", json.dumps(chat("x", temperature="hot")), 400, "invalid_request_error", "temperature"),
        ("POST", "/v1/chat/completions", json.dumps(chat("x", n=2)), 400, "invalid_request_error", "n"),
        ("POST", "/v1/chat/completions", json.dumps({"messages": []}), 400, "invalid_request_error", "messages"),
        ("POST", "/v1/chat/completions", json.dumps({"messages": [{"role": "wizard", "content": "x"}]}), 400,
         "invalid_request_error", None),
        ("POST", "/v1/chat/completions", json.dumps(chat("x", max_tokens=-5)), 400, "invalid_request_error", "max_tokens"),
        ("POST", "/v1/chat/completions", json.dumps(chat("x", model="gpt-9")), 404, None, None),
        ("POST", "/v1/completions", json.dumps({"max_tokens": 3}), 400, "invalid_request_error", "prompt"),
        ("POST", "/v1/completions", json.dumps({"prompt": "word " * 700, "max_tokens": 3}), 400, "invalid_request_error", "prompt"),
        ("POST", "/tokenize", json.dumps({"content": 5}), 400, "invalid_request_error", "content"),
        ("POST", "/detokenize", json.dumps({"tokens": [10 ** 9]}), 400, "invalid_request_error", None),
        ("GET", "/v1/nothing-here", None, 404, None, None),
    ]
    for method, path, raw, want_status, want_type, want_param in cases:
        status, _, body = server.request(method, path, headers=AUTH, raw=raw)
        assert status == want_status, (path, raw and raw[:60], status, body)
        assert isinstance(body, dict) and "message" in body["error"], body
        if want_type:
            assert body["error"]["type"] == want_type, body
        if want_param:
            assert body["error"]["param"] == want_param, body
    status, _, body = server.request("POST", "/v1/completions", headers=AUTH,
                                     raw=json.dumps({"prompt": "word " * 700, "max_tokens": 3}))
    assert body["error"]["code"] == "context_length_exceeded", body
    status, _, body = server.request("POST", "/v1/chat/completions", headers=AUTH, raw="x" * (9 << 20))
    assert status == 413, status
    status, _, body = server.request("POST", "/api/chat", {"messages": "nope"}, AUTH)
    assert status == 400 and isinstance(body["error"], str), body  # Ollama's error shape
    status, _, body = server.request("POST", "/v1/chat/completions", chat("x"))  # no key
    assert status == 401 and body["error"]["type"] == "authentication_error", body
    status, _, health = server.request("GET", "/health")
    assert status == 200  # still serving


def test_history(server, db_path):
    status, headers, first = server.request("POST", "/v1/chat/completions", chat("Remember the number 7.", store=True), AUTH)
    assert status == 200, first
    conversation = int(headers["X-Hearth-Conversation-Id"])
    reply = first["choices"][0]["message"]["content"]
    follow = {"conversation_id": conversation, **chat("What number?")}
    follow["messages"] = [{"role": "user", "content": "Remember the number 7."}, {"role": "assistant", "content": reply},
                          {"role": "user", "content": "What number?"}]
    status, headers, second = server.request("POST", "/v1/chat/completions", follow, AUTH)
    assert status == 200 and int(headers["X-Hearth-Conversation-Id"]) == conversation
    status, _, listing = server.request("GET", "/v1/conversations", headers=AUTH)
    assert any(c["id"] == conversation for c in listing["data"]), listing
    status, _, stored = server.request("GET", f"/v1/conversations/{conversation}", headers=AUTH)
    roles = [m["role"] for m in stored["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"], stored
    assert stored["messages"][3]["content"] == second["choices"][0]["message"]["content"]
    with sqlite3.connect(db_path) as db:  # the real file holds them too
        count = db.execute("SELECT COUNT(*) FROM messages WHERE conversation_id = ?", (conversation,)).fetchone()[0]
    assert count == 4, count
    status, _, _ = server.request("DELETE", f"/v1/conversations/{conversation}", headers=AUTH)
    assert status == 200
    status, _, body = server.request("GET", f"/v1/conversations/{conversation}", headers=AUTH)
    assert status == 404, body
    status, _, body = server.request("POST", "/v1/chat/completions", {"conversation_id": 99999, **chat("x")}, AUTH)
    assert status == 404, body


def engine_idle(server):
    _, _, health = server.request("GET", "/health")
    return health["requests_running"] == 0 and health["requests_waiting"] == 0


def kv_pages_used(server):
    _, _, metrics = server.request("GET", "/metrics", headers=AUTH)
    for line in metrics.splitlines():
        if line.startswith("hearth_kv_pages_used "):
            return float(line.split()[1])
    raise AssertionError("no hearth_kv_pages_used")


def test_disconnect_cancels(server):
    events = server.stream("/v1/chat/completions", chat("Count to a thousand.", max_tokens=900, stream=True), AUTH,
                           stop_after=3)
    assert len(events) == 3
    wait_until(lambda: engine_idle(server), what="the abandoned stream to be cancelled")
    assert kv_pages_used(server) == 0


def test_load(server, clients=32, per_client=2, max_tokens=8):
    """Clients at once, each a few requests, some cancelled midway; all others must be whole."""
    latencies, errors, complete, cancelled = [], [], [0], [0]
    lock = threading.Lock()

    def client(index):
        rng = random.Random(index)
        for r in range(per_client):
            body = chat(f"Client {index} asks question {r}: what is {index} + {r}?", max_tokens=max_tokens, stream=True)
            start = time.time()
            try:
                if rng.random() < 0.25:
                    server.stream("/v1/chat/completions", body, AUTH, stop_after=2)
                    with lock:
                        cancelled[0] += 1
                    continue
                events = server.stream("/v1/chat/completions", body, AUTH)
                assert events[-1] == "[DONE]", events[-1]
                finishes = [e["choices"][0]["finish_reason"] for e in events[:-1] if e["choices"]]
                assert finishes[-1] in ("stop", "length") and all(f is None for f in finishes[:-1]), finishes
                with lock:
                    complete[0] += 1
                    latencies.append(time.time() - start)
            except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    errors.append(repr(e))

    start = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - start
    assert not errors, errors[:3]
    wait_until(lambda: engine_idle(server), what="the engine to drain")
    assert kv_pages_used(server) == 0
    status, _, _ = server.request("POST", "/v1/chat/completions", chat("Still there?"), AUTH)
    assert status == 200
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(f"  load: {clients} clients x {per_client} requests: {complete[0]} complete, {cancelled[0]} cancelled, "
          f"0 errors, {complete[0] / wall:.2f} requests/s, latency p50 {statistics.median(latencies):.2f} s "
          f"p99 {p99:.2f} s")


def test_no_key_and_cors_then_shutdown_mid_stream(hearth, model):
    server = Server(hearth, model, "-c", "512", "--cors-origin", "http://app.example")
    status, headers, models = server.request("GET", "/v1/models")  # no key configured: open
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == "http://app.example", headers
    status, headers, _ = server.request("OPTIONS", "/v1/chat/completions")
    assert status == 204 and "Authorization" in headers.get("Access-Control-Allow-Headers", ""), (status, headers)
    result = []
    t = threading.Thread(target=lambda: result.append(server.stream("/v1/chat/completions",
                                                                    chat("Tell a long story.", max_tokens=400, stream=True))))
    t.start()
    time.sleep(1.0)
    code = server.stop()
    t.join(timeout=20)
    assert code == 0, code


def main():
    hearth, model = sys.argv[1], sys.argv[2]
    if not os.path.exists(model):
        print(f"SKIPPED: {model} is absent (scripts/fetch-models fetches it)")
        return 0
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "history.db")
        server = Server(hearth, model, "--api-key", KEY, "--history", db_path, "-np", "4", "-c", "1024",
                        "--max-prompt-tokens", "512")
        server.model_name = os.path.basename(model)[: -len(".gguf")]
        tests = [("openai client", lambda: test_openai_client(server)),
                 ("ollama endpoints", lambda: test_ollama_endpoints(server)),
                 ("health, metrics, tokens", lambda: test_health_metrics_tokens(server)),
                 ("malformed requests", lambda: test_malformed_requests(server)),
                 ("history", lambda: test_history(server, db_path)),
                 ("disconnect cancels", lambda: test_disconnect_cancels(server)),
                 ("load", lambda: test_load(server))]
        for name, test in tests:
            try:
                test()
                print(f"ok   {name}")
            except Exception:  # noqa: BLE001
                failures += 1
                print(f"FAIL {name}\n{traceback.format_exc()}")
        code = server.stop()
        if code != 0:
            failures += 1
            print(f"FAIL server exit code {code}: {server.proc.stderr.read()[-2000:]}")
        try:
            test_no_key_and_cors_then_shutdown_mid_stream(hearth, model)
            print("ok   no key, CORS, shutdown mid-stream")
        except Exception:  # noqa: BLE001
            failures += 1
            print(f"FAIL no key, CORS, shutdown mid-stream\n{traceback.format_exc()}")
    print("all HTTP checks passed" if failures == 0 else f"{failures} HTTP check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
