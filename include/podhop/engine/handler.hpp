#pragma once
// Event handlers stored inline, without std::function.
//
// A handler is the callable an event runs. The engine keeps it in a fixed 16-byte buffer next
// to a pointer to a per-type invoker, so scheduling an event never allocates and a pending
// event costs 48 bytes in all (see simulator.hpp). The callable must be trivially copyable:
// slot tables are relocated with memcpy when they grow, a cancelled handler needs no
// destructor, and anything that owns memory per event would be an allocation per event
// anyway. Keep request state in your own tables and capture an index to it.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

namespace podhop::engine {

class Simulator;

/// Bytes of captured state a handler may carry: two pointer-sized values, e.g. `this` and
/// an id. The Simulator is passed as an argument, so it need not be captured.
inline constexpr std::size_t kHandlerCapacity = 16;
/// The strictest alignment a captured value may need (that of a pointer or an int64).
inline constexpr std::size_t kHandlerAlignment = alignof(void*);

/// True when F can be stored as an event handler: small, trivially copyable, and callable as
/// `f(Simulator&)` or `f()`.
template <typename F>
inline constexpr bool is_event_handler_v =
    sizeof(F) <= kHandlerCapacity &&
    alignof(F) <=
        kHandlerAlignment&& std::is_trivially_copyable_v<F>&& std::is_trivially_destructible_v<F> &&
    (std::is_invocable_v<const F&, Simulator&> || std::is_invocable_v<const F&>);

namespace detail {

/// A type-erased, trivially copyable callable in a fixed buffer. Empty when invoke_ is null.
class InlineHandler {
 public:
  using Invoker = void (*)(const void* storage, Simulator& sim);

  InlineHandler() = default;

  /// Stores f; the checks say in words why a handler does not fit.
  template <typename F>
  static InlineHandler make(const F& f) {
    static_assert(sizeof(F) <= kHandlerCapacity,
                  "event handler captures more than 16 bytes: capture `this` and an id, and "
                  "keep the rest in your own tables");
    static_assert(alignof(F) <= kHandlerAlignment, "event handler is over-aligned");
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                  "event handler must be trivially copyable (capture pointers and ids, not "
                  "strings, vectors or smart pointers)");
    static_assert(std::is_invocable_v<const F&, Simulator&> || std::is_invocable_v<const F&>,
                  "event handler must be callable as f(Simulator&) or f()");
    InlineHandler h;
    if constexpr (is_event_handler_v<F>) {  // only the static_asserts speak otherwise
      ::new (static_cast<void*>(h.storage_)) F(f);
      h.invoke_ = &invoke<F>;
    }
    return h;
  }

  bool empty() const { return invoke_ == nullptr; }
  /// Runs the stored callable; must not be empty.
  void operator()(Simulator& sim) const { invoke_(storage_, sim); }

 private:
  template <typename F>
  static void invoke(const void* storage, Simulator& sim) {
    // The object was created in this buffer by make<F>, so the launder is exact.
    const F& f = *std::launder(static_cast<const F*>(storage));
    if constexpr (std::is_invocable_v<const F&, Simulator&>) {
      f(sim);
    } else {
      f();
    }
  }

  Invoker invoke_ = nullptr;
  alignas(kHandlerAlignment) unsigned char storage_[kHandlerCapacity] = {};
};

}  // namespace detail
}  // namespace podhop::engine
