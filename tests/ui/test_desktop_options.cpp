#include <doctest/doctest.h>

#include <vector>

#include "core/error.h"
#include "ui/desktop_options.h"
#include "ui/frame_stats.h"
#include "ui/rate_history.h"

using namespace hearth;
using namespace hearth::ui;

namespace {

DesktopOptions parse(std::vector<const char*> args) { return parse_desktop_options(args); }

}  // namespace

TEST_CASE("command line flags") {
    const DesktopOptions defaults = parse({});
    CHECK(defaults.history == default_history_path());
    CHECK(defaults.history.filename() == "history.db");
    CHECK_FALSE(defaults.model.has_value());
    CHECK_FALSE(defaults.test_script.has_value());

    const DesktopOptions o = parse({"-m", "a.gguf", "--history", "/tmp/h.db", "-t", "3", "--scale", "2", "--size",
                                    "800x600", "--test-script", "s.txt", "--test-report", "r.txt", "--screenshot-dir", "shots"});
    CHECK(o.model == "a.gguf");
    CHECK(o.history == "/tmp/h.db");
    CHECK(o.threads == 3);
    CHECK(o.scale == 2.0f);
    CHECK(o.width == 800);
    CHECK(o.height == 600);
    CHECK(o.test_script == "s.txt");
    CHECK(o.test_report == "r.txt");
    CHECK(o.screenshot_dir == "shots");
    CHECK(parse({"--help"}).help);
}

TEST_CASE("bad command lines are refused with a message") {
    CHECK_THROWS_AS(parse({"--bogus", "1"}), Error);
    CHECK_THROWS_AS(parse({"--model"}), Error);
    CHECK_THROWS_AS(parse({"-t", "0"}), Error);
    CHECK_THROWS_AS(parse({"-t", "two"}), Error);
    CHECK_THROWS_AS(parse({"--scale", "9"}), Error);
    CHECK_THROWS_AS(parse({"--size", "800"}), Error);
    CHECK_THROWS_AS(parse({"stray"}), Error);
}

TEST_CASE("frame time summary: median, 95th percentile, maximum") {
    const FrameTimeSummary none = summarize_frame_times({});
    CHECK(none.frames == 0);
    CHECK(none.median_ms == 0.0);
    const FrameTimeSummary odd = summarize_frame_times({5.0, 1.0, 3.0});
    CHECK(odd.median_ms == 3.0);
    CHECK(odd.max_ms == 5.0);
    CHECK(summarize_frame_times({4.0, 1.0, 2.0, 3.0}).median_ms == 2.5);
    std::vector<double> many;
    for (int i = 1; i <= 100; ++i) many.push_back(i);
    CHECK(summarize_frame_times(many).p95_ms == 95.0);
}

TEST_CASE("the tokens/s ring keeps the newest samples, oldest first") {
    RateHistory rates;
    CHECK(rates.size() == 0);
    for (size_t i = 0; i < RateHistory::kCapacity + 5; ++i) rates.add(static_cast<float>(i));
    CHECK(rates.size() == RateHistory::kCapacity);
    CHECK(rates.ring()[rates.oldest()] == 5.0f);
    CHECK(rates.max() == static_cast<float>(RateHistory::kCapacity + 4));
    CHECK(process_resident_bytes() > 0);
}
