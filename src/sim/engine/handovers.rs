//! Who is told of a child: the engine's side of `knowing` (the protocol's handovers). Acts and
//! disclosures tell roles; duties waiting for their role to be told are set about then, or
//! settled as never told.

use super::Engine;
use super::duties::{OpenRef, Status};
use super::knowing::{Knowing, Parked};
use super::time::Nanos;

impl Engine {
    /// A new episode: only those the child was with know of it. Duties of the last episode still
    /// waiting for their role to be told are settled there (see `settle_untold`).
    pub(super) fn episode_started_knowing(&mut self, child: usize) {
        let Some(k) = self.knowing.as_mut() else {
            return;
        };
        k.episode_started(child);
        let left = k.take_parked(child);
        for p in left {
            if let Some(r) = self.open_by_child[child].open.iter().find(|r| r.id == p.duty).copied() {
                self.settle_untold(child, r);
            }
        }
    }

    /// A duty whose role was never told of the child: not applicable, saying why, and tallied
    /// apart (not a backlog, and nothing staffing can change).
    pub(super) fn settle_untold(&mut self, child: usize, r: OpenRef) {
        let role = self.protocol.rules[r.rule as usize].role.clone();
        let name = self.protocol.role(&role).map_or(role, |x| x.name.clone());
        self.settle(child, r, Status::NotApplicable, None, 0.0, || {
            format!(
                "not done: nobody told the {name} of the child (the handovers between agencies stopped before them)"
            )
        });
        let t = &mut self.tallies[r.rule as usize];
        t.outstanding -= 1;
        t.never_told += 1;
    }

    /// How many duties of rule `r` wait for their role to be told of the child, all children
    /// together (a backlog of work they are not: nobody has told the role).
    pub fn waiting_untold(&self, r: usize) -> u64 {
        self.knowing.as_ref().map_or(0, |k| k.waiting(r))
    }

    /// Whether `role` has been told of the child's current episode (a live exercise shows a
    /// role only what it knows). Every role knows under a protocol with no `knowledge` section;
    /// with no episode under way, nobody has anything to be told.
    pub fn knows_of(&self, child: usize, role: &str) -> bool {
        match &self.knowing {
            None => true,
            Some(k) => self
                .names
                .list
                .iter()
                .position(|n| n == role)
                .is_some_and(|sym| k.knows(child, sym as u32)),
        }
    }

    /// Whoever the act tells now knows of the child.
    pub(super) fn inform(&mut self, child: usize, role_sym: u32, action_sym: u32) {
        if let Some(k) = self.knowing.as_mut() {
            let told = k.act(child, action_sym);
            if told != 0 {
                self.told(child, told, role_sym, Some(action_sym));
            }
        }
    }

    /// The roles in `bits` (the protocol's numbering) have just been told of the child's episode
    /// by `actor` doing `action` (or by the child, in a disclosure): the chronology says so, and
    /// duties of theirs that waited for it are set about now.
    pub(super) fn told(&mut self, child: usize, bits: u128, actor: u32, action: Option<u32>) {
        if self.keeps(child) {
            let protocol = self.protocol.clone();
            let actor_name = self.names.list[actor as usize].clone();
            let mine = protocol.roles.iter().position(|r| r.id == actor_name);
            let how = match action {
                Some(a) => {
                    let id = &self.names.list[a as usize];
                    protocol.action(id).map_or(id.clone(), |x| x.name.clone())
                }
                None => "the child's disclosure".to_string(),
            };
            let who = protocol
                .role(&actor_name)
                .map_or(actor_name.clone(), |r| r.name.clone());
            // The one acting, and their own record, knew already: no handover.
            let names: Vec<&str> = Knowing::roles_in(bits)
                .filter(|i| !mine.is_some_and(|m| self.knowing.as_ref().expect("checked").same_record(m, *i)))
                .map(|i| protocol.roles[i].name.as_str())
                .collect();
            if !names.is_empty() {
                let list = match names.len() {
                    1 => names[0].to_string(),
                    n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
                };
                let verb = if names.len() == 1 { "knows" } else { "know" };
                let text = format!("{list} now {verb} of the child ({how})");
                self.note(child, "handover", &who, || text);
            }
        }
        let k = self.knowing.as_mut().expect("checked");
        if k.parked[child].is_empty() {
            return;
        }
        let names = &self.rule_names;
        let go = k.unpark(child, bits, |rule| names[rule as usize].0);
        for p in go {
            let open = self.open_by_child[child].open.iter().any(|r| r.id == p.duty);
            if open {
                let from = p.from.max(self.now_ns);
                let due = self.due_once_told(child, &p);
                self.plan_act(child, p.rule as usize, p.duty, due, from);
            }
        }
    }

    /// A played role's duty counts its time from when the role is told, where that is later
    /// than when it arose: the allowance the protocol gives (from arising to due) runs from now.
    /// Its record and the child's open list carry the new due time. Roles acting by the book,
    /// and scenario roles, keep the protocol's time.
    fn due_once_told(&mut self, child: usize, p: &Parked) -> Option<Nanos> {
        let role = self.rule_names[p.rule as usize].0;
        let (Some(due), true) = (p.due, self.played.contains(&role)) else {
            return p.due;
        };
        let moved = self.now_ns + (due - p.from).max(0);
        if moved <= due {
            return p.due;
        }
        if let Some(r) = self.open_by_child[child].open.iter_mut().find(|r| r.id == p.duty) {
            r.due = Some(moved);
        }
        if self.keeps(child)
            && let Some(o) = self.obligations.get_mut(p.duty as usize)
        {
            o.due_at = Some(self.now + chrono::Duration::nanoseconds(moved - self.now_ns));
        }
        Some(moved)
    }
}
