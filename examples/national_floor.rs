//! The least work any engine must do for the national year, measured on the machine at hand.
//!
//! `cargo run --release --example national_floor`
//!
//! Issue #5 asks for the national caseload (140,000 children, 365 days, Havering October 2023) in at
//! most one second on one core. This is not the engine: it is a stripped skeleton of what the year
//! asks of *any* engine that keeps the issue's own requirement that "obligations late because of a
//! queue show as late" — every duty of a staffed role booked on its role's rota, in time order. It
//! keeps the national year's shape and leaves out everything else the engine does:
//!
//! - the same number of episodes (235,452, spread over the year), and some 51 duties an episode
//!   (the engine: 57) from 5 triggers and 8 chains of "done" triggers, on 100 duty kinds;
//! - the national staffing: 350 RHI workers and 140 MASH staff in office hours only, 2,800 social
//!   workers, with the caseload's latencies and minutes of work; other roles act 15 minutes on;
//! - an agenda by the hour (sorted once an hour opens, a heap for items within it), duties kept in
//!   their child's list and met by kind, lapsing duties cancelled when the child is found, met or
//!   late counted per rule, workload per role and week;
//! - but no conditions on the child, no classification, no repeats, no records, no random stream per
//!   purpose, and the duties of roles without a rota that set nothing off are settled when they arise,
//!   with no event at all (half the duties).
//!
//! Whatever it takes is a floor under the real engine's time on the same machine (see
//! `docs/stress-tests.md`, "Against the targets").

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CHILDREN: usize = 140_000;
const EPISODES: usize = 235_452;
const DAYS: i64 = 365;
const MIN_PER_DAY: i64 = 1440;
/// 2024-04-01 in minutes since 1970.
const START: i64 = 19_814 * MIN_PER_DAY;

/// Triggers: 0 left, 1 found, 2 returned, 3 and 4 away 24 and 72 hours, 5 + k doing kind k.
struct Rule {
    trigger: u16,
    role: usize,
    kind: u16,
    deadline: Option<i64>,
    lapses: bool,
}

/// Per role: workers (none: no rota), minutes of work, latency from–to, office hours only.
type Staffing = (Option<u64>, i64, i64, i64, bool);
const STAFFING: [Staffing; 6] = [
    (Some(350), 30, 60, 480, true),
    (Some(2800), 30, 15, 240, false),
    (Some(140), 15, 5, 60, true),
    (None, 0, 15, 15, false),
    (None, 0, 15, 15, false),
    (None, 0, 15, 15, false),
];

#[derive(Clone, Copy, Default)]
struct Duty {
    rule: u16,
    due: i64,
}

#[derive(Clone, Default)]
struct Child {
    kinds: Vec<u16>,
    duties: Vec<Duty>,
    away: bool,
    found_at: i64,
    /// Duty kinds with an act on the agenda.
    acting: u128,
}

#[derive(Clone, Copy)]
enum What {
    Leaves,
    Found,
    Returned,
    Timer(u16),
    Act(u16),
}

#[derive(Clone, Copy)]
struct Item {
    key: u64,
    child: u32,
    what: What,
}

struct Rota {
    free: u64,
    busy: BinaryHeap<Reverse<i64>>,
}

impl Rota {
    /// Book the worker free soonest for a duty ready at `ready`, booked `now`: when it ends.
    fn book(&mut self, now: i64, ready: i64, office_hours: bool, minutes: i64) -> i64 {
        while let Some(&Reverse(t)) = self.busy.peek()
            && t <= now
        {
            self.busy.pop();
            self.free += 1;
        }
        let free = match self.busy.peek() {
            Some(&Reverse(t)) if self.free == 0 => ready.max(t),
            _ => ready,
        };
        let end = if office_hours { office_open_from(free) } else { free } + minutes;
        if self.free > 0 {
            self.free -= 1;
            self.busy.push(Reverse(end));
        } else if let Some(mut top) = self.busy.peek_mut() {
            *top = Reverse(end);
        }
        end
    }
}

/// The first minute at or after `t` in office hours (09:00–17:00, Monday to Friday).
fn office_open_from(mut t: i64) -> i64 {
    loop {
        let (day, minute) = (t.div_euclid(MIN_PER_DAY), t.rem_euclid(MIN_PER_DAY));
        let weekday = (day + 3).rem_euclid(7) < 5;
        if weekday && (540..1020).contains(&minute) {
            return t;
        }
        t = if weekday && minute < 540 { day } else { day + 1 } * MIN_PER_DAY + 540;
    }
}

struct Agenda {
    buckets: Vec<Vec<Item>>,
    run: Vec<Item>,
    heap: BinaryHeap<Reverse<(u64, u32, u8, u16)>>,
    hour: usize,
    seq: u64,
}

impl Agenda {
    fn push(&mut self, t: i64, child: u32, what: What) {
        self.seq += 1;
        let key = (((t - START) as u64) << 36) | self.seq;
        let h = ((t - START) / 60) as usize;
        if h <= self.hour {
            let (w, a) = match what {
                What::Leaves => (0, 0),
                What::Found => (1, 0),
                What::Returned => (2, 0),
                What::Timer(a) => (3, a),
                What::Act(a) => (4, a),
            };
            self.heap.push(Reverse((key, child, w, a)));
        } else if h < self.buckets.len() {
            self.buckets[h].push(Item { key, child, what });
        }
    }

    fn pop(&mut self) -> Option<Item> {
        loop {
            let heap_first = match (self.run.last(), self.heap.peek()) {
                (Some(a), Some(Reverse(b))) => b.0 < a.key,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (None, None) => {
                    self.hour += 1;
                    let next = std::mem::take(self.buckets.get_mut(self.hour)?);
                    self.run = next;
                    self.run.sort_unstable_by_key(|i| Reverse(i.key));
                    continue;
                }
            };
            if !heap_first {
                return self.run.pop();
            }
            let Reverse((key, child, w, a)) = self.heap.pop()?;
            let what = match w {
                0 => What::Leaves,
                1 => What::Found,
                2 => What::Returned,
                3 => What::Timer(a),
                _ => What::Act(a),
            };
            return Some(Item { key, child, what });
        }
    }
}

fn rules() -> Vec<Rule> {
    let deadlines = [Some(60), Some(240), Some(1440), Some(4320), None, None, None];
    let mut rules = Vec::new();
    let mut n = 0u16;
    for (trigger, count) in [(0u16, 22), (3, 4), (4, 3), (1, 12), (2, 10)] {
        for _ in 0..count {
            rules.push(Rule {
                trigger,
                role: n as usize % 6,
                kind: n % 100,
                deadline: deadlines[n as usize % 7],
                lapses: trigger == 0 && n.is_multiple_of(3),
            });
            n += 1;
        }
    }
    for k in 0..8u16 {
        rules.push(Rule {
            trigger: 5 + k,
            role: (k as usize + 1) % 6,
            kind: 90 + k,
            deadline: Some(1440),
            lapses: false,
        });
    }
    rules
}

fn run() -> (u64, u64, u64, f64) {
    let t0 = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let rules = rules();
    let by_trigger: Vec<Vec<usize>> = (0..105u16)
        .map(|t| (0..rules.len()).filter(|&i| rules[i].trigger == t).collect())
        .collect();
    let mut rotas: Vec<Rota> = STAFFING
        .iter()
        .map(|s| Rota {
            free: s.0.unwrap_or(0),
            busy: BinaryHeap::new(),
        })
        .collect();
    let mut children = vec![Child::default(); CHILDREN];
    let mut agenda = Agenda {
        buckets: vec![Vec::new(); (DAYS as usize + 30) * 24],
        run: Vec::new(),
        heap: BinaryHeap::new(),
        hour: 0,
        seq: 0,
    };
    for _ in 0..EPISODES {
        let child = rng.random_range(0..CHILDREN) as u32;
        let t = START + rng.random_range(0..DAYS * MIN_PER_DAY);
        agenda.push(t, child, What::Leaves);
    }
    // Per rule: met, late, cancelled. Workload per role and week.
    let mut tally = vec![[0u64; 3]; rules.len()];
    let mut workload = [0u64; 6 * 54];
    let (mut events, mut duties) = (0u64, 0u64);
    let end = START + DAYS * MIN_PER_DAY;
    while let Some(item) = agenda.pop() {
        let now = START + (item.key >> 36) as i64;
        if now >= end {
            break;
        }
        events += 1;
        let c = item.child as usize;
        let fired = match item.what {
            What::Leaves => {
                let ch = &mut children[c];
                if ch.away {
                    continue;
                }
                ch.away = true;
                let away = if rng.random::<f64>() < 0.8 {
                    rng.random_range(30..MIN_PER_DAY)
                } else {
                    rng.random_range(MIN_PER_DAY..10 * MIN_PER_DAY)
                };
                ch.found_at = now + away;
                agenda.push(now + away, item.child, What::Found);
                agenda.push(now + MIN_PER_DAY, item.child, What::Timer(3));
                agenda.push(now + 3 * MIN_PER_DAY, item.child, What::Timer(4));
                Some(0)
            }
            What::Timer(t) => (children[c].away && children[c].found_at > now).then_some(t),
            What::Found => {
                let ch = &mut children[c];
                ch.away = false;
                let mut i = 0;
                while i < ch.duties.len() {
                    let d = ch.duties[i];
                    if rules[d.rule as usize].lapses && d.due > now {
                        tally[d.rule as usize][2] += 1;
                        ch.duties.swap_remove(i);
                        ch.kinds.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
                agenda.push(now + 60, item.child, What::Returned);
                Some(1)
            }
            What::Returned => Some(2),
            What::Act(k) => {
                workload[(k % 6) as usize * 54 + ((now / MIN_PER_DAY + 3) / 7 % 53) as usize] += 1;
                let ch = &mut children[c];
                ch.acting &= !(1u128 << k);
                let (mut i, mut met) = (0, false);
                while let Some(off) = ch.kinds[i..].iter().position(|x| *x == k) {
                    i += off;
                    let d = ch.duties[i];
                    met = true;
                    tally[d.rule as usize][usize::from(now > d.due)] += 1;
                    ch.duties.swap_remove(i);
                    ch.kinds.swap_remove(i);
                }
                (met && k < 8).then_some(5 + k)
            }
        };
        let Some(trigger) = fired else { continue };
        for &ri in &by_trigger[trigger as usize] {
            let r = &rules[ri];
            duties += 1;
            let due = r.deadline.map_or(i64::MAX, |d| now + d);
            let ch = &mut children[c];
            let staffing = STAFFING[r.role];
            if staffing.0.is_none() && r.kind >= 8 {
                // Settled as it arises: done 15 minutes on, unless the child is found first.
                let ready = now + staffing.2;
                if r.lapses && ch.found_at <= ready {
                    tally[ri][2] += 1;
                } else {
                    tally[ri][usize::from(ready > due)] += 1;
                    workload[r.role * 54 + ((ready / MIN_PER_DAY + 3) / 7 % 53) as usize] += 1;
                }
                continue;
            }
            ch.kinds.push(r.kind);
            ch.duties.push(Duty { rule: ri as u16, due });
            if ch.acting >> r.kind & 1 == 1 {
                continue;
            }
            ch.acting |= 1 << r.kind;
            let span = staffing.3 - staffing.2;
            let mut ready = now + staffing.2 + (rng.random::<f64>() * span as f64) as i64;
            if staffing.0.is_some() {
                ready = rotas[r.role].book(now, ready, staffing.4, staffing.1);
            }
            agenda.push(ready, item.child, What::Act(r.kind));
        }
    }
    let met: u64 = tally.iter().map(|t| t[0]).sum();
    std::hint::black_box(&workload);
    (events, duties, met, t0.elapsed().as_secs_f64())
}

fn main() {
    println!("the national year's least bookkeeping (see the file's comment), three runs:");
    for _ in 0..3 {
        let (events, duties, met, wall) = run();
        println!(
            "  {EPISODES} episodes, {duties} duties ({met} met in time), {events} events: {wall:.2} s, {:.0} ns an event",
            wall * 1e9 / events as f64
        );
    }
}
