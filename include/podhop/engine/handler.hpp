#pragma once
// Event handlers stored inline, without std::function.
//
// A handler is the callable an event runs. The engine keeps it in a fixed 16-byte buffer next
// to a pointer to a per-type invoker, so scheduling an event never allocates and a pending
// event costs 48 bytes in all (see simulator.hpp). The callable must be trivially copyable:
// slot tables are relocated with memcpy when they grow, a cancelled handler needs no
// destructor, and anything that owns memory per event would be an allocation per event
// anyway. Keep request state in your own tables and capture an index to it.
//
// Prefetch hint (optional): a handler type with a member `void prefetch() const` may have it
// called while an earlier event runs, so that the data the handler will touch is on its way
// from memory by the time the handler itself runs (at 10,000 requests in flight, most of a
// request's lines are cache misses). The contract:
//   - it is a hint: it may be called zero, one or more times before the handler runs, or
//     for an event that is then cancelled or preceded by events scheduled later; it may
//     also not be called at all;
//   - it must not change any state that anything can observe: issue __builtin_prefetch on
//     the lines the handler will read or write, and nothing else (no loads whose values are
//     used, no writes, no allocation, no random draws);
//   - it must be cheap (a handful of prefetch instructions): it runs once per event.
// The engine calls it for the event that will run next, right before running the current
// one (Simulator::step). A handler type without the member costs a test of a null pointer.

#include <concepts>
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

/// True when F offers the prefetch hint described above.
template <typename F>
concept has_prefetch_hint = requires(const F& f) {
  { f.prefetch() } -> std::same_as<void>;
};

namespace detail {

/// A type-erased, trivially copyable callable in a fixed buffer. Empty when ops_ is null.
class InlineHandler {
 public:
  using Invoker = void (*)(const void* storage, Simulator& sim);
  using Prefetcher = void (*)(const void* storage);
  /// What the engine can do with one handler type: run it, and (when the type has the
  /// hint) prefetch its data. One constant table per type, so the 16 bytes of captured
  /// state plus one pointer still make a 24-byte handler (a 32-byte slot).
  struct Ops {
    Invoker invoke;
    Prefetcher prefetch;  // null: the type has no prefetch hint
  };

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
      h.ops_ = &kOps<F>;
    }
    return h;
  }

  bool empty() const { return ops_ == nullptr; }
  /// Runs the stored callable; must not be empty.
  void operator()(Simulator& sim) const { ops_->invoke(storage_, sim); }
  /// Calls the stored callable's prefetch hint, if its type has one; must not be empty.
  void prefetch() const {
    if (const Prefetcher p = ops_->prefetch) p(storage_);
  }

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

  template <typename F>
  static void prefetch_of(const void* storage) {
    std::launder(static_cast<const F*>(storage))->prefetch();
  }

  template <typename F>
  static constexpr Ops ops_for() {
    if constexpr (has_prefetch_hint<F>) {
      return Ops{&invoke<F>, &prefetch_of<F>};
    } else {
      return Ops{&invoke<F>, nullptr};
    }
  }
  template <typename F>
  static constexpr Ops kOps = ops_for<F>();

  const Ops* ops_ = nullptr;
  alignas(kHandlerAlignment) unsigned char storage_[kHandlerCapacity] = {};
};

}  // namespace detail
}  // namespace podhop::engine
