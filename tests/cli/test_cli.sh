#!/usr/bin/env bash
# End-to-end checks of the `hearth` binary: output on stdout only, exit codes, error messages.
# Usage: test_cli.sh HEARTH_BINARY. Needs the default model in the cache (scripts/fetch-models).
set -u
hearth=$1
model_dir=${HEARTH_MODEL_DIR:-$HOME/.cache/hearth/models}
model=$model_dir/SmolLM2-135M-Instruct.Q4_1.gguf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE PATTERN -- command...: exit code and a stderr pattern.
expect_exit() {
  local code=$1 pattern=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  [ "$rc" -eq "$code" ] || fail "$* exited $rc, expected $code ($(head -c 300 "$tmp/err"))"
  grep -q -- "$pattern" "$tmp/err" || fail "$*: stderr lacks '$pattern': $(head -c 300 "$tmp/err")"
}

expect_exit 2 "usage" -- "$hearth"
expect_exit 2 "unknown command" -- "$hearth" frobnicate
expect_exit 3 "no-such.gguf" -- "$hearth" info "$tmp/no-such.gguf"
printf 'not a gguf file at all' >"$tmp/text.gguf"
expect_exit 3 "bad_file" -- "$hearth" info "$tmp/text.gguf"

if [ ! -f "$model" ]; then
  echo "SKIP: model checks, $model is absent (scripts/fetch-models smollm2)"
  exit "$failures"
fi

head -c 3000000 "$model" >"$tmp/truncated.gguf"
expect_exit 3 "bad_file" -- "$hearth" run -m "$tmp/truncated.gguf" -p hi -n 1
expect_exit 2 "--temp expects a number" -- "$hearth" run -m "$model" -p hi --temp warm
expect_exit 2 "unknown option --tmep" -- "$hearth" run -m "$model" -p hi --tmep 1
printf 'A short text.\n' >"$tmp/short.txt"
expect_exit 2 "at least 1024 tokens" -- "$hearth" perplexity -m "$model" -f "$tmp/short.txt"

"$hearth" info "$model" >"$tmp/info" 2>&1 || fail "info exited $?"
grep -Eq '^0 +token_embd.weight +Q8_0 +576 x 49152' "$tmp/info" || fail "info lacks the token_embd row"
grep -q 'tokenizer.ggml.pre *"smollm"' "$tmp/info" || fail "info lacks tokenizer.ggml.pre"

# Greedy: the first 8 tokens of the llama.cpp golden for this prompt, and nothing else on stdout.
"$hearth" run -m "$model" -p "The capital of France is" -n 8 --temp 0 -t 2 >"$tmp/run" 2>"$tmp/run.err" || fail "run exited $?"
printf ' Paris.\n\nThe United States has\n' | cmp -s - "$tmp/run" || fail "run printed: $(cat "$tmp/run")"
grep -q "tokens/s" "$tmp/run.err" || fail "run printed no timing on stderr"

printf 'What is 2+2?\n/exit\n' | "$hearth" chat -m "$model" --temp 0 -n 24 -t 2 >"$tmp/chat" 2>&1 || fail "chat exited $?"
grep -q "4" "$tmp/chat" || fail "chat answer lacks 4: $(cat "$tmp/chat")"

# bench: llama-bench's JSON field names, one object per test, positive throughput; with
# --bandwidth, generation's repetitions each against the readings on either side of it.
"$hearth" bench -m "$model" -p 16 -n 4 -r 2 -t 2 --bandwidth --json >"$tmp/bench.json" 2>"$tmp/bench.err" ||
  fail "bench exited $?"
python3 - "$tmp/bench.json" <<'PY' || fail "bench JSON: $(head -c 300 "$tmp/bench.json")"
import json, statistics, sys
rows = json.load(open(sys.argv[1]))
assert [(r["n_prompt"], r["n_gen"], r["n_depth"]) for r in rows] == [(16, 0, 0), (0, 4, 0)], rows
for r in rows:
    assert r["n_threads"] == 2 and len(r["samples_ts"]) == 2 and r["avg_ts"] > 0 and r["stddev_ts"] >= 0
prompt, gen = rows
assert "bandwidth_shares" not in prompt, prompt
readings, shares = gen["read_bandwidth_samples_gbps"], gen["bandwidth_shares"]
assert len(readings) == 3 and min(readings) > 0 and len(shares) == 2, gen
# A repetition's share times its mean reading over its tokens/s is the bytes a token reads.
per_token = [s * (readings[i] + readings[i + 1]) / 2 / gen["samples_ts"][i] for i, s in enumerate(shares)]
assert abs(per_token[0] / per_token[1] - 1) < 1e-9, per_token
assert abs(gen["weight_gbps"] / gen["avg_ts"] / per_token[0] - 1) < 1e-9, (gen["weight_gbps"], per_token)
assert abs(gen["bandwidth_share"] - statistics.median(shares)) < 1e-12 and gen["read_bandwidth_gbps"] == statistics.median(readings), gen
PY
expect_exit 2 "expects non-negative integers" -- "$hearth" bench -m "$model" -p 16,x

# bench -np: streams through the engine; n_parallel as llama.cpp's server benchmarks name it.
"$hearth" bench -m "$model" -np 1,3 -p 8 -n 4 -r 2 -t 2 --json >"$tmp/bench-np.json" 2>"$tmp/bench-np.err" ||
  fail "bench -np exited $?: $(cat "$tmp/bench-np.err")"
python3 - "$tmp/bench-np.json" <<'PY' || fail "bench -np JSON: $(head -c 300 "$tmp/bench-np.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["n_parallel"], r["n_prompt"], r["n_gen"]) for r in rows] == [(1, 8, 4), (3, 8, 4)], rows
for r in rows:
    assert len(r["samples_ts"]) == 2 and r["avg_ts"] > 0 and 0 < r["ttft_p50_ms"] <= r["ttft_p99_ms"]
    assert 0 <= r["kv_waste"] < 1
PY

[ "$failures" -eq 0 ] && echo "all CLI checks passed"
exit "$failures"
