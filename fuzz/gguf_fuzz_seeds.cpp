// Writes the GGUF fuzzer's seed corpus: small valid files covering both versions, several
// alignments, every metadata value type and every tensor count of the test sample.
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/gguf/gguf_writer.h"
#include "tests/gguf/sample_gguf.h"

using hearth::gguf::GgufWriter;

namespace {

GgufWriter every_value_type() {
    GgufWriter w;
    w.set_u8("u8", 1);
    w.set_i8("i8", -1);
    w.set_u16("u16", 2);
    w.set_i16("i16", -2);
    w.set_u32("u32", 3);
    w.set_i32("i32", -3);
    w.set_u64("u64", 4);
    w.set_i64("i64", -4);
    w.set_f32("f32", 0.5f);
    w.set_f64("f64", 0.25);
    w.set_bool("bool", true);
    w.set("string", "text");
    w.set_array_u8("a.u8", std::vector<uint8_t>{1, 2});
    w.set_array_i16("a.i16", std::vector<int16_t>{-1, 1});
    w.set_array_u64("a.u64", std::vector<uint64_t>{7});
    w.set_array_f64("a.f64", std::vector<double>{1.0});
    const bool flags[] = {true, false};
    w.set_array_bool("a.bool", flags);
    w.set_array_strings("a.strings", {"x", "yz"});
    return w;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    try {
        int index = 0;
        auto write = [&](const GgufWriter& writer) {
            writer.write_file(dir + "/seed-" + std::to_string(index++) + ".gguf");
        };
        write(every_value_type());
        for (const uint32_t version : {2u, 3u})
            for (const uint32_t alignment : {1u, 32u, 64u})
                for (const uint32_t tensors : {0u, 1u, 4u})
                    write(hearth::test::make_sample_writer(
                        {.version = version, .alignment = alignment, .tensor_count = tensors, .seed = tensors}));
        std::printf("wrote %d seed files to %s\n", index, dir.c_str());
    } catch (const hearth::Error& e) {
        std::fprintf(stderr, "gguf_fuzz_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
