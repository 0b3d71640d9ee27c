#pragma once
// Contiguous f16 key/value storage for one sequence: [layer][position][kv_dim] for K and for V.
#include <cstdint>
#include <vector>

#include "backends/backend.h"

namespace hearth::cpu {

class CpuKvCache final : public KvCache {
public:
    CpuKvCache(int32_t n_layer, int32_t capacity, int32_t kv_dim);
    int32_t capacity() const override { return capacity_; }
    int32_t kv_dim() const { return kv_dim_; }
    uint16_t* key(int32_t layer, int32_t pos) { return &keys_[offset(layer, pos)]; }
    uint16_t* value(int32_t layer, int32_t pos) { return &values_[offset(layer, pos)]; }

private:
    size_t offset(int32_t layer, int32_t pos) const {
        return (static_cast<size_t>(layer) * capacity_ + pos) * kv_dim_;
    }
    int32_t n_layer_;
    int32_t capacity_;
    int32_t kv_dim_;
    std::vector<uint16_t> keys_;
    std::vector<uint16_t> values_;
};

}  // namespace hearth::cpu
