// `hearth info FILE`: the metadata and the tensor table of a GGUF file.
#include <cstdio>
#include <string>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/error.h"
#include "core/gguf/gguf_file.h"

namespace hearth::cli {
namespace {

constexpr size_t kMaxShown = 8;     // array elements shown
constexpr size_t kMaxString = 120;  // characters of a long string shown

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s.substr(0, kMaxString)) {
        if (c == '\n') {
            out.append("\\n");
        } else {
            out.push_back(c);
        }
    }
    out.append(s.size() > kMaxString ? "...\"" : "\"");
    return out;
}

std::string describe(const gguf::Value& v) {
    if (v.type == gguf::ValueType::array) {
        const auto& a = std::get<gguf::Array>(v.data);
        std::string out = "[";
        out.append(gguf::to_string(a.elem_type)).append(" x ").append(std::to_string(a.size())).append("] ");
        for (size_t i = 0; i < std::min(a.size(), kMaxShown); ++i) {
            if (i) out.append(", ");
            if (!a.strings.empty()) out.append(quote(a.strings[i]));
            else if (!a.ints.empty()) out.append(std::to_string(a.ints[i]));
            else if (!a.floats.empty()) out.append(std::to_string(a.floats[i]));
        }
        if (a.size() > kMaxShown) out.append(", ...");
        return out;
    }
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string_view>) return quote(x);
            else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, gguf::Array>) return "";
            else return std::to_string(x);
        },
        v.data);
}

}  // namespace

int cmd_info(int argc, char** argv) {
    const std::vector<OptionSpec> specs = {{"--no-tensors", "", false, "print metadata only"}};
    const Args args(specs, argc, argv, 2);
    require(args.positionals().size() == 1, ErrorKind::bad_request,
            "usage: hearth info FILE [--no-tensors]\n" + usage_lines(specs));
    const auto file = gguf::GgufFile::open(args.positionals()[0]);
    std::printf("file: %s\nGGUF version %u, %zu metadata keys, %zu tensors, alignment %llu, %llu bytes\n\n",
                file->path().c_str(), file->version(), file->metadata().size(), file->tensors().size(),
                static_cast<unsigned long long>(file->alignment()), static_cast<unsigned long long>(file->file_size()));
    for (const auto& [key, value] : file->metadata())
        std::printf("%-44s %s\n", key.c_str(), describe(value).c_str());
    if (args.has("--no-tensors")) return 0;
    std::printf("\n%-5s %-40s %-6s %-24s %12s\n", "#", "tensor", "type", "shape", "bytes");
    uint64_t total = 0;
    for (size_t i = 0; i < file->tensors().size(); ++i) {
        const auto& t = file->tensors()[i];
        std::string shape;
        for (size_t d = 0; d < t.shape.size(); ++d) shape += (d ? " x " : "") + std::to_string(t.shape[d]);
        std::printf("%-5zu %-40s %-6s %-24s %12llu\n", i, t.name.c_str(), std::string(dtype_info(t.type).name).c_str(),
                    shape.c_str(), static_cast<unsigned long long>(t.nbytes));
        total += t.nbytes;
    }
    std::printf("\ntotal tensor bytes: %llu\n", static_cast<unsigned long long>(total));
    return 0;
}

}  // namespace hearth::cli
