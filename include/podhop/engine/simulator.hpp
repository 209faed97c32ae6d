#pragma once
// The discrete-event simulator: a clock in integer nanoseconds and a queue of events.
//
// A Simulator is a plain value you construct; there is no global one, so two simulations
// can run side by side. It knows nothing of Kubernetes: an event is a time and a handler.
//
// Order: events run in the total order (time, sequence number) documented in
// event_queue.hpp. Two events at the same time run in the order they were scheduled, even
// when one of them was scheduled by a handler running at that very time.
//
// Storage: a pending event is a 16-byte queue entry {time, key} plus a 32-byte slot
// {sequence number, handler} in a slot table, 48 bytes in all. key = (sequence << 24) |
// slot. Slots freed by firing or cancelling are reused (last freed, first reused), so once
// the tables have grown to the largest number of pending events, scheduling allocates
// nothing.
//
// Cancellation is lazy and O(1): cancel() frees the slot at once; the queue entry stays
// until it reaches the top, where its key no longer matches its slot's sequence number and
// it is dropped unseen. When dropped entries outnumber live ones the queue is rebuilt
// without them, so memory stays within about twice the live events.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "podhop/core/check.hpp"
#include "podhop/core/time.hpp"
#include "podhop/engine/event_queue.hpp"
#include "podhop/engine/handler.hpp"

namespace podhop::engine {

/// Names one scheduled event, for cancel(). A default-constructed id names no event; an id
/// stays harmless after its event fired or was cancelled, even once its slot is reused. An id
/// means something only to the simulator that issued it.
struct EventId {
  std::uint64_t value = 0;

  constexpr bool empty() const { return value == 0; }
  constexpr bool operator==(const EventId&) const = default;
};

/// A discrete-event simulator. Not copyable or movable: handlers and the objects around it
/// hold references to it.
class Simulator {
 public:
  /// Bits of the key that hold the slot: at most 2^24 (16.7 million) events pending at once.
  static constexpr unsigned kSlotBits = 24;
  /// Sequence numbers use the other 40 bits: 1.1e12 events scheduled per simulation.
  static constexpr std::uint64_t kMaxSequence = std::uint64_t{1} << (64 - kSlotBits);
  static constexpr std::size_t kMaxPending = std::size_t{1} << kSlotBits;

  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// The current simulated time: the time of the event running now, or of the last one run,
  /// or the limit of the last run_until. Starts at 0 and never decreases.
  core::SimTime now() const { return now_; }

  /// Schedules handler to run at time t (t >= now(); earlier is a bug and aborts).
  /// The handler is called as handler(Simulator&) or handler(); see handler.hpp for what it
  /// may capture.
  template <typename F>
  EventId schedule_at(core::SimTime t, const F& handler) {
    PODHOP_CHECK(t >= now_, "event scheduled in the past");
    return schedule(t, detail::InlineHandler::make(handler));
  }

  /// Schedules handler to run `delay` after now (delay >= 0).
  template <typename F>
  EventId schedule_in(core::Duration delay, const F& handler) {
    PODHOP_CHECK(delay.ns >= 0, "event scheduled with a negative delay");
    return schedule(now_ + delay, detail::InlineHandler::make(handler));
  }

  /// A place in the order of events, taken now and filled later (see take_place()).
  struct Reservation {
    std::uint64_t sequence = 0;  // 0: none taken
    constexpr bool empty() const { return sequence == 0; }
  };

  /// Schedules handler to run `delay` after now, like schedule_in, for a delay the caller
  /// uses again and again (a link's latency). Events of one such delay are scheduled in the
  /// order they fire (the clock never goes back), so they wait in a first-in first-out lane
  /// of their own instead of the heap: O(1) to add and to take, in the same total order
  /// (the next event is the earliest of the heap's top and the lanes' heads). The first
  /// kMaxLanes delays get a lane; any other delay goes to the heap.
  template <typename F>
  EventId schedule_after(core::Duration delay, const F& handler) {
    PODHOP_CHECK(delay.ns >= 0, "event scheduled with a negative delay");
    const std::uint64_t seq = next_seq_++;
    PODHOP_CHECK(seq < kMaxSequence, "too many events scheduled in one simulation");
    const std::size_t lane = lane_for(delay);
    if (lane == kMaxLanes)
      return schedule_with(seq, now_ + delay, detail::InlineHandler::make(handler));
    const std::uint32_t slot = acquire_slot();
    slots_[slot].tag = seq;
    slots_[slot].handler = detail::InlineHandler::make(handler);
    const std::uint64_t key = (seq << kSlotBits) | slot;
    const QueueEntry e{now_ + delay, key};
    lanes_[lane].push(e);
    ++lane_entries_;
    ++pending_;
    note_pushed(e, lane);
    return EventId{key};
  }

  /// Takes the sequence number the next schedule call would take, without scheduling
  /// anything. An event scheduled later with schedule_reserved() fires exactly where one
  /// scheduled now would have: before every event scheduled after this call at the same
  /// time. For a timer that rarely matters (a connect timeout): arm it only once it can
  /// fire, and the order of everything stays as if it had been armed at once. Costs one
  /// sequence number, as scheduling would.
  Reservation take_place() {
    const std::uint64_t seq = next_seq_++;
    PODHOP_CHECK(seq < kMaxSequence, "too many events scheduled in one simulation");
    return Reservation{seq};
  }

  /// Schedules handler at time t (t >= now()) in the place `r` took: as if it had been
  /// scheduled when take_place() was called. Each reservation is used at most once; the caller
  /// must arm it before the simulation runs past t (an event that should already have
  /// fired is a bug and aborts).
  template <typename F>
  EventId schedule_reserved(core::SimTime t, Reservation r, const F& handler) {
    PODHOP_CHECK(t >= now_, "reserved event armed after its time");
    PODHOP_CHECK(!r.empty() && r.sequence < next_seq_, "no reservation");
    return schedule_with(r.sequence, t, detail::InlineHandler::make(handler));
  }

  /// Cancels a pending event: true if it was pending, false (and nothing happens) for an
  /// empty id or an event that already fired or was cancelled. O(1).
  bool cancel(EventId id);
  /// True while the event is scheduled and has neither fired nor been cancelled.
  bool is_pending(EventId id) const { return !id.empty() && live(id.value); }

  /// Runs events until none is left or a handler calls stop().
  void run();
  /// Runs every event with time <= limit, in order, including events that handlers schedule
  /// at or before the limit, then sets now() to limit. Events after the limit stay pending.
  /// limit < now() is a bug. If a handler calls stop(), returns at once and now() stays at
  /// that event's time.
  void run_until(core::SimTime limit);
  /// Runs the next event, if any: true if one ran.
  bool step();
  /// Makes the current run() or run_until() return after the running handler.
  void stop() { stop_requested_ = true; }

  /// Events scheduled and not yet fired or cancelled.
  std::size_t pending() const { return pending_; }
  /// Entries in the queue: the pending events plus cancelled ones not yet dropped. Kept
  /// below max(2 * pending(), pending() + 1024) as long as events are being cancelled.
  std::size_t queued_entries() const { return queue_.size() + lane_entries_; }
  /// Handlers run so far.
  std::uint64_t executed() const { return executed_; }
  /// The time of the next pending event, if any.
  std::optional<core::SimTime> next_time() const {
    const QueueEntry* e = first_ == kFirstUnknown ? first_entry(nullptr) : known_first();
    if (e == nullptr) return std::nullopt;
    return e->time;
  }

  /// How many delays get a lane of their own (schedule_after).
  static constexpr std::size_t kMaxLanes = 8;

  /// Makes room for n pending events so that the run allocates nothing up to that size.
  void reserve(std::size_t n);
  /// Bytes held by the queue and the slot table, counting spare capacity.
  std::size_t memory_bytes() const;

 private:
  // A slot holds one pending event's handler. `tag` is the event's sequence number while the
  // slot is in use, and kFreeTag | next free slot while it is free: a free slot never matches
  // a sequence number, so stale queue entries and stale ids are recognised in one compare.
  struct Slot {
    std::uint64_t tag = 0;
    detail::InlineHandler handler;
  };
  static_assert(sizeof(Slot) == 32, "a slot must stay 32 bytes (48 per pending event)");
  static_assert(sizeof(QueueEntry) == 16, "a queue entry must stay 16 bytes");

  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kFreeTag = std::uint64_t{1} << 63;
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;

  // The events of one delay, in the order they fire: a ring buffer of queue entries.
  struct Lane {
    core::Duration delay;
    std::vector<QueueEntry> ring;  // capacity a power of two (or empty)
    std::size_t head = 0;
    std::size_t size = 0;

    bool empty() const { return size == 0; }
    const QueueEntry& front() const { return ring[head]; }
    void pop_front() {
      head = (head + 1) & (ring.size() - 1);
      --size;
    }
    void push(const QueueEntry& e) {
      if (size == ring.size()) grow();
      ring[(head + size) & (ring.size() - 1)] = e;
      ++size;
    }
    void grow();
    /// Drops the entries for which dead(entry) is true, keeping the order.
    template <typename Pred>
    std::size_t remove_if(Pred dead) {
      std::vector<QueueEntry> kept;
      kept.reserve(ring.size());
      for (std::size_t i = 0; i < size; ++i) {
        const QueueEntry& e = ring[(head + i) & (ring.size() - 1)];
        if (!dead(e)) kept.push_back(e);
      }
      const std::size_t removed = size - kept.size();
      const std::size_t cap = ring.size();
      size = kept.size();
      head = 0;
      kept.resize(cap);
      ring.swap(kept);
      return removed;
    }
  };

  // The index of the lane of `delay`, made if there is room; kMaxLanes when the delay gets
  // none. A caller uses a handful of delays over and over: a direct-mapped memo answers
  // with one compare instead of a search of the lanes. (A delay's answer never changes
  // once given: lanes are never taken back, and once they are all taken every new delay
  // gets kMaxLanes for good.)
  std::size_t lane_for(core::Duration delay) {
    LaneMemo& m = lane_memo_[(static_cast<std::uint64_t>(delay.ns) * 0x9E3779B97F4A7C15ULL) >>
                             (64 - kLaneMemoBits)];
    if (m.delay_ns == delay.ns) return m.lane;
    std::size_t lane = 0;
    while (lane < lanes_used_ && lanes_[lane].delay != delay) ++lane;
    if (lane == lanes_used_ && lanes_used_ < kMaxLanes) lanes_[lanes_used_++].delay = delay;
    m = LaneMemo{delay.ns, lane};
    return lane;
  }

  // The entry that fires first among the heap's top and the lanes' heads; null when there
  // is none. `lane` receives the index of its lane, or kMaxLanes for the heap.
  const QueueEntry* first_entry(std::size_t* lane) const {
    const QueueEntry* best = queue_.empty() ? nullptr : &queue_.top();
    std::size_t where = kMaxLanes;
    for (std::size_t i = 0; i < lanes_used_; ++i) {
      const Lane& l = lanes_[i];
      if (!l.empty() && (best == nullptr || fires_before(l.front(), *best))) {
        best = &l.front();
        where = i;
      }
    }
    if (lane != nullptr) *lane = where;
    return best;
  }

  // What first_entry() returns, remembered between events: where the first entry is
  // (kMaxLanes: the heap's top; a lane's index; kFirstNone: nowhere; kFirstUnknown: not
  // known). Every event would otherwise compare the heap's top with every lane's head twice
  // (to take it, and to prefetch the next one) and next_time() once more. A push keeps it
  // by one compare; anything that takes an entry out forgets it.
  static constexpr std::size_t kFirstNone = kMaxLanes + 1;
  static constexpr std::size_t kFirstUnknown = kMaxLanes + 2;

  // The first entry when first_ is known.
  const QueueEntry* known_first() const {
    if (first_ == kFirstNone) return nullptr;
    return first_ == kMaxLanes ? &queue_.top() : &lanes_[first_].front();
  }

  // first_entry(), through first_.
  const QueueEntry* first_cached() {
    if (first_ == kFirstUnknown) {
      std::size_t where = kMaxLanes;
      const QueueEntry* e = first_entry(&where);
      first_ = e == nullptr ? kFirstNone : where;
      return e;
    }
    return known_first();
  }

  // Keeps first_ after `e` went into the heap (kMaxLanes) or a lane: it is first only if it
  // fires before what was first (keys are unique: never a tie).
  void note_pushed(const QueueEntry& e, std::size_t where) {
    if (first_ == kFirstUnknown) return;
    if (first_ == kFirstNone || fires_before(e, *known_first())) first_ = where;
  }

  EventId schedule(core::SimTime t, const detail::InlineHandler& handler) {
    const std::uint64_t seq = next_seq_++;
    PODHOP_CHECK(seq < kMaxSequence, "too many events scheduled in one simulation");
    return schedule_with(seq, t, handler);
  }

  EventId schedule_with(std::uint64_t seq, core::SimTime t, const detail::InlineHandler& handler) {
    const std::uint32_t slot = acquire_slot();
    slots_[slot].tag = seq;
    slots_[slot].handler = handler;
    const std::uint64_t key = (seq << kSlotBits) | slot;
    const QueueEntry e{t, key};
    queue_.push(e);
    ++pending_;
    note_pushed(e, kMaxLanes);
    return EventId{key};
  }

  std::uint32_t acquire_slot() {
    if (free_head_ != kNoSlot) {
      const std::uint32_t slot = free_head_;
      free_head_ = static_cast<std::uint32_t>(slots_[slot].tag & ~kFreeTag);
      return slot;
    }
    PODHOP_CHECK(slots_.size() < kMaxPending, "too many events pending at once");
    slots_.emplace_back();
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }

  void release_slot(std::uint32_t slot) {
    slots_[slot].tag = kFreeTag | free_head_;
    free_head_ = slot;
  }

  // True when key names the event its slot holds now.
  bool live(std::uint64_t key) const {
    const std::uint64_t slot = key & kSlotMask;
    return slot < slots_.size() && slots_[slot].tag == (key >> kSlotBits);
  }

  // Keeps the invariant "the first entry is live", so next_time() and run_until() can read
  // it directly: cancelled entries stay queued until they come first, and are dropped
  // unseen here. This reads only the first entry's slot, which step() fetches anyway (for
  // its handler, and the prefetch hint); dead entries behind other heads cost nothing until
  // they come first. (Dropping the dead heads of every lane and the heap after each event
  // read a slot per lane while any entry was dead, which in bulk traffic is always.)
  const QueueEntry* settle_first() {
    for (;;) {
      const QueueEntry* first = first_cached();
      // (No dead entry anywhere, the common case in a run without cancels: no slot read.)
      if (first == nullptr || queue_.size() + lane_entries_ == pending_ || live(first->key))
        return first;
      if (first_ == kMaxLanes) {
        queue_.pop();
      } else {
        lanes_[first_].pop_front();
        --lane_entries_;
      }
      first_ = kFirstUnknown;
    }
  }

  void purge_if_mostly_dead();

  core::SimTime now_;
  EventQueue queue_;
  std::array<Lane, kMaxLanes> lanes_;
  std::size_t lanes_used_ = 0;
  std::size_t lane_entries_ = 0;    // entries in all lanes, dead ones included
  std::size_t first_ = kFirstNone;  // see known_first()
  struct LaneMemo {
    std::int64_t delay_ns = -1;  // no delay is negative: an empty entry
    std::size_t lane = 0;
  };
  static constexpr unsigned kLaneMemoBits = 4;
  std::array<LaneMemo, std::size_t{1} << kLaneMemoBits> lane_memo_{};
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::uint64_t next_seq_ = 1;  // 0 is never used, so EventId{0} is the empty id
  std::size_t pending_ = 0;
  std::uint64_t executed_ = 0;
  bool stop_requested_ = false;
};

}  // namespace podhop::engine
