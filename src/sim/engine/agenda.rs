//! The agenda: what happens next, in (time, sequence) order. Its items (`Agendum`), the queue
//! that orders them (`Agenda`), and the engine's ways of putting things on it, running it up to
//! a time and handing each item to what it does (`Engine::handle`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::NaiveDateTime;

use super::Engine;
use super::duties::Status;
use super::happenings::{ActionParams, Happening};
use super::slots::WaitingMeeting;
use super::time::{NANOS_PER_DAY, NANOS_PER_HOUR, Nanos, nanos, time_at};
use crate::protocol::Trigger;

#[derive(Debug, Clone)]
pub(super) enum Agendum {
    Happen(u32, Box<Happening>),
    /// Role and action are names interned in `Engine::names`.
    Act {
        child: u32,
        role: u32,
        action: u32,
        by_trainee: bool,
        params: Option<Box<ActionParams>>,
        /// Whole minutes it waited for a worker (kept small: the agenda moves items about).
        queue_wait: u32,
        /// Set off by a duty (automation), not scheduled from outside.
        auto: bool,
        /// The duty kind (see `Engine::rule_kind`) of an automated act.
        kind: u32,
        /// A meeting that has had its meeting slot (see `Engine::hold_meeting`).
        slotted: bool,
    },
    /// The child has been away `Engine::missing_hours[index]` hours. Only the next of an
    /// episode's timers waits on the agenda (see `Engine::start_timers`); `seq` is its place in
    /// the order of items due at the same moment, kept for it when the episode began.
    MissingTimer {
        child: u32,
        episode: u32,
        index: u32,
        seq: u64,
    },
    /// Classify again at `Engine::escalation_hours[index]` hours away (as `MissingTimer`).
    Reclassify {
        child: u32,
        episode: u32,
        index: u32,
        seq: u64,
    },
    Repeat {
        child: u32,
        episode: u32,
        rule: u32,
        n: u32,
    },
    DueCheck {
        child: u32,
        duty: u32,
    },
    /// An automated role sets about a duty planned for later (see `Engine::create_obligation`).
    SetAbout {
        child: u32,
        duty: u32,
        rule: u32,
        due: Option<Nanos>,
    },
    /// Office hours open for strategy-meeting slots: meetings that became ready out of hours join
    /// the line (`child`: the first of them, for the agenda's bookkeeping).
    SlotsOpen {
        child: u32,
    },
}

/// The agenda: a priority queue by (time, sequence). Only the items of the hour at hand are
/// ordered; later ones wait in buckets by hour, so the ordered part stays small however much is
/// scheduled. The hour at hand is a run sorted once when the hour opens (popped from its end),
/// plus a heap for what is scheduled into that hour while it runs; the next item is the earlier
/// of the two (keys are unique, so the order is exactly that of one priority queue).
/// Invariant: items in the run and the heap fall before hour `horizon`, bucketed ones at or after
/// it, and the buckets are empty whenever the run and the heap both are.
#[derive(Debug, Default)]
pub(super) struct Agenda {
    /// The hour at hand, latest first.
    run: Vec<Item>,
    heap: BinaryHeap<Reverse<Item>>,
    horizon: i64,
    buckets: Buckets,
    len: usize,
}

/// Items by hour: the hours from `first` on, one slot each, for the next `NEAR_HOURS`; any later
/// ones in a map (a deadline years ahead must not make thousands of empty slots).
#[derive(Debug, Default)]
struct Buckets {
    first: i64,
    near: std::collections::VecDeque<Vec<Item>>,
    /// Items in `near`.
    near_len: usize,
    far: std::collections::BTreeMap<i64, Vec<Item>>,
    /// Emptied runs, their room kept for the hours to come.
    spare: Vec<Vec<Item>>,
}

/// Hours ahead of the first bucket that get the room of emptied runs.
const SPARE_AHEAD: usize = 24;

/// Hours `Buckets::near` covers ahead of its first (a little over a year).
const NEAR_HOURS: i64 = 9000;

impl Buckets {
    fn push(&mut self, h: i64, item: Item) {
        if self.near_len == 0 {
            self.near.clear();
            self.first = h;
        }
        if h < self.first {
            // Earlier than any bucket yet (an hour between the run's and the first bucket's).
            for _ in h..self.first {
                self.near.push_front(Vec::new());
            }
            self.first = h;
        }
        let i = h - self.first;
        if i >= NEAR_HOURS {
            self.far.entry(h).or_default().push(item);
            return;
        }
        let i = i as usize;
        if self.near.len() <= i {
            self.near.resize_with(i + 1, Vec::new);
        }
        let slot = &mut self.near[i];
        // The next day's hours fill up: give them the room of emptied runs.
        if slot.capacity() == 0
            && i < SPARE_AHEAD
            && let Some(v) = self.spare.pop()
        {
            *slot = v;
        }
        slot.push(item);
        self.near_len += 1;
    }

    /// The earliest hour's items, taken out.
    fn pop_first(&mut self) -> Option<(i64, Vec<Item>)> {
        let near = if self.near_len > 0 {
            while self.near.front().is_some_and(|v| v.is_empty()) {
                self.near.pop_front();
                self.first += 1;
            }
            Some(self.first)
        } else {
            None
        };
        // A far hour may have come near since: items pushed later for it are in a near slot.
        let far = self.far.first_key_value().map(|(h, _)| *h);
        match (near, far) {
            (Some(h), f) if f.is_none_or(|f| h <= f) => {
                let mut items = self.near.pop_front().expect("a bucket with items");
                self.first += 1;
                self.near_len -= items.len();
                if f == Some(h) {
                    items.append(&mut self.far.pop_first().expect("peeked").1);
                }
                Some((h, items))
            }
            _ => self.far.pop_first(),
        }
    }

    /// Keep an emptied run's room for a later hour.
    fn give_back(&mut self, v: Vec<Item>) {
        if v.capacity() > 0 && self.spare.len() < 64 {
            self.spare.push(v);
        }
    }
}

impl Agenda {
    fn push(&mut self, item: Item) {
        self.len += 1;
        let h = item.hour();
        if h < self.horizon {
            self.heap.push(Reverse(item));
        } else if self.heap.is_empty() && self.run.is_empty() {
            self.horizon = h + 1;
            self.heap.push(Reverse(item));
        } else {
            self.buckets.push(h, item);
        }
    }
    /// Whether the next item is the run's (else the heap's).
    fn next_in_run(&self) -> Option<bool> {
        match (self.run.last(), self.heap.peek()) {
            (Some(a), Some(Reverse(b))) => Some(a.key < b.key),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        }
    }
    /// Every item, in no particular order.
    pub(super) fn items(&self) -> impl Iterator<Item = &Item> {
        self.run
            .iter()
            .chain(self.heap.iter().map(|Reverse(i)| i))
            .chain(self.buckets.near.iter().flatten())
            .chain(self.buckets.far.values().flatten())
    }

    fn peek(&self) -> Option<&Item> {
        match self.next_in_run()? {
            true => self.run.last(),
            false => self.heap.peek().map(|r| &r.0),
        }
    }
    fn pop(&mut self) -> Option<Item> {
        let item = match self.next_in_run()? {
            true => self.run.pop().expect("run not empty"),
            false => self.heap.pop().expect("heap not empty").0,
        };
        self.len -= 1;
        if self.heap.is_empty()
            && self.run.is_empty()
            && let Some((h, mut items)) = self.buckets.pop_first()
        {
            self.horizon = h + 1;
            items.sort_unstable_by_key(|b| Reverse(b.key));
            let old = std::mem::replace(&mut self.run, items);
            self.buckets.give_back(old);
        }
        Some(item)
    }
}

impl Agendum {
    /// The child it happens to.
    fn child(&self) -> u32 {
        match self {
            Agendum::Happen(c, _) => *c,
            Agendum::Act { child, .. }
            | Agendum::MissingTimer { child, .. }
            | Agendum::Reclassify { child, .. }
            | Agendum::Repeat { child, .. }
            | Agendum::DueCheck { child, .. }
            | Agendum::SetAbout { child, .. }
            | Agendum::SlotsOpen { child } => *child,
        }
    }
}

/// How many agenda items ahead `Engine::prefetch_coming` fetches a child, and its duty lists
/// (these need the child's entry to have arrived first).
const PREFETCH_CHILD: usize = 4;
const PREFETCH_LISTS: usize = 2;

/// A hint to the processor that the memory at `p` is about to be read (nothing else happens).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and faults on no address; it only warms the cache.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[derive(Debug, Clone)]
pub(super) struct Item {
    /// (time, sequence) packed to order by one comparison: see `Item::key`.
    key: u128,
    pub(super) what: Agendum,
}

impl Item {
    /// The time (64 bits, offset to be unsigned) and the sequence number (48): ordered
    /// exactly as `(at, seq)`.
    pub(super) fn key(at: Nanos, seq: u64) -> u128 {
        assert!(seq < 1 << 48, "agenda sequence overflow");
        (((at as i128 - i64::MIN as i128) as u128) << 48) | seq as u128
    }
    /// The time a key was made from.
    pub(super) fn time_of(key: u128) -> Nanos {
        ((key >> 48) as i128 + i64::MIN as i128) as i64
    }
    fn at(&self) -> Nanos {
        Item::time_of(self.key)
    }
    /// Hours since 1970 began (for the agenda's buckets).
    fn hour(&self) -> i64 {
        self.at().div_euclid(NANOS_PER_HOUR)
    }
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key.cmp(&o.key)
    }
}

impl Engine {
    pub(super) fn push(&mut self, at: NaiveDateTime, what: Agendum) {
        self.push_at(nanos(at), what);
    }

    pub(super) fn push_at(&mut self, at: Nanos, what: Agendum) {
        self.seq += 1;
        self.push_keyed(at, self.seq, what);
    }

    /// `push_at` with a sequence number taken earlier.
    pub(super) fn push_keyed(&mut self, at: Nanos, seq: u64, what: Agendum) {
        let at = at.max(self.now_ns);
        self.agenda.push(Item {
            key: Item::key(at, seq),
            what,
        });
    }

    /// Set the clock.
    fn set_now(&mut self, at: Nanos) {
        if at != self.now_ns {
            // Most items fall on the same day as the one before: only the time of day changes.
            let (day, nanos_of_day) = (at.div_euclid(NANOS_PER_DAY), at.rem_euclid(NANOS_PER_DAY));
            let same_day = day == self.now_ns.div_euclid(NANOS_PER_DAY);
            let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                (nanos_of_day / 1_000_000_000) as u32,
                (nanos_of_day % 1_000_000_000) as u32,
            );
            self.now = match time {
                Some(time) if same_day => self.now.date().and_time(time),
                _ => time_at(at),
            };
            self.now_ns = at;
            debug_assert_eq!(self.now, time_at(at));
        }
    }

    /// Time of the next thing on the agenda.
    pub fn next_time(&self) -> Option<NaiveDateTime> {
        let lazy = self
            .lazy_children
            .iter()
            .filter_map(|&c| {
                self.open_by_child[c as usize]
                    .lazy
                    .first()
                    .map(|a| Item::time_of(a.key))
            })
            .min();
        match (self.agenda.peek().map(Item::at), lazy) {
            (Some(a), Some(b)) => Some(time_at(a.min(b))),
            (a, b) => a.or(b).map(time_at),
        }
    }

    /// Process everything due up to and including `until`, then set the clock to `until`.
    pub fn run_until(&mut self, until: NaiveDateTime) {
        self.sync_automation();
        let until_ns = nanos(until);
        while let Some(item) = self.agenda.peek() {
            if item.at() > until_ns {
                break;
            }
            let item = self.agenda.pop().expect("peeked");
            self.prefetch_coming();
            if !self.lazy_children.is_empty() {
                self.do_lazy_acts(item.what.child() as usize, item.key);
            }
            self.set_now(item.at());
            self.events_processed += 1;
            self.handle(item.what);
        }
        if !self.lazy_children.is_empty() {
            let end = Item::key(until_ns, (1 << 48) - 1);
            let mut children = std::mem::take(&mut self.lazy_children);
            for &c in &children {
                self.do_lazy_acts(c as usize, end);
            }
            children.retain(|&c| {
                let d = &mut self.open_by_child[c as usize];
                d.lazy_listed = !d.lazy.is_empty();
                d.lazy_listed
            });
            self.lazy_children = children;
        }
        if until > self.now {
            self.now = until;
            self.now_ns = until_ns;
        }
        self.flush_workload();
    }

    /// Ask the processor to fetch what the coming agenda items will read: the child of the item
    /// `PREFETCH_CHILD` ahead, and the duty lists of the one `PREFETCH_LISTS` ahead (whose child
    /// was fetched a few items ago).
    /// Children are many and each is touched now and then, so most of an item's time would
    /// otherwise go in waiting for memory.
    #[inline]
    fn prefetch_coming(&self) {
        let run = &self.agenda.run;
        let n = run.len();
        if n > PREFETCH_CHILD {
            let c = run[n - 1 - PREFETCH_CHILD].what.child() as usize;
            if let (Some(d), Some(ch)) = (self.open_by_child.get(c), self.children.get(c)) {
                prefetch(d);
                prefetch(ch);
            }
        }
        if n > PREFETCH_LISTS
            && let Some(d) = self
                .open_by_child
                .get(run[n - 1 - PREFETCH_LISTS].what.child() as usize)
        {
            prefetch(d.open.as_ptr());
            prefetch(d.open_kind.as_ptr());
        }
    }

    /// Process the next batch of agenda items that share one time; returns false if none.
    pub fn step(&mut self) -> bool {
        match self.next_time() {
            Some(t) => {
                self.run_until(t);
                true
            }
            None => false,
        }
    }

    fn handle(&mut self, what: Agendum) {
        match what {
            Agendum::Happen(child, h) => self.happen(child as usize, *h),
            Agendum::Act {
                child,
                role,
                action,
                by_trainee,
                params,
                queue_wait,
                auto,
                kind,
                slotted,
            } => {
                if auto {
                    // A meeting still needed is held in a meeting slot (waiting for one if
                    // need be); when it ends, the slot goes to the next in line.
                    if slotted {
                        self.slot_meetings_held += 1;
                        self.free_slot();
                    } else if self.takes_slot(action) && self.open_by_child[child as usize].has_open(kind) {
                        self.seek_slot(WaitingMeeting {
                            child,
                            role,
                            action,
                            kind,
                            queue_wait,
                            since: self.now_ns,
                            office_wait: 0,
                        });
                        return;
                    }
                    if self.refrains(child as usize, role, action, kind) {
                        return;
                    }
                    let d = &mut self.open_by_child[child as usize];
                    d.act_done(kind);
                    if !d.has_open(kind) {
                        if slotted {
                            // A meeting that began in its slot (its duty open) was held, though
                            // the child was found, or its duty met, while it sat: it counts as
                            // held (and as the role's work), meeting no duty, setting nothing off.
                            self.count_act(self.now_ns, role, action);
                            self.action_useful[action as usize] += 1;
                        }
                        return;
                    }
                }
                let params = params.map(|p| *p).unwrap_or_default();
                // Acts not automated (the trainee's, or another role's scripted by the scenario)
                // are judged against the protocol's prohibitions.
                self.act(
                    child as usize,
                    role,
                    action,
                    (by_trainee, !auto),
                    &params,
                    queue_wait as f64,
                )
            }
            Agendum::MissingTimer {
                child,
                episode,
                index,
                seq,
            } => {
                let c = child as usize;
                // A child back (or on to another episode) stays so for this episode: the timers
                // after this one would find the same, and are not set.
                if self.current_episode(c) == Some(episode) && self.is_away(c) {
                    let hours = self.missing_hours[index as usize];
                    self.fire_trigger(c, Trigger::MissingFor(hours));
                    let next = |index, seq| Agendum::MissingTimer {
                        child,
                        episode,
                        index,
                        seq,
                    };
                    self.set_next_timer(c, |e| &e.missing_hours, index, seq, next);
                }
            }
            Agendum::Reclassify {
                child,
                episode,
                index,
                seq,
            } => {
                let c = child as usize;
                if self.current_episode(c) == Some(episode) && self.is_away(c) {
                    self.reclassify(c);
                    let next = |index, seq| Agendum::Reclassify {
                        child,
                        episode,
                        index,
                        seq,
                    };
                    self.set_next_timer(c, |e| &e.escalation_hours, index, seq, next);
                }
            }
            Agendum::Repeat {
                child,
                episode,
                rule,
                n,
            } => self.repeat(child as usize, episode, rule as usize, n),
            Agendum::SetAbout { child, duty, rule, due } => {
                let child = child as usize;
                if self.open_by_child[child].open.iter().any(|r| r.id == duty) {
                    self.plan_act(child, rule as usize, duty, due, self.now_ns);
                }
            }
            Agendum::SlotsOpen { .. } => self.open_slots(),
            Agendum::DueCheck { child, duty } => {
                let child = child as usize;
                let open = self.open_by_child[child].open.iter().find(|r| r.id == duty).copied();
                if let Some(r) = open
                    && !self.keeps(child)
                {
                    // Stress runs settle misses at the deadline to keep memory flat.
                    self.settle(child, r, Status::Missed, None, 0.0, || {
                        "not done by the deadline".into()
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::super::time::NANOS_PER_MINUTE;
    use super::*;

    fn item(at: Nanos, seq: u64) -> Item {
        Item {
            key: Item::key(at, seq),
            what: Agendum::DueCheck {
                child: 0,
                duty: seq as u32,
            },
        }
    }

    /// Items scheduled minutes, days and years ahead (past the ring of hours, into its map), some
    /// while others are being taken out, each come out when they are the earliest, as from one
    /// priority queue. (As in the engine, nothing is scheduled before the last item taken out.)
    #[test]
    fn the_agenda_gives_everything_in_time_order_however_far_ahead_it_was_scheduled() {
        let mut agenda = Agenda::default();
        let mut reference = BinaryHeap::new();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut now, mut seq, mut taken, mut far) = (0, 0u64, 0, 0);
        for round in 0..4000 {
            for _ in 0..rng.random_range(0..4) {
                let ahead = match rng.random_range(0..10) {
                    0 => rng.random_range(0..3 * 365 * 24) * NANOS_PER_HOUR,
                    1..=3 => rng.random_range(0..72) * NANOS_PER_HOUR,
                    _ => rng.random_range(0..120) * NANOS_PER_MINUTE,
                };
                far += usize::from(ahead >= NEAR_HOURS * NANOS_PER_HOUR);
                seq += 1;
                agenda.push(item(now + ahead, seq));
                reference.push(Reverse(Item::key(now + ahead, seq)));
            }
            // Now and then the clock jumps a year: the far years come near.
            if round % 1000 == 999 {
                now += 365 * 24 * NANOS_PER_HOUR;
            }
            // Some fifty items stay in: the far ones come out when the clock reaches them.
            while agenda.len > 50
                && rng.random_range(0..3) > 0
                && let Some(next) = agenda.pop()
            {
                assert_eq!(Some(next.key), reference.pop().map(|Reverse(k)| k), "item {taken}");
                now = now.max(next.at());
                taken += 1;
            }
        }
        while let Some(next) = agenda.pop() {
            assert_eq!(Some(next.key), reference.pop().map(|Reverse(k)| k), "item {taken}");
            taken += 1;
        }
        assert!(reference.is_empty(), "items lost");
        assert_eq!(agenda.len, 0);
        assert!(
            taken > 5000 && far > 100,
            "{taken} items, {far} of them over a year ahead"
        );
    }
}
