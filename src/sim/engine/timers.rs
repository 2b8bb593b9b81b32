//! An episode's timers: hours away that set rules off (`MissingFor`), and the hours at which the
//! child is classified again, withdrawing the duties of a classification superseded.

use super::Engine;
use super::agenda::Agendum;
use super::duties::Status;
use super::time::{later, timer_span};
use crate::protocol::Trigger;

impl Engine {
    /// The timer after timer `index` (falling now) of the list `hours` gives, where there is one:
    /// at its own time (both count from the moment the child left) and in the place in the order
    /// kept for it (`seq + 1`). `make` makes the item from the timer's index and sequence number.
    pub(super) fn set_next_timer(
        &mut self,
        child: usize,
        hours: impl Fn(&Engine) -> &Vec<f64>,
        index: u32,
        seq: u64,
        make: impl FnOnce(u32, u64) -> Agendum,
    ) {
        let left = self.children[child].episode.as_ref().map_or(self.now_ns, |e| e.left_ns);
        let list = hours(self);
        let Some(&next) = list.get(index as usize + 1) else {
            return;
        };
        // (A timer that fell at its own time counts on from it; one already past when the child
        // was missed — last seen long before — counts from when she was last seen, no earlier
        // than now.)
        let on_time = later(left, timer_span(list[index as usize])) == self.now_ns;
        let at = if on_time {
            self.now_ns - timer_span(list[index as usize]) + timer_span(next)
        } else {
            later(left, timer_span(next)).max(self.now_ns)
        };
        self.push_keyed(at, seq + 1, make(index + 1, seq + 1));
    }

    /// An episode has begun: its timers (hours away that set rules off, or change how the child
    /// is classified). Each timer's place in the order is taken now, as if all were set now; but
    /// only the first of each kind waits on the agenda, and each sets the next when it finds the
    /// child still away. Most children are back before the first, so most timers are never set.
    pub(super) fn start_timers(&mut self, child: usize, episode: u32) {
        // (From when the child was last seen: timers already past fire at once, in order.)
        let left = self.children[child].episode.as_ref().map_or(self.now_ns, |e| e.left_ns);
        let child = child as u32;
        let (missing, escalations) = (self.missing_hours.len() as u64, self.escalation_hours.len() as u64);
        let seq = self.seq + 1;
        self.seq += missing + escalations;
        if let Some(&h) = self.missing_hours.first() {
            let what = Agendum::MissingTimer {
                child,
                episode,
                index: 0,
                seq,
            };
            self.push_keyed(later(left, timer_span(h)).max(self.now_ns), seq, what);
        }
        if let Some(&h) = self.escalation_hours.first() {
            let seq = seq + missing;
            let what = Agendum::Reclassify {
                child,
                episode,
                index: 0,
                seq,
            };
            self.push_keyed(later(left, timer_span(h)).max(self.now_ns), seq, what);
        }
    }

    pub(super) fn reclassify(&mut self, child: usize) {
        let facts = self.scratch_facts(child);
        let entry = self.protocol.classify(&facts);
        // (Whereabouts reported before the child has left: no episode to classify.)
        let Some(e) = self.children[child].episode.as_mut() else {
            self.scratch_facts = Some(facts);
            return;
        };
        let cat = match entry {
            Some(entry) if e.category.as_deref() != Some(entry.category.as_str()) => entry.category.clone(),
            _ => {
                self.scratch_facts = Some(facts);
                return;
            }
        };
        self.scratch_facts = Some(facts);
        let was = e.category.replace(cat.clone());
        let name = self.name_for_records(child);
        let label = if self.keeps(child) {
            self.protocol
                .categories
                .iter()
                .find(|c| c.id == cat)
                .map(|c| c.name.clone())
                .unwrap_or(cat.clone())
        } else {
            String::new()
        };
        self.transition(child, || format!("classified {cat}"));
        self.note(child, "classification", "protocol", || match &was {
            Some(w) => format!("{name} is now {label} (was {w})"),
            None => format!("{name} is {label}"),
        });
        if let Some(old) = was {
            self.withdraw_superseded(child, &old, &label);
        }
        self.fire_trigger(child, Trigger::ClassifiedAs(cat));
    }

    /// The child is no longer in category `old`: the open duties its classification set off are
    /// withdrawn (superseded, not counted), saying why.
    fn withdraw_superseded(&mut self, child: usize, old: &str, now_label: &str) {
        let mut open = std::mem::take(&mut self.scratch_open);
        open.clear();
        open.extend(
            self.open_by_child[child].open.iter().filter(
                |r| matches!(&self.protocol.rules[r.rule as usize].trigger, Trigger::ClassifiedAs(c) if c == old),
            ),
        );
        let at = self.now.format("%H:%M").to_string();
        for r in &open {
            self.settle(child, *r, Status::Withdrawn, None, 0.0, || {
                format!("withdrawn: reclassified as {now_label} at {at}, so the duties of the earlier classification no longer apply")
            });
        }
        self.scratch_open = open;
    }
}
