// `hearth bench`: throughput in the manner of llama-bench (-p 512 -n 128 -r 5 -t N -d 1024),
// as a markdown table or JSON whose field names follow llama-bench's, so scripts written for it
// read ours. Each figure is the mean over repetitions with its standard deviation.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/bench_memory.h"
#include "app/cli/bench_parallel.h"
#include "app/cli/bench_runner.h"
#include "app/cli/bench_stats.h"
#include "app/cli/commands.h"
#include "app/cli/common_options.h"
#include "core/error.h"

namespace hearth::cli {
namespace {

std::vector<int32_t> int_list(const Args& args, const std::string& name, int32_t fallback) {
    std::vector<int32_t> values;
    for (const std::string& item : args.get_all(name)) {
        std::stringstream parts(item);
        std::string part;
        while (std::getline(parts, part, ',')) {
            try {
                size_t used = 0;
                const int value = std::stoi(part, &used);
                require(used == part.size() && value >= 0, ErrorKind::bad_request, "");
                values.push_back(value);
            } catch (const std::exception&) {
                throw Error(ErrorKind::bad_request, "option " + name + " expects non-negative integers, got '" + part + "'");
            }
        }
    }
    if (values.empty()) values.push_back(fallback);
    return values;
}

struct ModelFacts {
    std::string filename, type;
    uint64_t size = 0, n_params = 0, bytes_per_token = 0;
};

ModelFacts model_facts(const LoadedModel& loaded) {
    ModelFacts facts;
    const LoadedModel::Facts model = loaded.facts();
    facts.filename = std::filesystem::path(loaded.file().path()).filename().string();
    facts.size = model.weight_bytes;
    facts.bytes_per_token = model.bytes_per_token;
    facts.n_params = model.n_params;
    facts.type = loaded.model().config().architecture + " " + model.size_label + " " + model.main_type;
    return facts;
}

// llama-bench's spelling of the backend column.
const char* backend_label(const LoadedModel& loaded) { return loaded.backend().name() == "vulkan" ? "Vulkan" : "CPU"; }

nlohmann::json to_json(const BenchResult& r, const ModelFacts& facts, const LoadedModel& loaded, const BenchOptions& options,
                       int threads, const std::string& when) {
    const std::string kv_name = options.kv_type == DType::Q8_0 ? "q8_0" : "f16";  // llama-bench's spelling
    return {
        {"model_filename", facts.filename}, {"model_type", facts.type}, {"model_size", facts.size},
        {"model_n_params", facts.n_params}, {"backends", backend_label(loaded)},
        {"cpu_info", loaded.backend().device_description()},
        {"n_batch", options.n_batch}, {"n_ubatch", options.n_batch}, {"n_threads", threads}, {"type_k", kv_name},
        {"type_v", kv_name}, {"n_prompt", r.test.n_prompt}, {"n_gen", r.test.n_gen}, {"n_depth", r.test.n_depth},
        {"test_time", when}, {"avg_ns", static_cast<uint64_t>(r.avg_ns())}, {"stddev_ns", static_cast<uint64_t>(r.stddev_ns())},
        {"avg_ts", r.avg_ts()}, {"stddev_ts", r.stddev_ts()}, {"samples_ns", r.samples_ns}, {"samples_ts", r.samples_ts()},
    };
}

std::string now_iso8601() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return text;
}

int print_parallel(const Args& args, const LoadedModel& loaded, const ModelFacts& facts, const std::string& format,
                   int threads) {
    ParallelBenchOptions options;
    options.repetitions = args.get_int("-r", 3);
    options.max_batch_tokens = args.get_int("-b", 512);
    options.kv_bytes = static_cast<int64_t>(args.get_int("--kv-mib", 0)) << 20;
    options.kv_type = kv_type(args);
    nlohmann::json all = nlohmann::json::array();
    if (format == "md") {
        std::printf("| model | threads | streams | test | aggregate t/s | TTFT p50 ms | TTFT p99 ms | KV waste |\n");
        std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }
    for (int32_t np : int_list(args, "-np", 1)) {
        for (int32_t p : int_list(args, "-p", 128)) {
            for (int32_t n : int_list(args, "-n", 128)) {
                const ParallelBenchResult r = run_parallel_bench(loaded, ParallelBenchTest{np, p, n}, options);
                if (format == "md") {
                    std::printf("| %s | %d | %d | pp%d+tg%d | %.2f ± %.2f | %.0f | %.0f | %.1f%% |\n", facts.type.c_str(),
                                threads, np, p, n, r.avg_ts(), r.stddev_ts(), r.ttft_percentile_ms(50),
                                r.ttft_percentile_ms(99), r.kv_waste * 100.0);
                    std::fflush(stdout);
                } else {
                    all.push_back({{"model_filename", facts.filename}, {"model_type", facts.type}, {"n_threads", threads},
                                   {"n_parallel", np}, {"n_prompt", p}, {"n_gen", n}, {"avg_ts", r.avg_ts()},
                                   {"stddev_ts", r.stddev_ts()}, {"samples_ts", r.samples_ts},
                                   {"ttft_p50_ms", r.ttft_percentile_ms(50)}, {"ttft_p99_ms", r.ttft_percentile_ms(99)},
                                   {"kv_waste", r.kv_waste}, {"test_time", now_iso8601()}});
                }
            }
        }
    }
    if (format == "json") std::printf("%s\n", all.dump(2).c_str());
    return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
    std::vector<OptionSpec> specs = model_option_specs();
    specs.push_back({"-p", "--n-prompt", true, "prompt sizes, comma separated (default 512)"});
    specs.push_back({"-n", "--n-gen", true, "generation sizes, comma separated (default 128)"});
    specs.push_back({"-d", "--n-depth", true, "context depths before each test (default 0)"});
    specs.push_back({"-r", "--repetitions", true, "timed runs per test (default 5)"});
    specs.push_back({"-b", "--batch-size", true, "prompt tokens per forward pass (default 512)"});
    specs.push_back({"-np", "--parallel", true,
                     "concurrent streams through the engine, comma separated; -p/-n are then per stream "
                     "(default 128 each) and -r defaults to 3"});
    specs.push_back({"--kv-mib", "", true, "KV cache budget for -np in MiB (default: automatic)"});
    specs.push_back({"--bandwidth", "", false,
                     "also measure memory read bandwidth and report generation's weight traffic against it"});
    specs.push_back({"-o", "--output", true, "md (default) or json"});
    specs.push_back({"--json", "", false, "same as -o json"});
    const Args args(specs, argc, argv, 2);
    const std::string format = args.has("--json") ? "json" : args.get_or("-o", "md");
    require(format == "md" || format == "json", ErrorKind::bad_request, "-o must be md or json");

    const int threads = args.get_int("-t", 0);
    const auto loaded = LoadedModel::load(model_path(args, true), load_options(args));
    const ModelFacts facts = model_facts(*loaded);
    const int actual_threads = threads > 0 ? threads : default_cpu_threads();
    if (args.has("-np")) return print_parallel(args, *loaded, facts, format, actual_threads);
    BenchOptions options;
    options.repetitions = args.get_int("-r", 5);
    options.n_batch = args.get_int("-b", 512);
    options.kv_type = kv_type(args);
    std::vector<BenchTest> tests;
    for (int32_t depth : int_list(args, "-d", 0)) {
        for (int32_t p : int_list(args, "-p", 512))
            if (p > 0) tests.push_back({p, 0, depth});
        for (int32_t n : int_list(args, "-n", 128))
            if (n > 0) tests.push_back({0, n, depth});
    }
    const bool measure_bandwidth = args.has("--bandwidth");
    std::vector<std::string> traffic_notes;
    nlohmann::json all = nlohmann::json::array();
    if (format == "md") {
        std::printf("| model | size | params | backend | threads | test | t/s |\n");
        std::printf("| --- | ---: | ---: | --- | ---: | ---: | ---: |\n");
    }
    // A VM's read bandwidth moves within minutes (its vCPUs change dies): each generation
    // repetition is compared with readings taken right before and right after it.
    std::optional<ReadBandwidthProbe> probe;
    if (measure_bandwidth) probe.emplace(actual_threads);
    for (const BenchTest& test : tests) {
        const bool traffic = probe && test.n_prompt == 0;
        options.read_bandwidth = traffic ? std::function<double()>([&probe] { return probe->measure(); }) : nullptr;
        const BenchResult r = run_bench(*loaded, test, options);
        if (format == "md") {
            std::printf("| %s | %.2f MiB | %.2f M | %s | %d | %s | %.2f ± %.2f |\n", facts.type.c_str(),
                        facts.size / 1048576.0, facts.n_params / 1e6, backend_label(*loaded), actual_threads,
                        test.name().c_str(), r.avg_ts(),
                        r.stddev_ts());
            std::fflush(stdout);
        } else {
            all.push_back(to_json(r, facts, *loaded, options, actual_threads, now_iso8601()));
        }
        if (traffic) {
            // Each generated token reads every weight once (the embedding table only one row of).
            const double weight_gbps = static_cast<double>(facts.bytes_per_token) * r.avg_ts() / 1e9;
            const std::vector<double> shares = r.bandwidth_shares(facts.bytes_per_token);
            const auto [low, high] = std::minmax_element(shares.begin(), shares.end());
            const auto [slow, fast] = std::minmax_element(r.bandwidth_gbps.begin(), r.bandwidth_gbps.end());
            char note[400];
            std::snprintf(note, sizeof note,
                          "%s: weights read at %.1f GB/s, %.0f%% of the memory read bandwidth (median over the repetitions,"
                          " %.0f-%.0f%%; each against the mean of readings right before and after it: %.1f-%.1f GB/s,"
                          " each the median of 3 reads of %lld MiB with %d threads)",
                          test.name().c_str(), weight_gbps, 100.0 * median(shares), 100.0 * *low, 100.0 * *high, *slow,
                          *fast, static_cast<long long>(probe->buffer_bytes() >> 20), actual_threads);
            traffic_notes.push_back(note);
            if (format == "json") {
                all.back()["weight_gbps"] = weight_gbps;
                all.back()["read_bandwidth_gbps"] = median(r.bandwidth_gbps);
                all.back()["read_bandwidth_samples_gbps"] = r.bandwidth_gbps;
                all.back()["bandwidth_share"] = median(shares);
                all.back()["bandwidth_shares"] = shares;
            }
        }
    }
    if (format == "json") std::printf("%s\n", all.dump(2).c_str());
    if (format == "md" && !traffic_notes.empty()) {
        std::printf("\n");
        for (const std::string& note : traffic_notes) std::printf("%s\n", note.c_str());
    }
    return 0;
}

}  // namespace hearth::cli
