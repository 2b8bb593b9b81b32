//! From a caseload and a seed to children and their episodes, and into an engine.
//!
//! The plan is drawn once per replication (so a baseline and a revision see the same children
//! and the same episodes) and fed to the engine a day at a time, so the agenda only ever holds
//! the episodes under way.

use chrono::{Duration, Months, NaiveDateTime, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{LoadedCaseload, PropensityGroup};
use crate::protocol::Placement;
use crate::sim::engine::{ChildProfile, Engine, Happening};

/// One planned episode; times are minutes from the start of the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedEpisode {
    pub child: u32,
    pub leave: i64,
    /// When the whereabouts become known (absent rather than missing), if they do.
    pub known: Option<i64>,
    /// When the child is found somewhere, if they are (else they walk back in).
    pub found: Option<i64>,
    pub back: i64,
    pub close: i64,
}

/// Children and episodes for one replication.
#[derive(Debug, Clone)]
pub struct Plan {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub children: Vec<(ChildProfile, Vec<NaiveDateTime>)>,
    /// Sorted by `leave`, then child.
    pub episodes: Vec<PlannedEpisode>,
}

/// The generator's random stream for replication `rep`: one ChaCha8 stream per replication,
/// so results do not depend on how replications are spread over threads.
pub fn rng_for(seed: u64, rep: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(rep.wrapping_mul(2));
    r
}

/// The engine's seed for replication `rep` (its latencies and compliance draws).
pub fn engine_seed(seed: u64, rep: u64) -> u64 {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(rep.wrapping_mul(2) + 1);
    r.random()
}

fn pick<T>(rng: &mut ChaCha8Rng, items: &[T], share: impl Fn(&T) -> f64) -> usize {
    let mut u: f64 = rng.random();
    for (i, it) in items.iter().enumerate() {
        let s = share(it);
        if u < s {
            return i;
        }
        u -= s;
    }
    items.len().saturating_sub(1)
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller; portable (no platform maths beyond ln, sqrt, cos).
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    -u.ln() * mean
}

const MIN_PER_DAY: f64 = 1440.0;

/// Draw the children and episodes of one replication.
pub fn plan(cl: &LoadedCaseload, seed: u64, rep: u64) -> Plan {
    let c = &cl.caseload;
    let mut rng = rng_for(seed, rep);
    let start = cl.start.and_time(NaiveTime::MIN);
    let horizon = c.horizon_days * 1440;
    let warm = -(c.warm_up_days * 1440);
    let e = &c.episodes;
    let mu = e.median_hours.ln();
    let max_minutes = e.max_days * MIN_PER_DAY;
    let n = c.children.max(0) as usize;
    let mut children = Vec::with_capacity(n);
    let mut episodes = Vec::with_capacity(n * 2);
    let mut times: Vec<i64> = Vec::new();
    for i in 0..n {
        let band = &c.ages[pick(&mut rng, &c.ages, |b| b.share)];
        let age = band.min + (rng.random::<f64>() * (band.max - band.min + 1) as f64) as i64;
        let age = age.min(band.max);
        let before: u64 = rng.random_range(0..365);
        let dob = cl
            .start
            .checked_sub_months(Months::new(12 * age as u32))
            .and_then(|d| d.checked_sub_signed(Duration::days(before as i64)))
            .unwrap_or(cl.start);
        let status = c.legal_status[pick(&mut rng, &c.legal_status, |s| s.share)]
            .status
            .clone();
        let looked_after = status.iter().any(|s| s.is_looked_after());
        let placement = if looked_after && !c.placements.is_empty() {
            c.placements[pick(&mut rng, &c.placements, |p| p.share)].placement
        } else {
            Placement::Home
        };
        let u: f64 = rng.random();
        let out_of_borough = looked_after && u < c.out_of_borough;
        let placed_here = looked_after && !out_of_borough && u < c.out_of_borough + c.placed_here_by_other_authority;
        let risk_factors: Vec<String> = c
            .risk_factors
            .iter()
            .filter(|f| rng.random::<f64>() < f.share)
            .map(|f| f.factor.clone())
            .collect();
        let groups: &[PropensityGroup] = if looked_after {
            &c.propensity.looked_after
        } else {
            &c.propensity.other
        };
        let rate = if groups.is_empty() {
            0.0
        } else {
            groups[pick(&mut rng, groups, |g| g.share)].repeats_per_year
        };
        let mean_gap = if rate > 0.0 {
            365.0 * MIN_PER_DAY / rate
        } else {
            f64::INFINITY
        };
        let duration = |rng: &mut ChaCha8Rng| -> i64 {
            let h = (mu + e.sigma * normal(rng)).exp();
            (h * 60.0).clamp(1.0, max_minutes.max(1.0)) as i64
        };
        // The episode every child has in the first year, then others before and after it.
        let first = (rng.random::<f64>() * 365.0 * MIN_PER_DAY) as i64;
        times.clear();
        times.push(first);
        if mean_gap.is_finite() {
            let mut t = first;
            loop {
                let gap = exponential(&mut rng, mean_gap) as i64;
                let d = duration(&mut rng);
                t = t - gap - d;
                if t < warm {
                    break;
                }
                times.push(t);
            }
        }
        times.sort_unstable();
        let mut history = Vec::new();
        let mut planned: Vec<PlannedEpisode> = Vec::new();
        let draw_episode = |rng: &mut ChaCha8Rng, leave: i64| -> PlannedEpisode {
            let d = duration(rng);
            let known = (looked_after && rng.random::<f64>() < e.whereabouts_known_share)
                .then(|| leave + (e.whereabouts_known_after_hours * 60.0) as i64)
                .filter(|k| *k < leave + d);
            let found_elsewhere = rng.random::<f64>() < e.found_elsewhere_share;
            let (found, back) = if found_elsewhere {
                (Some(leave + d), leave + d + (e.return_after_found_hours * 60.0) as i64)
            } else {
                (None, leave + d)
            };
            let close = back + (e.close_after_return_days * MIN_PER_DAY) as i64;
            PlannedEpisode {
                child: i as u32,
                leave,
                known,
                found,
                back,
                close,
            }
        };
        for &t in times.iter() {
            if t < 0 {
                history.push(start + Duration::minutes(t));
            } else if t < horizon {
                planned.push(draw_episode(&mut rng, t));
            }
        }
        // Episodes after the first one drawn (forward from each return).
        if mean_gap.is_finite() {
            let mut last_back = planned.last().map(|p| p.back).unwrap_or(first);
            loop {
                let t = last_back + exponential(&mut rng, mean_gap) as i64;
                if t >= horizon {
                    break;
                }
                let p = draw_episode(&mut rng, t.max(0));
                last_back = p.back;
                planned.push(p);
            }
        }
        // Backward draws may overlap the one after: push them apart, and close each before the next.
        for k in 1..planned.len() {
            let prev_back = planned[k - 1].back;
            if planned[k].leave <= prev_back {
                let shift = prev_back + 1 - planned[k].leave;
                let p = &mut planned[k];
                p.leave += shift;
                p.known = p.known.map(|x| x + shift);
                p.found = p.found.map(|x| x + shift);
                p.back += shift;
                p.close += shift;
            }
            let next_leave = planned[k].leave;
            let prev = &mut planned[k - 1];
            prev.close = prev.close.min(next_leave - 1).max(prev.back);
        }
        planned.retain(|p| p.leave < horizon);
        episodes.extend(planned);
        children.push((
            ChildProfile {
                name: format!("C{i:06}"),
                date_of_birth: dob,
                legal_status: status,
                placement,
                out_of_borough,
                placed_here_by_other_authority: placed_here,
                risk_factors,
            },
            history,
        ));
    }
    episodes.sort_by_key(|p| (p.leave, p.child));
    Plan {
        start,
        end: start + Duration::days(c.horizon_days),
        children,
        episodes,
    }
}

impl Plan {
    /// Add the children to an engine (in order, so child `i` of the plan is child `i` there).
    pub fn add_children(&self, engine: &mut Engine) {
        for (p, h) in &self.children {
            engine.add_child(p.clone(), "placement", h.clone());
        }
    }

    /// Move the children into an engine (for a plan run once: saves keeping two copies).
    pub fn move_children(&mut self, engine: &mut Engine) {
        for (p, h) in self.children.drain(..) {
            engine.add_child(p, "placement", h);
        }
    }

    fn at(&self, m: i64) -> NaiveDateTime {
        self.start + Duration::minutes(m)
    }

    /// Schedule one episode's happenings.
    pub fn schedule(&self, engine: &mut Engine, p: &PlannedEpisode) {
        let c = p.child as usize;
        engine.schedule(
            self.at(p.leave),
            c,
            Happening::Leaves {
                to: "unknown".into(),
                note: String::new(),
                whereabouts_known: false,
                last_seen_hours_before: None,
            },
        );
        if let Some(k) = p.known {
            engine.schedule(
                self.at(k),
                c,
                Happening::WhereaboutsKnown {
                    at: "known address".into(),
                    note: String::new(),
                },
            );
        }
        if let Some(f) = p.found {
            engine.schedule(
                self.at(f),
                c,
                Happening::Located {
                    at: "found".into(),
                    note: String::new(),
                },
            );
        }
        engine.schedule(self.at(p.back), c, Happening::Returned { note: String::new() });
        engine.schedule(self.at(p.close), c, Happening::CloseEpisode);
    }

    /// Run the whole horizon: episodes are fed in a day at a time. `tick` is called after each
    /// simulated day with the number of days done and the engine.
    pub fn run(&self, engine: &mut Engine, mut tick: impl FnMut(u64, &Engine)) {
        let mut next = 0;
        let mut t = self.start;
        let mut day = 0;
        while t < self.end {
            let until = (t + Duration::days(1)).min(self.end);
            let until_m = (until - self.start).num_minutes();
            while next < self.episodes.len() && self.episodes[next].leave < until_m {
                self.schedule(engine, &self.episodes[next]);
                next += 1;
            }
            engine.run_until(until);
            t = until;
            day += 1;
            tick(day, engine);
        }
        engine.finish(self.end);
    }
}
