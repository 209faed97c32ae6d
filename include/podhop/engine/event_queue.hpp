#pragma once
// The pending-event queue: a 4-ary min-heap of 16-byte entries over one std::vector.
//
// Ordering guarantee (a total order): entry a fires before entry b when
//   a.time < b.time, or a.time == b.time and a.key < b.key.
// The Simulator builds every key as (sequence number << kSlotBits) | slot, with a sequence
// number that grows by one per scheduled event and never repeats, so keys are unique and,
// at equal times, events fire in the order they were scheduled. No two entries compare
// equal, so the order in which the heap hands entries out does not depend on its internal
// layout: rebuilding the heap (after dropping cancelled entries) cannot reorder anything.
//
// Why this shape: an entry is two machine words (the handler lives in the Simulator's slot
// table), so one cache line holds four entries, and the heap is laid out so that the four
// children of a node fill exactly one line: a pop touches one line per level of a heap half
// as deep as a binary one. Compares are branch-free. Together these make the queue faster
// than a bare std::priority_queue of 24-byte records (docs/engine.md has the figures).

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "podhop/core/time.hpp"

namespace podhop::engine {

/// One pending event as the queue sees it: when it fires and its unique key.
struct QueueEntry {
  core::SimTime time;
  std::uint64_t key = 0;
};

/// The total order of the queue: earlier time first, then smaller key.
constexpr bool fires_before(const QueueEntry& a, const QueueEntry& b) {
  // One 128-bit comparison (time with its sign bit flipped, so that unsigned order is signed
  // order, then key) compiles to a compare and a subtract-with-borrow, with no branch to
  // mispredict: heap children are in random order, so a branchy compare would miss often.
  __extension__ using U128 = unsigned __int128;
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  const U128 ka = (U128{static_cast<std::uint64_t>(a.time.ns) ^ kSign} << 64) | a.key;
  const U128 kb = (U128{static_cast<std::uint64_t>(b.time.ns) ^ kSign} << 64) | b.key;
  return ka < kb;
}

namespace detail {

/// Allocates on cache-line boundaries, so that the heap's groups of four children each fill
/// exactly one line.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};

  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT: rebinding must be implicit

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};

}  // namespace detail

/// A min-heap of QueueEntry in the order of fires_before. Keys must be unique.
///
/// Layout: the root is at index kRoot = 3 of a cache-line-aligned vector (indices 0-2 are
/// padding), so the children of the entry at index i are at 4i-8 .. 4i-5, and each group of
/// four children starts at a multiple of four: one 64-byte line per level visited.
class EventQueue {
 public:
  EventQueue() : heap_(kRoot) {}

  bool empty() const { return heap_.size() == kRoot; }
  std::size_t size() const { return heap_.size() - kRoot; }
  /// The entry that fires first; the queue must not be empty.
  const QueueEntry& top() const { return heap_[kRoot]; }

  /// Adds an entry. Allocates only when the queue grows past its largest size so far.
  void push(QueueEntry e) {
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    QueueEntry* h = heap_.data();
    while (hole > kRoot) {
      const std::size_t parent = parent_of(hole);
      if (!fires_before(e, h[parent])) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = e;
  }

  /// Removes the top entry; the queue must not be empty.
  void pop() {
    const QueueEntry last = heap_.back();
    heap_.pop_back();
    const std::size_t end = heap_.size();
    if (end == kRoot) return;
    QueueEntry* h = heap_.data();
    // Bottom-up: walk the hole down to a leaf along the smallest children, then let the last
    // entry (which belongs near the bottom anyway) climb back up. This skips one compare
    // against `last` per level.
    std::size_t hole = kRoot;
    for (;;) {
      const std::size_t first = first_child_of(hole);
      if (first >= end) break;
      const std::size_t best =
          first + kArity <= end ? smallest_of_four(h, first) : smallest_in(h, first, end);
      h[hole] = h[best];
      hole = best;
    }
    while (hole > kRoot) {
      const std::size_t parent = parent_of(hole);
      if (!fires_before(last, h[parent])) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = last;
  }

  /// Drops every entry for which dead(entry) is true and restores the heap: O(n).
  template <typename Pred>
  void remove_if(Pred dead) {
    std::size_t kept = kRoot;
    for (std::size_t i = kRoot; i < heap_.size(); ++i) {
      if (!dead(heap_[i])) heap_[kept++] = heap_[i];
    }
    heap_.resize(kept);
    if (kept <= kRoot + 1) return;
    for (std::size_t i = parent_of(kept - 1) + 1; i-- > kRoot;) sift_down(i);
  }

  void reserve(std::size_t n) { heap_.reserve(n + kRoot); }
  /// Bytes of storage held, counting spare capacity.
  std::size_t memory_bytes() const { return heap_.capacity() * sizeof(QueueEntry); }

 private:
  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kRoot = kArity - 1;

  static constexpr std::size_t first_child_of(std::size_t i) { return kArity * i - 2 * kArity; }
  static constexpr std::size_t parent_of(std::size_t i) { return i / kArity + 2; }

  // A tournament of three independent compares that compile to conditional moves.
  static std::size_t smallest_of_four(const QueueEntry* h, std::size_t first) {
    const std::size_t a = first + (fires_before(h[first + 1], h[first]) ? 1 : 0);
    const std::size_t b = first + 2 + (fires_before(h[first + 3], h[first + 2]) ? 1 : 0);
    return fires_before(h[b], h[a]) ? b : a;
  }
  static std::size_t smallest_in(const QueueEntry* h, std::size_t first, std::size_t end) {
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (fires_before(h[c], h[best])) best = c;
    }
    return best;
  }

  // Top-down sift of the entry at index i, for rebuilding.
  void sift_down(std::size_t i) {
    QueueEntry* h = heap_.data();
    const std::size_t end = heap_.size();
    const QueueEntry e = h[i];
    std::size_t hole = i;
    for (;;) {
      const std::size_t first = first_child_of(hole);
      if (first >= end) break;
      const std::size_t best =
          first + kArity <= end ? smallest_of_four(h, first) : smallest_in(h, first, end);
      if (!fires_before(h[best], e)) break;
      h[hole] = h[best];
      hole = best;
    }
    h[hole] = e;
  }

  std::vector<QueueEntry, detail::CacheLineAllocator<QueueEntry>> heap_;
};

}  // namespace podhop::engine
