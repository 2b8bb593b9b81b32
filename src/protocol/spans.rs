//! Positions of every value in a RON file, by path (`rules[3].deadline`), so that errors found
//! after parsing can still name `file:line:col`.

use std::collections::HashMap;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// Map from a value's path to where it starts in the source.
#[derive(Debug, Default, Clone)]
pub struct SpanMap {
    map: HashMap<String, Pos>,
}

impl SpanMap {
    pub fn scan(src: &str) -> Self {
        let mut s = Scanner {
            chars: src.chars().collect(),
            i: 0,
            line: 1,
            col: 1,
            map: HashMap::new(),
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
        s.value(String::new());
        SpanMap { map: s.map }
    }

    /// Position of `path`, or of its nearest recorded ancestor.
    pub fn get(&self, path: &str) -> Pos {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.map.get(&p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return self.map.get("").copied().unwrap_or(Pos { line: 1, col: 1 }),
            }
        }
    }

    /// The path of the value that starts last at or before `pos` (deepest on ties): where a
    /// parse error at `pos` most likely sits.
    pub fn path_at(&self, pos: Pos) -> Option<String> {
        self.map
            .iter()
            .filter(|(_, p)| (p.line, p.col) <= (pos.line, pos.col))
            .max_by(|a, b| {
                (a.1.line, a.1.col, a.0.len())
                    .cmp(&(b.1.line, b.1.col, b.0.len()))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(k, _)| k.clone())
            .filter(|k| !k.is_empty())
    }

    pub fn contains(&self, path: &str) -> bool {
        self.map.contains_key(path)
    }
}

struct Scanner {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
    map: HashMap<String, Pos>,
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
                    self.bump();
                    self.bump();
                    let mut depth = 1;
                    while depth > 0 {
                        match self.bump() {
                            None => return,
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

    fn value(&mut self, path: String) {
        self.skip_ws();
        let start = self.pos();
        self.map.entry(path.clone()).or_insert(start);
        match self.peek() {
            None => {}
            Some('"') => self.string(),
            Some('\'') => {
                self.bump();
                while let Some(c) = self.bump() {
                    if c == '\\' {
                        self.bump();
                    } else if c == '\'' {
                        break;
                    }
                }
            }
            Some('r') if matches!(self.peek_at(1), Some('#') | Some('"')) => self.raw_string(),
            Some('(') => self.group(path, ')'),
            Some('[') => self.seq(path),
            Some('{') => self.map_value(path),
            Some(c) if c.is_alphabetic() || c == '_' => {
                self.ident();
                self.skip_ws();
                if self.peek() == Some('(') {
                    self.group(path, ')');
                }
            }
            Some(_) => {
                // number or other scalar
                while let Some(c) = self.peek() {
                    if c == ',' || c == ')' || c == ']' || c == '}' || c.is_whitespace() {
                        break;
                    }
                    self.bump();
                }
            }
        }
    }

    /// `( ... )`: either `field: value` pairs or positional values.
    fn group(&mut self, path: String, close: char) {
        self.bump(); // (
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.bump();
                    return;
                }
                Some(',') => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            // field?
            let save = (self.i, self.line, self.col);
            let at = self.pos();
            if self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
                let name = self.ident();
                self.skip_ws();
                if self.peek() == Some(':') && self.peek_at(1) != Some(':') {
                    self.bump();
                    let p = join(&path, &name);
                    self.map.insert(p.clone(), at);
                    self.value(p);
                    continue;
                }
                (self.i, self.line, self.col) = save;
            }
            let before = self.i;
            self.value(format!("{path}.{index}"));
            index += 1;
            if self.i == before {
                self.bump();
            }
        }
    }

    fn seq(&mut self, path: String) {
        self.bump(); // [
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(']') => {
                    self.bump();
                    return;
                }
                Some(',') => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let before = self.i;
            self.value(format!("{path}[{index}]"));
            index += 1;
            if self.i == before {
                self.bump();
            }
        }
    }

    fn map_value(&mut self, path: String) {
        self.bump(); // {
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some('}') => {
                    self.bump();
                    return;
                }
                Some(',') => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let key_start = self.i;
            let before = self.i;
            self.value(format!("{path}{{key}}"));
            let key: String = self.chars[key_start..self.i].iter().collect();
            let key = key.trim().trim_matches('"').to_string();
            self.skip_ws();
            if self.peek() == Some(':') {
                self.bump();
                self.value(format!("{path}[{key}]"));
            }
            if self.i == before {
                self.bump();
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
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
    }
}
