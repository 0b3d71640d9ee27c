#include "backends/cpu/cpu_threads.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hearth::cpu {
namespace {

std::optional<std::string> read_line(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::string line;
    if (!file || !std::getline(file, line)) return std::nullopt;
    return line;
}

std::optional<long> parse_long(std::string_view text) {
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The CPUs this process may run on; every online CPU when the mask cannot be read.
std::vector<int> allowed_cpus() {
    std::vector<int> cpus;
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
            if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
    if (cpus.empty())
        for (int cpu = 0; cpu < static_cast<int>(std::thread::hardware_concurrency()); ++cpu) cpus.push_back(cpu);
    return cpus;
}

// The quota of this process's cgroup (v2: "0::/path" in /proc/self/cgroup), else of the root the
// process sees (a container's own cgroup namespace).
std::optional<int> cgroup_quota_cpus() {
    const std::filesystem::path root = "/sys/fs/cgroup";
    std::ifstream self("/proc/self/cgroup");
    for (std::string line; std::getline(self, line);) {
        if (line.rfind("0::", 0) != 0) continue;
        if (const auto own = read_line(root / std::filesystem::path(line.substr(3)).relative_path() / "cpu.max"))
            return quota_cpus(*own);
    }
    const auto top = read_line(root / "cpu.max");
    return top ? quota_cpus(*top) : std::nullopt;
}

}  // namespace

int physical_cores(std::span<const int> cpus, const std::filesystem::path& cpu_dir) {
    std::set<std::pair<long, long>> cores;
    long unknown = 0;
    for (int cpu : cpus) {
        const std::filesystem::path topology = cpu_dir / ("cpu" + std::to_string(cpu)) / "topology";
        const auto package = read_line(topology / "physical_package_id");
        const auto core = read_line(topology / "core_id");
        const auto package_id = package ? parse_long(*package) : std::nullopt;
        const auto core_id = core ? parse_long(*core) : std::nullopt;
        if (package_id && core_id) cores.insert({*package_id, *core_id});
        else ++unknown;
    }
    return static_cast<int>(cores.size() + static_cast<size_t>(unknown));
}

std::optional<int> quota_cpus(std::string_view cpu_max) {
    const size_t space = cpu_max.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto quota = parse_long(cpu_max.substr(0, space));
    const auto period = parse_long(cpu_max.substr(space + 1));
    if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
    return static_cast<int>((*quota + *period - 1) / *period);
}

int default_threads() {
    const std::vector<int> cpus = allowed_cpus();
    int threads = physical_cores(cpus, "/sys/devices/system/cpu");
    if (const auto quota = cgroup_quota_cpus()) threads = std::min(threads, *quota);
    return std::max(1, threads);
}

}  // namespace hearth::cpu
