#pragma once
// Two callable wrappers and a short vector that never allocate, for the CPU backend's hot paths: a
// decode step makes hundreds of pool calls and matmul plans, and std::function puts each closure
// larger than two pointers on the heap (SmolLM2: ~2,500 allocations a token before these).
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "core/error.h"

namespace hearth::cpu {

template <class Signature>
class FunctionRef;

// A reference to a callable that outlives the call it is passed to (the thread pool runs the job
// before returning), as cheap to pass as two pointers.
template <class R, class... Args>
class FunctionRef<R(Args...)> {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
    FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): stands in for the callable
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, Args... args) -> R {
              return std::invoke(*static_cast<std::remove_reference_t<F>*>(object), std::forward<Args>(args)...);
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    void* object_;
    R (*call_)(void*, Args...);
};

template <class Signature, std::size_t Capacity>
class InplaceFunction;

// An owning callable kept in Capacity bytes of its own: for closures of plain values (trivially
// copyable, so copying the bytes copies the closure), checked at compile time.
template <class R, class... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity> {
public:
    InplaceFunction() = default;

    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, InplaceFunction> && std::is_invocable_r_v<R, const F&, Args...>)
    InplaceFunction(F f) noexcept  // NOLINT(google-explicit-constructor): stands in for the closure
        : call_([](const void* storage, Args... args) -> R {
              return std::invoke(*std::launder(static_cast<const F*>(storage)), std::forward<Args>(args)...);
          }) {
        static_assert(sizeof(F) <= Capacity, "the closure does not fit: raise the capacity");
        static_assert(alignof(F) <= alignof(std::max_align_t), "the closure needs a stricter alignment");
        static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                      "the closure must hold plain values only");
        ::new (static_cast<void*>(storage_)) F(f);
    }

    explicit operator bool() const { return call_ != nullptr; }
    R operator()(Args... args) const { return call_(storage_, std::forward<Args>(args)...); }

private:
    alignas(std::max_align_t) unsigned char storage_[Capacity] = {};
    R (*call_)(const void*, Args...) = nullptr;
};

// At most N elements, kept in place. Adding one more is a bug in the caller: Error(internal).
template <class T, std::size_t N>
class FixedVector {
public:
    void push_back(const T& value) {
        require(size_ < N, ErrorKind::internal, "FixedVector: full");
        items_[size_++] = value;
    }
    void clear() { size_ = 0; }
    std::size_t size() const { return size_; }
    bool full() const { return size_ == N; }
    T& back() { return items_[size_ - 1]; }
    T& operator[](std::size_t i) { return items_[i]; }
    const T& operator[](std::size_t i) const { return items_[i]; }
    T* begin() { return items_.data(); }
    T* end() { return items_.data() + size_; }
    const T* begin() const { return items_.data(); }
    const T* end() const { return items_.data() + size_; }

private:
    std::array<T, N> items_{};
    std::size_t size_ = 0;
};

}  // namespace hearth::cpu
