#pragma once
// How many threads the CPU backend runs unless told: one per physical core this process may run on
// (its affinity mask; a core's second hardware thread shares its caches and memory bandwidth, which
// decode is bound by), at most its cgroup's CPU quota. std::thread::hardware_concurrency() counts
// every online CPU: in a container given 2 CPUs of a 64-CPU host it says 64, and 64 spinning pool
// threads on 2 CPUs make each decode job wait for descheduled threads. llama.cpp also defaults to
// the physical cores.
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

namespace hearth::cpu {

// The default thread count for this process: at least 1.
int default_threads();

// Distinct (package, core) pairs among `cpus` as `cpu_dir` (/sys/devices/system/cpu) describes them;
// a CPU whose topology cannot be read counts as a core of its own.
int physical_cores(std::span<const int> cpus, const std::filesystem::path& cpu_dir);

// A cgroup v2 `cpu.max` ("max 100000", "150000 100000") as whole CPUs, rounded up; nullopt without a
// limit or when the text is not one.
std::optional<int> quota_cpus(std::string_view cpu_max);

}  // namespace hearth::cpu
