//! What the engine works out once: role and action names as numbers (`intern`), with what the
//! protocol says of each action, and what it needs of each rule; a fast hasher for its maps.

use std::collections::HashMap;
use std::sync::Arc;

use super::Engine;
use super::time::Nanos;

/// A fast hasher for the engine's own maps (names and small integer keys; not for untrusted input).
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

pub(super) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Role and action names as numbers, so the agenda carries no strings.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    pub(super) list: Vec<String>,
    /// Index of the protocol's first action with this id, if it is one.
    pub(super) action_decl: Vec<Option<usize>>,
}

impl Names {
    fn len(&self) -> usize {
        self.list.len()
    }
    fn push(&mut self, name: String) {
        self.list.push(name);
    }
}

/// What the engine needs of a rule besides its data, worked out once.
#[derive(Debug, Clone, Copy)]
pub(super) struct RuleInfo {
    /// The repeat interval of a repeating rule.
    pub(super) every: Option<Nanos>,
    /// Set off by doing its own action (a recurring meeting).
    pub(super) recurring: bool,
    /// Cancelled if the child is found before it falls due (see `Protocol::rule_lapses`).
    pub(super) lapses: bool,
    /// Its window opens when the child left, not when it arises (see `Rule::window_anchor`).
    pub(super) from_left: bool,
    /// Its window opens this long after it arises (see `Rule::opens_after_hours`).
    pub(super) opens: Option<Nanos>,
    /// Set off only by this role's act (see `Rule::done_by`).
    pub(super) done_by: Option<u32>,
}

impl Engine {
    /// The number standing for a role or action name on the agenda.
    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_ix.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        let decl = self.protocol.actions.iter().position(|a| a.id == name);
        let names = Arc::make_mut(&mut self.names);
        names.push(name.to_string());
        names.action_decl.push(decl);
        self.done_key.push(self.keys.done.get(name).copied());
        let may_forbid = self.protocol.may_forbid_action(name);
        // (A prohibited action goes through the agenda, where `refrains` judges it.)
        let plain = !self.keys.done.contains_key(name)
            && decl.is_none_or(|i| self.protocol.actions[i].effects.is_empty())
            && !may_forbid;
        self.plain_action.push(plain);
        self.may_forbid.push(may_forbid);
        let effects = decl.is_some_and(|i| !self.protocol.actions[i].effects.is_empty());
        self.has_effects.push(effects);
        if let Some(k) = self.knowing.as_mut() {
            k.name_added(&self.protocol, i, name);
            // An act that tells someone is done on time, not lazily: what it tells sets others off.
            if k.action_tells(i) {
                self.plain_action[i as usize] = false;
            }
        }
        self.is_meeting
            .push(["hold_", "chair_", "attend_"].iter().any(|p| name.starts_with(p)) && name.contains("meeting"));
        self.name_ix.insert(name.to_string(), i);
        self.role_count.push(0);
        self.action_count.push(0);
        self.action_useful.push(0);
        i
    }
}
