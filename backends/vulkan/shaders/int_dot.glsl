// dot4(a, b): the sum of the four products of the signed bytes of a and b (little-endian words).
// With -DINTEGER_DOT it is one SPIR-V OpSDot on packed 4x8-bit vectors (SPV_KHR_integer_dot_product,
// which the host enables only where the device reports shaderIntegerDotProduct); glslc 2023.2 has
// no GL_EXT_integer_dot_product, so the instruction is declared through GL_EXT_spirv_intrinsics.
// Integer sums are exact, so both forms give the same bits. Needs common.glsl.
#if defined(INTEGER_DOT)
// SPIR-V numbers: OpSDot 4450; capabilities DotProduct 6019, DotProductInput4x8BitPacked 6018.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot_packed(uint a, uint b, spirv_literal int packed_vector_format);
int dot4(uint a, uint b) { return sdot_packed(a, b, 0); }  // 0: PackedVectorFormat4x8Bit
#else
int dot4(uint a, uint b) {
    return sbyte_of(a, 0u) * sbyte_of(b, 0u) + sbyte_of(a, 1u) * sbyte_of(b, 1u) + sbyte_of(a, 2u) * sbyte_of(b, 2u) +
           sbyte_of(a, 3u) * sbyte_of(b, 3u);
}
#endif
