#include "podhop/engine/simulator.hpp"

namespace podhop::engine {

namespace {
// Below this many dropped entries a rebuild is not worth its O(n): they cost only memory.
constexpr std::size_t kPurgeMinimum = 1024;
}  // namespace

bool Simulator::cancel(EventId id) {
  if (!is_pending(id)) return false;
  release_slot(static_cast<std::uint32_t>(id.value & kSlotMask));
  --pending_;
  purge_if_mostly_dead();
  settle_first();
  return true;
}

void Simulator::Lane::grow() {
  const std::size_t cap = ring.empty() ? 64 : ring.size() * 2;
  std::vector<QueueEntry> bigger(cap);
  for (std::size_t i = 0; i < size; ++i) bigger[i] = ring[(head + i) & (ring.size() - 1)];
  ring.swap(bigger);
  head = 0;
}

void Simulator::purge_if_mostly_dead() {
  const std::size_t dead = queue_.size() + lane_entries_ - pending_;
  if (dead < kPurgeMinimum || dead <= pending_) return;
  // Keys are unique, so the rebuilt heap hands out the live entries in the same order; a
  // lane keeps its order.
  first_ = kFirstUnknown;
  queue_.remove_if([this](const QueueEntry& e) { return !live(e.key); });
  for (std::size_t i = 0; i < lanes_used_; ++i)
    lane_entries_ -= lanes_[i].remove_if([this](const QueueEntry& e) { return !live(e.key); });
}

bool Simulator::step() {
  const QueueEntry* first = first_cached();
  if (first == nullptr) return false;
#ifndef NDEBUG
  PODHOP_CHECK(live(first->key), "the first queued event is a cancelled one");
#endif
  const QueueEntry e = *first;
  if (first_ == kMaxLanes) {
    queue_.pop();
  } else {
    lanes_[first_].pop_front();
    --lane_entries_;
  }
  first_ = kFirstUnknown;
  const auto slot = static_cast<std::uint32_t>(e.key & kSlotMask);
  // Copy the handler out before running it: it may schedule events that reuse its slot or
  // grow the slot table.
  const detail::InlineHandler handler = slots_[slot].handler;
  release_slot(slot);
  --pending_;
  // The next event (found once here and remembered for the next step while handlers only
  // add events): its slot is a likely cache miss in a large table, so start loading it now,
  // then run its prefetch hint (handler.hpp) if its type has one, so that the lines the
  // hint names arrive while this handler runs. Reading the slot's handler waits for the
  // slot's line; a type without a hint costs a null test. (A handler may still schedule an
  // event that goes first: then the hint was wasted, nothing else.)
  if (const QueueEntry* next = settle_first()) {
    const Slot& s = slots_[next->key & kSlotMask];
    __builtin_prefetch(&s);
    s.handler.prefetch();
  }
  now_ = e.time;
  ++executed_;
  handler(*this);
  return true;
}

void Simulator::run() {
  stop_requested_ = false;
  while (!stop_requested_ && step()) {
  }
}

void Simulator::run_until(core::SimTime limit) {
  PODHOP_CHECK(limit >= now_, "run_until with a limit in the past");
  stop_requested_ = false;
  for (;;) {
    if (stop_requested_) break;
    const QueueEntry* first = settle_first();
    if (first == nullptr || first->time > limit) break;
    step();
  }
  if (!stop_requested_) now_ = limit;
}

void Simulator::reserve(std::size_t n) {
  queue_.reserve(n);
  slots_.reserve(n);
}

std::size_t Simulator::memory_bytes() const {
  std::size_t lanes = 0;
  for (std::size_t i = 0; i < lanes_used_; ++i)
    lanes += lanes_[i].ring.capacity() * sizeof(QueueEntry);
  return queue_.memory_bytes() + lanes + slots_.capacity() * sizeof(Slot);
}

}  // namespace podhop::engine
