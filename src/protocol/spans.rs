//! Positions of every value in a RON file, by path (`rules[3].deadline`), so that errors found
//! after parsing can still name `file:line:col`.
//!
//! The scan is a loop over an explicit stack, not a recursion, so a file of tens of thousands of
//! nested brackets cannot overflow the call stack; below [`MAX_DEPTH`] levels (RON's own limit)
//! it stops descending and only notes where the nesting went too deep. A path is kept as one
//! segment per value, linked to its parent's, so memory grows with the size of the file, not
//! with the square of its depth.

use std::collections::HashMap;

/// How deep brackets may nest before the scanner stops descending: RON's own recursion limit,
/// so that anything RON reads is mapped in full.
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// One step of a path: what a value adds to its parent's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// The root (the empty path).
    Root,
    /// `field` (`.field` below the root).
    Field(Box<str>),
    /// `.3`: a value written without a field name in `( … )`.
    Tuple(u32),
    /// `[3]`: an element of a list.
    Index(u32),
    /// `{key}`: a key of a map, as a value in its own right.
    Key,
    /// `[text]`: the value stored under a map key.
    Keyed(Box<str>),
}

impl Seg {
    fn push_to(&self, out: &mut String, at_root: bool) {
        use std::fmt::Write;
        match self {
            Seg::Root => {}
            Seg::Field(name) => {
                if !at_root {
                    out.push('.');
                }
                out.push_str(name);
            }
            Seg::Tuple(i) => {
                let _ = write!(out, ".{i}");
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Seg::Key => out.push_str("{key}"),
            Seg::Keyed(k) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    parent: u32,
    /// The next node whose full path has the same hash.
    next: u32,
    seg: Seg,
    line: u32,
    col: u32,
    /// Length of the full path in characters.
    len: u32,
    hash: u64,
}

const NONE: u32 = u32::MAX;
/// A value past the part of the file being mapped (and everything inside it).
const SKIPPED: u32 = u32::MAX - 1;

/// Map from a value's path to where it starts in the source.
#[derive(Debug, Clone)]
pub struct SpanMap {
    nodes: Vec<Node>,
    /// Hash of a full path → the first node with it (others follow through `Node::next`).
    by_hash: HashMap<u64, u32>,
    too_deep: Option<Pos>,
    unclosed_comment: Option<Pos>,
    /// Values starting after this are not recorded.
    until: Option<Pos>,
    /// Where a segment is written out to be hashed.
    scratch: String,
}

impl Default for SpanMap {
    fn default() -> Self {
        let mut m = SpanMap {
            nodes: Vec::new(),
            by_hash: HashMap::new(),
            too_deep: None,
            unclosed_comment: None,
            until: None,
            scratch: String::new(),
        };
        m.add(NONE, Seg::Root, Pos { line: 1, col: 1 }, false);
        m
    }
}

// Paths are hashed as polynomials modulo the Mersenne prime 2^61 - 1, so that a path's hash
// follows from its parent's and a query's prefixes are hashed in one pass.
const MODULUS: u64 = (1 << 61) - 1;
const BASE: u64 = 0x5bd1_e995_3c6e_f372 % MODULUS;

fn mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    let r = (p as u64 & MODULUS) + (p >> 61) as u64;
    if r >= MODULUS { r - MODULUS } else { r }
}
fn step(h: u64, c: char) -> u64 {
    (mul(h, BASE) + u64::from(c) + 1) % MODULUS
}
fn power(mut e: u64) -> u64 {
    let (mut acc, mut b) = (1, BASE);
    while e > 0 {
        if e & 1 == 1 {
            acc = mul(acc, b);
        }
        b = mul(b, b);
        e >>= 1;
    }
    acc
}

fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SpanMap {
    pub fn scan(src: &str) -> Self {
        Self::scan_until(src, None)
    }

    /// Like [`scan`](Self::scan), but recording only the values that start at or before `until`
    /// (enough for [`path_at`](Self::path_at) there): a parse error early in a large file then
    /// maps only the part before it. Nesting and comments are still checked to the end.
    pub fn scan_until(src: &str, until: Option<Pos>) -> Self {
        let map = SpanMap {
            until,
            ..SpanMap::default()
        };
        let mut s = Scanner {
            chars: src.chars().collect(),
            i: 0,
            line: 1,
            col: 1,
            map,
            stack: Vec::new(),
        };
        // A byte order mark (Windows Notepad) takes no column.
        if s.peek() == Some('\u{feff}') {
            s.i += 1;
        }
        s.skip_ws();
        while s.peek() == Some('#') {
            // #![enable(...)] attributes
            while let Some(c) = s.bump() {
                if c == ']' {
                    break;
                }
            }
            s.skip_ws();
        }
        s.run();
        s.map
    }

    /// Where brackets first nest deeper than [`MAX_DEPTH`], if they do.
    pub fn too_deep(&self) -> Option<Pos> {
        self.too_deep
    }

    /// Where a `/*` comment that is never closed starts, if there is one.
    pub fn unclosed_comment(&self) -> Option<Pos> {
        self.unclosed_comment
    }

    /// Record `seg` below `parent` starting at `pos` (a path seen before keeps its first
    /// position unless `overwrite`).
    fn add(&mut self, parent: u32, seg: Seg, pos: Pos, overwrite: bool) -> u32 {
        if parent == SKIPPED || self.until.is_some_and(|u| (pos.line, pos.col) > (u.line, u.col)) {
            return SKIPPED;
        }
        let at_root = parent == NONE || self.nodes[parent as usize].seg == Seg::Root;
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        seg.push_to(&mut text, at_root);
        let mut own = 0;
        let mut chars = 0;
        for c in text.chars() {
            own = step(own, c);
            chars += 1;
        }
        self.scratch = text;
        let (mut hash, base_len) = match parent {
            NONE => (0, 0),
            p => {
                let n = &self.nodes[p as usize];
                (mul(n.hash, power(chars)), n.len)
            }
        };
        hash = (hash + own) % MODULUS;
        let (line, col) = (small(pos.line), small(pos.col));
        let mut k = self.by_hash.get(&hash).copied().unwrap_or(NONE);
        while k != NONE {
            let n = &mut self.nodes[k as usize];
            if n.parent == parent && n.seg == seg {
                if overwrite {
                    (n.line, n.col) = (line, col);
                }
                return k;
            }
            k = n.next;
        }
        let id = small(self.nodes.len());
        let next = self.by_hash.insert(hash, id).unwrap_or(NONE);
        self.nodes.push(Node {
            parent,
            next,
            seg,
            line,
            col,
            len: base_len.saturating_add(small(chars as usize)),
            hash,
        });
        id
    }

    fn pos_of(&self, id: u32) -> Pos {
        let n = &self.nodes[id as usize];
        Pos {
            line: n.line as usize,
            col: n.col as usize,
        }
    }

    /// The full path of a node.
    fn path_of(&self, id: u32) -> String {
        let mut chain = Vec::new();
        let mut k = id;
        while k != NONE {
            chain.push(k);
            k = self.nodes[k as usize].parent;
        }
        let mut out = String::new();
        let mut at_root = true;
        for k in chain.into_iter().rev() {
            let seg = &self.nodes[k as usize].seg;
            seg.push_to(&mut out, at_root);
            at_root = matches!(seg, Seg::Root);
        }
        out
    }

    /// The node whose full path is `path`, given the path's hash.
    fn find(&self, path: &str, hash: u64) -> Option<u32> {
        let mut k = self.by_hash.get(&hash).copied().unwrap_or(NONE);
        while k != NONE {
            if self.nodes[k as usize].len as usize == path.chars().count() && self.path_of(k) == path {
                return Some(k);
            }
            k = self.nodes[k as usize].next;
        }
        None
    }

    /// Position of `path`, or of its nearest recorded ancestor.
    pub fn get(&self, path: &str) -> Pos {
        // The whole path, then each prefix ending before a `.` or `[`, longest first.
        let mut candidates = Vec::new();
        let mut h = 0;
        for (i, c) in path.char_indices() {
            if c == '.' || c == '[' {
                candidates.push((i, h));
            }
            h = step(h, c);
        }
        candidates.push((path.len(), h));
        for &(end, hash) in candidates.iter().rev() {
            if let Some(k) = self.find(&path[..end], hash) {
                return self.pos_of(k);
            }
        }
        self.pos_of(0)
    }

    /// The path of the value that starts last at or before `pos` (deepest on ties): where a
    /// parse error at `pos` most likely sits.
    pub fn path_at(&self, pos: Pos) -> Option<String> {
        let key = |n: &Node| (n.line as usize, n.col as usize, n.len);
        let best = self
            .nodes
            .iter()
            .map(key)
            .filter(|&(l, c, _)| (l, c) <= (pos.line, pos.col))
            .max()?;
        (0..small(self.nodes.len()))
            .filter(|&k| key(&self.nodes[k as usize]) == best)
            .map(|k| self.path_of(k))
            .min()
            .filter(|k| !k.is_empty())
    }

    pub fn contains(&self, path: &str) -> bool {
        let mut h = 0;
        for c in path.chars() {
            h = step(h, c);
        }
        self.find(path, h).is_some()
    }
}

/// A bracket being read, and what to do when the value inside it that is being read ends.
struct Frame {
    node: u32,
    kind: Kind,
    index: u32,
    after: After,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    Seq,
    Map,
}

#[derive(Clone, Copy)]
enum After {
    /// Nothing inside is being read.
    Nothing,
    /// An element or field value began at this character index.
    Element(usize),
    /// A map key began at this character index.
    MapKey(usize),
    /// A map entry (key, then value) began at this character index.
    MapValue(usize),
}

struct Scanner {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
    map: SpanMap,
    stack: Vec<Frame>,
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') if self.peek_at(1) == Some('/') => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                Some('/') if self.peek_at(1) == Some('*') => {
                    let start = self.pos();
                    self.bump();
                    self.bump();
                    let mut depth = 1;
                    while depth > 0 {
                        match self.bump() {
                            None => {
                                self.map.unclosed_comment.get_or_insert(start);
                                return;
                            }
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                depth -= 1;
                            }
                            Some('/') if self.peek() == Some('*') => {
                                self.bump();
                                depth += 1;
                            }
                            _ => {}
                        }
                    }
                }
                _ => return,
            }
        }
    }
    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        s
    }
    fn skip_ident(&mut self) {
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
    }
    fn string(&mut self) {
        self.bump(); // opening quote
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '"' => return,
                _ => {}
            }
        }
    }
    fn char_literal(&mut self) {
        self.bump();
        while let Some(c) = self.bump() {
            if c == '\\' {
                self.bump();
            } else if c == '\'' {
                break;
            }
        }
    }
    fn raw_string(&mut self) {
        self.bump(); // r
        let mut hashes = 0;
        while self.peek() == Some('#') {
            self.bump();
            hashes += 1;
        }
        self.bump(); // "
        'outer: while let Some(c) = self.bump() {
            if c == '"' {
                for k in 0..hashes {
                    if self.peek_at(k) != Some('#') {
                        continue 'outer;
                    }
                }
                for _ in 0..hashes {
                    self.bump();
                }
                return;
            }
        }
    }

    /// Read the whole file: the root value, then every bracket it opens.
    fn run(&mut self) {
        self.skip_ws();
        let start = self.pos();
        (self.map.nodes[0].line, self.map.nodes[0].col) = (small(start.line), small(start.col));
        self.value_at(0);
        while let Some(top) = self.stack.len().checked_sub(1) {
            let (node, kind) = (self.stack[top].node, self.stack[top].kind);
            self.skip_ws();
            let close = match kind {
                Kind::Group => ')',
                Kind::Seq => ']',
                Kind::Map => '}',
            };
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.bump();
                    self.stack.pop();
                    self.finished();
                    continue;
                }
                Some(',') => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            match kind {
                Kind::Group => {
                    // field?
                    let save = (self.i, self.line, self.col);
                    let at = self.pos();
                    if self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
                        let name = self.ident();
                        self.skip_ws();
                        if self.peek() == Some(':') && self.peek_at(1) != Some(':') {
                            self.bump();
                            let id = self.map.add(node, Seg::Field(name.into()), at, true);
                            self.stack[top].after = After::Nothing;
                            self.skip_ws();
                            self.value_at(id);
                            continue;
                        }
                        (self.i, self.line, self.col) = save;
                    }
                    let index = self.stack[top].index;
                    self.stack[top].index = index.saturating_add(1);
                    self.stack[top].after = After::Element(self.i);
                    self.value(node, Seg::Tuple(index));
                }
                Kind::Seq => {
                    let index = self.stack[top].index;
                    self.stack[top].index = index.saturating_add(1);
                    self.stack[top].after = After::Element(self.i);
                    self.value(node, Seg::Index(index));
                }
                Kind::Map => {
                    self.stack[top].after = After::MapKey(self.i);
                    self.value(node, Seg::Key);
                }
            }
        }
    }

    /// A value inside the innermost open bracket has been read: carry on with that bracket.
    fn finished(&mut self) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        match std::mem::replace(&mut top.after, After::Nothing) {
            After::Nothing => {}
            After::Element(before) | After::MapValue(before) => {
                if self.i == before {
                    self.bump();
                }
            }
            After::MapKey(key_start) => {
                let node = top.node;
                top.after = After::MapValue(key_start);
                let key: String = self.chars[key_start..self.i].iter().collect();
                let key = key.trim().trim_matches('"');
                self.skip_ws();
                if self.peek() == Some(':') {
                    self.bump();
                    self.value(node, Seg::Keyed(key.into()));
                } else {
                    self.finished();
                }
            }
        }
    }

    /// Read a value that adds `seg` to the path of `parent`.
    fn value(&mut self, parent: u32, seg: Seg) {
        self.skip_ws();
        let start = self.pos();
        let id = self.map.add(parent, seg, start, false);
        self.value_at(id);
    }

    /// Read the value whose node is `node` (starting after any spaces): a scalar whole, or the
    /// opening of a bracket, which `run` reads on.
    fn value_at(&mut self, node: u32) {
        self.skip_ws();
        let open = match self.peek() {
            None => None,
            Some('"') => {
                self.string();
                None
            }
            Some('\'') => {
                self.char_literal();
                None
            }
            Some('r') if matches!(self.peek_at(1), Some('#') | Some('"')) => {
                self.raw_string();
                None
            }
            Some('(') => Some(Kind::Group),
            Some('[') => Some(Kind::Seq),
            Some('{') => Some(Kind::Map),
            Some(c) if c.is_alphabetic() || c == '_' => {
                self.skip_ident();
                self.skip_ws();
                (self.peek() == Some('(')).then_some(Kind::Group)
            }
            Some(_) => {
                // number or other scalar
                while let Some(c) = self.peek() {
                    if c == ',' || c == ')' || c == ']' || c == '}' || c.is_whitespace() {
                        break;
                    }
                    self.bump();
                }
                None
            }
        };
        match open {
            Some(kind) if self.stack.len() < MAX_DEPTH => {
                self.bump();
                self.stack.push(Frame {
                    node,
                    kind,
                    index: 0,
                    after: After::Nothing,
                });
            }
            Some(_) => {
                self.map.too_deep.get_or_insert(self.pos());
                self.skip_nested();
                self.finished();
            }
            None => self.finished(),
        }
    }

    /// Pass over a bracket and everything inside it without recording anything.
    fn skip_nested(&mut self) {
        let mut depth = 0usize;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some('(' | '[' | '{') => {
                    depth += 1;
                    self.bump();
                }
                Some(')' | ']' | '}') => {
                    self.bump();
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                Some('"') => self.string(),
                Some('\'') => self.char_literal(),
                Some('r') if matches!(self.peek_at(1), Some('#') | Some('"')) => self.raw_string(),
                Some(c) if c.is_alphanumeric() || c == '_' => self.skip_ident(),
                Some(_) => {
                    self.bump();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_fields_and_list_elements() {
        let src = "#![enable(implicit_some)]\nProtocol(\n  id: \"x\",\n  rules: [\n    (id: \"a\", deadline: Hours(3)),\n    (id: \"b\", // note\n     deadline: Hours(-1)),\n  ],\n)\n";
        let m = SpanMap::scan(src);
        assert_eq!(m.get("id"), Pos { line: 3, col: 3 });
        assert_eq!(m.get("rules[1].deadline"), Pos { line: 7, col: 6 });
        assert_eq!(m.get("rules[1].deadline.0"), Pos { line: 7, col: 22 });
        // unknown sub-path falls back to nearest ancestor
        assert_eq!(m.get("rules[0].when.min_age"), Pos { line: 5, col: 5 });
        assert_eq!(
            m.path_at(Pos { line: 7, col: 25 }).as_deref(),
            Some("rules[1].deadline.0")
        );
        assert!(m.contains("rules[0].deadline") && !m.contains("rules[2]"));
    }

    #[test]
    fn map_keys_and_values_have_paths() {
        let m = SpanMap::scan("(shares: {\"a.b\": 1, Foster: [2, 3]})");
        assert_eq!(m.get("shares[a.b]"), Pos { line: 1, col: 18 });
        assert_eq!(m.get("shares[Foster][1]"), Pos { line: 1, col: 33 });
        assert_eq!(m.get("shares{key}"), Pos { line: 1, col: 11 });
        assert_eq!(m.path_at(Pos { line: 1, col: 29 }).as_deref(), Some("shares[Foster]"));
        assert_eq!(
            m.path_at(Pos { line: 1, col: 31 }).as_deref(),
            Some("shares[Foster][0]")
        );
    }

    #[test]
    fn deep_nesting_is_bounded_and_noted() {
        let n = 200_000;
        let src = format!("(a: {}{})", "[".repeat(n), "]".repeat(n));
        // A thread with a small stack: the scan must not recurse per level.
        let m = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || SpanMap::scan(&src))
            .unwrap()
            .join()
            .unwrap();
        let deep = m.too_deep().expect("noted");
        assert_eq!(
            deep,
            Pos {
                line: 1,
                col: 4 + MAX_DEPTH
            }
        );
        // Nothing below the limit is recorded, and paths stay short.
        assert!(m.nodes.len() <= MAX_DEPTH + 2, "{} nodes", m.nodes.len());
        assert_eq!(SpanMap::scan("(a: [[1]])").too_deep(), None);
    }

    #[test]
    fn an_unclosed_comment_is_found_where_it_opens() {
        let m = SpanMap::scan("Protocol(\n  id: \"x\", /* a /* nested */ note\n  name: \"y\",\n)\n");
        assert_eq!(m.unclosed_comment(), Some(Pos { line: 2, col: 12 }));
        assert_eq!(SpanMap::scan("(id: \"/*\", /* ok */)").unclosed_comment(), None);
    }
}
