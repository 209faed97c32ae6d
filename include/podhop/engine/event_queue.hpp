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
// table), so a cache line holds four of them and one 4-ary node's children share a line;
// a 4-ary heap is half as deep as a binary one. Both make pop cheaper than
// std::priority_queue's binary heap of larger records.

#include <cstddef>
#include <cstdint>
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
  return a.time.ns < b.time.ns || (a.time.ns == b.time.ns && a.key < b.key);
}

/// A min-heap of QueueEntry in the order of fires_before. Keys must be unique.
class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  /// The entry that fires first; the queue must not be empty.
  const QueueEntry& top() const { return heap_.front(); }

  /// Adds an entry. Allocates only when the queue grows past its largest size so far.
  void push(QueueEntry e) {
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    QueueEntry* h = heap_.data();
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
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
    if (!heap_.empty()) sift_down(0, last);
  }

  /// Drops every entry for which dead(entry) is true and restores the heap: O(n).
  template <typename Pred>
  void remove_if(Pred dead) {
    std::size_t kept = 0;
    for (const QueueEntry& e : heap_) {
      if (!dead(e)) heap_[kept++] = e;
    }
    heap_.resize(kept);
    if (kept < 2) return;
    for (std::size_t i = (kept - 2) / kArity + 1; i-- > 0;) sift_down(i, heap_[i]);
  }

  void reserve(std::size_t n) { heap_.reserve(n); }
  /// Bytes of storage held, counting spare capacity.
  std::size_t memory_bytes() const { return heap_.capacity() * sizeof(QueueEntry); }

 private:
  static constexpr std::size_t kArity = 4;

  // Fills the hole at `hole` with `e`, moving smaller children up as it goes down.
  void sift_down(std::size_t hole, QueueEntry e) {
    QueueEntry* h = heap_.data();
    const std::size_t n = heap_.size();
    for (;;) {
      const std::size_t first = hole * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (fires_before(h[c], h[best])) best = c;
      }
      if (!fires_before(h[best], e)) break;
      h[hole] = h[best];
      hole = best;
    }
    h[hole] = e;
  }

  std::vector<QueueEntry> heap_;
};

}  // namespace podhop::engine
