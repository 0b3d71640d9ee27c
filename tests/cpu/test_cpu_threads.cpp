// The default thread count: one per physical core among the CPUs given (SMT siblings count once,
// unreadable topology counts each CPU), at most the cgroup quota; and this process's default is sane.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "backends/cpu/cpu_threads.h"
#include "tests/temp_dir.h"

namespace hearth::cpu {
namespace {

// A sysfs-like cpu directory: cpuN/topology/{physical_package_id,core_id} for each (cpu, package, core).
void write_topology(const std::filesystem::path& dir, int cpu, int package, int core) {
    const auto topology = dir / ("cpu" + std::to_string(cpu)) / "topology";
    std::filesystem::create_directories(topology);
    std::ofstream(topology / "physical_package_id") << package << "\n";
    std::ofstream(topology / "core_id") << core << "\n";
}

TEST_CASE("physical cores: hardware threads of one core count once, packages apart, unknown CPUs each") {
    test::TempDir dir;
    // 2 packages x 2 cores x 2 hardware threads: CPUs 0-3 are the first threads, 4-7 their siblings.
    for (int cpu = 0; cpu < 8; ++cpu) write_topology(dir.path(), cpu, (cpu % 4) / 2, cpu % 2);
    const std::vector<int> all = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK(physical_cores(all, dir.path()) == 4);
    const std::vector<int> siblings = {0, 4};  // one core's two threads
    CHECK(physical_cores(siblings, dir.path()) == 1);
    const std::vector<int> same_core_id = {0, 2};  // core 0 of each package
    CHECK(physical_cores(same_core_id, dir.path()) == 2);
    const std::vector<int> with_unknown = {0, 4, 9, 10};  // CPUs 9 and 10 have no topology files
    CHECK(physical_cores(with_unknown, dir.path()) == 3);
    std::ofstream(dir.path() / "cpu1" / "topology" / "core_id") << "garbage\n";
    const std::vector<int> garbled = {0, 1};
    CHECK(physical_cores(garbled, dir.path()) == 2);
    CHECK(physical_cores({}, dir.path()) == 0);
}

TEST_CASE("cgroup cpu.max: a quota rounds up to whole CPUs, no limit or bad text is none") {
    CHECK(quota_cpus("200000 100000") == 2);
    CHECK(quota_cpus("150000 100000") == 2);
    CHECK(quota_cpus("50000 100000") == 1);
    CHECK(quota_cpus("max 100000") == std::nullopt);
    CHECK(quota_cpus("") == std::nullopt);
    CHECK(quota_cpus("100000") == std::nullopt);
    CHECK(quota_cpus("-5 100000") == std::nullopt);
    CHECK(quota_cpus("100000 0") == std::nullopt);
    CHECK(quota_cpus("12x 100000") == std::nullopt);
}

TEST_CASE("this process's default uses at least one thread and no more than its CPUs") {
    const int threads = default_threads();
    CHECK(threads >= 1);
    CHECK(threads <= static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace hearth::cpu
