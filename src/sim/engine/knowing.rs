//! Who knows of each child's missing episode (see `protocol::knowledge`): the protocol's chain of
//! handovers compiled into role masks, and for each child the roles told so far and the duties
//! waiting for their role to be told.
//!
//! Roles are numbered in the protocol's order (at most 128); masks are closed under the
//! protocol's shared records, so "tell the call handler" tells the whole police record at once.

use crate::protocol::{Effect, Protocol};

/// A duty a role acting by the book cannot set about yet: nobody has told the role.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parked {
    pub rule: u32,
    pub duty: u32,
    pub due: Option<i64>,
    /// When the role would have set about it, had it known.
    pub from: i64,
}

/// The protocol's handovers as masks, and each child's state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knowing {
    /// By role name number (the engine's `intern`): the role's bit, if it is a protocol role.
    bit: Vec<Option<u8>>,
    /// By role number: the roles that learn with it (its bit included).
    group: Vec<u128>,
    /// Who knows the moment a child goes.
    at_once: u128,
    /// Roles assumed told whenever a duty of theirs arises.
    assumed: u128,
    /// By action name number: the roles doing it tells.
    tells: Vec<u128>,
    /// By child: the roles told of their current episode.
    known: Vec<u128>,
    /// By child: duties waiting for their role to be told, in the order they arose. Change it
    /// through `park` and `take_parked` (and `unpark`), which keep `waiting_by_rule`.
    pub parked: Vec<Vec<Parked>>,
    /// By rule: how many duties wait for their role to be told, all children together.
    waiting_by_rule: Vec<u64>,
}

impl Knowing {
    /// The protocol's handovers, or none: without a `knowledge` section every role knows at once.
    pub fn new(p: &Protocol) -> Option<Self> {
        let k = p.knowledge.as_ref()?;
        if p.roles.len() > 128 {
            return None;
        }
        let index = |id: &str| p.roles.iter().position(|r| r.id == id);
        let mut group = vec![0u128; p.roles.len()];
        for (i, r) in p.roles.iter().enumerate() {
            for g in k.group_of(&r.id) {
                if let Some(j) = index(g) {
                    group[i] |= 1 << j;
                }
            }
        }
        let mask = |ids: &mut dyn Iterator<Item = &str>| -> u128 { ids.filter_map(index).fold(0, |m, i| m | group[i]) };
        Some(Knowing {
            at_once: mask(&mut k.at_once.iter().map(String::as_str)),
            assumed: mask(&mut k.assumed_told.iter().map(String::as_str)),
            group,
            ..Default::default()
        })
    }

    /// Number `sym` is the name `name` (the engine's `intern`): its role bit and what doing it,
    /// as an action, tells.
    pub fn name_added(&mut self, p: &Protocol, sym: u32, name: &str) {
        let sym = sym as usize;
        if self.bit.len() <= sym {
            self.bit.resize(sym + 1, None);
            self.tells.resize(sym + 1, 0);
        }
        self.bit[sym] = p.roles.iter().position(|r| r.id == name).map(|i| i as u8);
        let Some(k) = &p.knowledge else {
            return;
        };
        let mut m = 0u128;
        let mut tell = |role: &str| {
            if let Some(i) = p.roles.iter().position(|r| r.id == role) {
                m |= self.group[i];
            }
        };
        if let Some(a) = p.actions.iter().find(|a| a.id == name) {
            for e in &a.effects {
                match e {
                    Effect::Notifies(r) => tell(r),
                    Effect::ReportsMissing => k.on_report.iter().for_each(|r| tell(r)),
                    _ => {}
                }
            }
        }
        for t in k.tells.iter().filter(|t| t.action == name) {
            t.to.iter().for_each(|r| tell(r));
        }
        self.tells[sym] = m;
    }

    /// Whether doing action `sym` tells anyone (an act that must be done on time, not lazily).
    pub fn action_tells(&self, sym: u32) -> bool {
        self.tells.get(sym as usize).is_some_and(|m| *m != 0)
    }

    /// A duty waits for its role to be told.
    pub fn park(&mut self, child: usize, p: Parked) {
        let r = p.rule as usize;
        if self.waiting_by_rule.len() <= r {
            self.waiting_by_rule.resize(r + 1, 0);
        }
        self.waiting_by_rule[r] += 1;
        self.parked[child].push(p);
    }

    /// Every duty of the child still waiting, taken off the list.
    pub fn take_parked(&mut self, child: usize) -> Vec<Parked> {
        let list = std::mem::take(&mut self.parked[child]);
        for p in &list {
            self.waiting_by_rule[p.rule as usize] -= 1;
        }
        list
    }

    /// Duties of the child waiting for a role in `bits` (`role_of` gives a rule's role number),
    /// taken off the list; the rest stay.
    pub fn unpark(&mut self, child: usize, bits: u128, role_of: impl Fn(u32) -> u32) -> Vec<Parked> {
        let list = std::mem::take(&mut self.parked[child]);
        let (go, stay): (Vec<Parked>, Vec<Parked>) =
            list.into_iter().partition(|p| self.in_bits(role_of(p.rule), bits));
        for p in &go {
            self.waiting_by_rule[p.rule as usize] -= 1;
        }
        self.parked[child] = stay;
        go
    }

    /// How many duties of rule `r` wait for their role to be told.
    pub fn waiting(&self, r: usize) -> u64 {
        self.waiting_by_rule.get(r).copied().unwrap_or(0)
    }

    pub fn add_child(&mut self) {
        self.known.push(0);
        self.parked.push(Vec::new());
    }

    /// A new episode: only those the child was with know of it.
    pub fn episode_started(&mut self, child: usize) {
        self.known[child] = self.at_once;
    }

    /// Whether the role (by name number) knows of the child's current episode.
    pub fn knows(&self, child: usize, role: u32) -> bool {
        match self.bit.get(role as usize).copied().flatten() {
            Some(b) => (self.known[child] | self.assumed) & (1 << b) != 0,
            None => true,
        }
    }

    /// The roles (with their records) doing action `sym` tells: returns the bits newly told.
    /// (The one acting learns nothing by it: a role acting by the book acts only on what it
    /// knows, and an act for an earlier episode does not tell of a new one.)
    pub fn act(&mut self, child: usize, action: u32) -> u128 {
        let m = self.tells.get(action as usize).copied().unwrap_or(0);
        if m == 0 {
            return 0;
        }
        self.tell(child, m)
    }

    /// The role (by name number) is told, with its record: returns the bits newly told.
    pub fn tell_role(&mut self, child: usize, role: u32) -> u128 {
        match self.bit.get(role as usize).copied().flatten() {
            Some(b) => self.tell(child, self.group[b as usize]),
            None => 0,
        }
    }

    fn tell(&mut self, child: usize, m: u128) -> u128 {
        let new = m & !self.known[child];
        self.known[child] |= m;
        new
    }

    /// Whether protocol roles `a` and `b` (the protocol's numbering) learn together.
    pub fn same_record(&self, a: usize, b: usize) -> bool {
        self.group[a] & (1 << b) != 0
    }

    /// Whether the role (by name number) is among `bits`.
    pub fn in_bits(&self, role: u32, bits: u128) -> bool {
        self.bit
            .get(role as usize)
            .copied()
            .flatten()
            .is_some_and(|b| bits & (1 << b) != 0)
    }

    /// The protocol's role numbers (0-based, the protocol's order) among `bits`.
    pub fn roles_in(bits: u128) -> impl Iterator<Item = usize> {
        (0..128).filter(move |i| bits & (1u128 << i) != 0)
    }
}
