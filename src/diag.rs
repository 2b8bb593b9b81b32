//! Errors that point at a place in a file: `path:line:col: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::protocol::spans::{MAX_DEPTH, Pos, SpanMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

/// One or more errors in input files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<SourceError>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    pub fn single(path: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostics(vec![SourceError {
            path: path.to_path_buf(),
            line,
            col,
            message: message.into(),
        }])
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collects errors for one file, locating each by its value path.
pub struct Collector<'a> {
    pub path: &'a Path,
    pub spans: &'a SpanMap,
    pub errors: Vec<SourceError>,
    /// What is allowed but probably not meant (a run goes ahead; the user is told).
    pub warnings: Vec<SourceError>,
}

impl<'a> Collector<'a> {
    pub fn new(path: &'a Path, spans: &'a SpanMap) -> Self {
        Collector {
            path,
            spans,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }
    /// `message` about the value `field`, placed where the field is written.
    fn at(&self, field: &str, message: impl fmt::Display) -> SourceError {
        let pos = self.spans.get(field);
        SourceError {
            path: self.path.to_path_buf(),
            line: pos.line,
            col: pos.col,
            message: format!("{field}: {message}"),
        }
    }
    /// Record a warning at the value `field`.
    pub fn warn(&mut self, field: &str, message: impl fmt::Display) {
        let w = self.at(field, message);
        self.warnings.push(w);
    }
    /// Record an error at the value `field` (e.g. `rules[2].deadline`).
    pub fn err(&mut self, field: &str, message: impl fmt::Display) {
        let e = self.at(field, message);
        self.errors.push(e);
    }
    pub fn finish(mut self) -> Result<(), Diagnostics> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            self.errors.sort_by_key(|e| (e.line, e.col));
            Err(Diagnostics(self.errors))
        }
    }
}

/// Parse RON text into `T`, turning syntax and type errors into `path:line:col: message` in
/// words a reader who is not a programmer can act on. A UTF-8 byte order mark at the start (as
/// Windows Notepad writes) is skipped.
pub fn parse_ron<T: serde::de::DeserializeOwned>(path: &Path, src: &str) -> Result<T, Diagnostics> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let root = root_name::<T>();
    if src.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_large(path, &kind_of(root), Some(src.len() as u64)));
    }
    if is_blank(src) {
        return Err(Diagnostics::single(
            path,
            1,
            1,
            format!(
                "the file is empty: {} starts with `{root}(`",
                with_article(kind_of(root))
            ),
        ));
    }
    let opts = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    opts.from_str::<T>(src).map_err(|e| {
        let mut pos = Pos {
            line: e.span.start.line,
            col: e.span.start.col,
        };
        if matches!(e.code, ron::Error::TrailingCharacters) {
            // RON stops just after the closing bracket: point at the text that follows instead.
            pos = next_text(src, pos);
        }
        // Only the values up to the error are needed to name where it is.
        let spans = SpanMap::scan_until(src, Some(pos));
        if matches!(e.code, ron::Error::UnclosedBlockComment)
            && let Some(at) = spans.unclosed_comment()
        {
            // RON stops at the end of the file: name where the comment opened instead.
            return Diagnostics::single(
                path,
                at.line,
                at.col,
                format!(
                    "the comment that starts here with `/*` (line {}, column {}) is never closed: a `*/` is missing",
                    at.line, at.col
                ),
            );
        }
        let deep = spans.too_deep().map(|at| {
            format!(
                "brackets are nested more than {MAX_DEPTH} deep from line {}, column {} (is a closing bracket missing, or the file not {} file?)",
                at.line,
                at.col,
                with_article(kind_of(root))
            )
        });
        if matches!(e.code, ron::Error::ExceededRecursionLimit) {
            let msg = deep.unwrap_or_else(|| format!("brackets are nested more than {MAX_DEPTH} deep here"));
            return Diagnostics::single(path, pos.line, pos.col, msg);
        }
        let mut field = spans.path_at(pos);
        if matches!(e.code, ron::Error::MissingStructField { .. }) {
            // The error sits at the closing bracket: name the struct, not its last field.
            field = field.map(|f| match f.rfind(']') {
                Some(i) => f[..=i].to_string(),
                None => String::new(),
            });
        }
        let field = field.filter(|f| !f.is_empty() && !f.starts_with('.'));
        let text = Text::new(src);
        // Mistakes a reader makes often, which RON reports as something else.
        if let Some(msg) = common_mistake(&e.code, &text, pos) {
            let msg = match &field {
                Some(f) => format!("{f}: {msg}"),
                None => msg,
            };
            return Diagnostics::single(path, pos.line, pos.col, msg);
        }
        let syntax = matches!(
            e.code,
            ron::Error::ExpectedComma
                | ron::Error::ExpectedIdentifier
                | ron::Error::ExpectedStringEnd
                | ron::Error::Eof
                | ron::Error::ExpectedStructLikeEnd
                | ron::Error::ExpectedArrayEnd
                | ron::Error::TrailingCharacters
        );
        let at_root = field.is_none();
        let mut msg = describe_ron_error(&e.code, root, at_root, &text, pos);
        if let Some(f) = field.filter(|_| !syntax) {
            msg = format!("{f}: {msg}");
        }
        if syntax
            && !matches!(e.code, ron::Error::Eof)
            && let Some(line) = unclosed_string_line(src, pos.line)
        {
            msg = format!("{msg}; the text in quotes on line {line} is not closed");
        }
        if let Some(deep) = deep {
            msg = format!("{msg}; {deep}");
        }
        Diagnostics::single(path, pos.line, pos.col, msg)
    })
}

/// The name of the type a file holds (`Caseload`, `Protocol`, …).
fn root_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// What a file holding this type is called: `caseload`, `protocol`, …
fn kind_of(root: &str) -> String {
    match root {
        "Decisions" => "decision script".into(),
        other => words(other),
    }
}

fn with_article(noun: String) -> String {
    let an = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if an { "an" } else { "a" })
}

/// `LegalStatus` → `legal status`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A part of a file, named as the documentation names it (`a staffing entry`).
fn section(name: &str) -> String {
    let s = match name {
        "Caseload" => "the caseload",
        "AgeBand" => "an age band",
        "StatusShare" => "a legal status entry",
        "PlacementShare" => "a placement entry",
        "FactorShare" => "a risk factor entry",
        "Propensity" => "`propensity`",
        "PropensityGroup" => "a propensity group",
        "EpisodeShape" => "`episodes`",
        "Staff" => "a staffing entry",
        "MeetingSlotsConfig" => "`strategy_meeting_slots`",
        "Protocol" => "the protocol",
        "OfficeHours" => "`office_hours`",
        "RoleDecl" => "a role",
        "ActionDecl" => "an action",
        "CategoryDecl" => "a category",
        "ClassificationRule" => "a classification rule",
        "Condition" => "a condition",
        "RiskInstruments" => "`risk`",
        "MashRag" => "the MASH RAG rating",
        "Scenario" => "the scenario",
        "PlaceDecl" => "a place",
        "Decisions" => "the decision script",
        other => return with_article(words(other)),
    };
    s.into()
}

/// An enum's values, named in words (`legal status`).
fn value_kind(name: &str) -> String {
    match name {
        "Rag" => "RAG rating".into(),
        "Forbidden" => "forbidden act".into(),
        other => words(other),
    }
}

/// The closest of `names` to `found`, if it is close enough to be a slip of the keyboard.
pub(crate) fn did_you_mean(found: &str, names: &[&str]) -> String {
    let lower = found.to_lowercase();
    let best = names
        .iter()
        .map(|n| {
            let d = if n.to_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &n.to_lowercase())
            };
            (d, *n)
        })
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, n)) if d <= if found.chars().count() > 4 { 2 } else { 1 } && n != found => {
            format!(" (did you mean `{n}`?)")
        }
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Source text addressed by line and column, as RON counts them (1-based, in characters).
struct Text<'a> {
    src: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Text<'a> {
    fn new(src: &'a str) -> Self {
        Text {
            src,
            lines: src.split('\n').collect(),
        }
    }
    /// The rest of the line from `pos`.
    fn from(&self, pos: Pos) -> &'a str {
        let Some(line) = self.lines.get(pos.line.wrapping_sub(1)) else {
            return "";
        };
        match line.char_indices().nth(pos.col.saturating_sub(1)) {
            Some((i, _)) => &line[i..],
            None => "",
        }
    }
    /// The line up to `pos`.
    fn before(&self, pos: Pos) -> &'a str {
        let Some(line) = self.lines.get(pos.line.wrapping_sub(1)) else {
            return "";
        };
        match line.char_indices().nth(pos.col.saturating_sub(1)) {
            Some((i, _)) => &line[..i],
            None => line,
        }
    }
    /// The word or number at `pos` (up to a space, comma or bracket).
    fn token(&self, pos: Pos) -> &'a str {
        let rest = self.from(pos);
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | ':'))
            .unwrap_or(rest.len());
        &rest[..end]
    }
}

/// A number written where RON stopped reading: `200.5` in a whole-number field (RON reads `200`
/// and stops at the `.`), `40%` for a share (stops at the `%`), `"Foster"` for a named value.
fn common_mistake(code: &ron::Error, text: &Text, pos: Pos) -> Option<String> {
    let rest = text.from(pos);
    let before = text.before(pos);
    let number_before = {
        let t = before.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &before[t.len()..];
        let t = t.strip_suffix(['-', '+']).unwrap_or(t);
        (!digits.is_empty() && t.trim_end().ends_with([':', '(', '[', ','])).then(|| &before[t.len()..])
    };
    match code {
        ron::Error::ExpectedComma => {
            let number = number_before?;
            if let Some(frac) = rest.strip_prefix('.')
                && frac.starts_with(|c: char| c.is_ascii_digit())
            {
                let tail = frac
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                    .unwrap_or(frac.len());
                return Some(format!("expected a whole number, not {number}.{}", &frac[..tail]));
            }
            if rest.starts_with('%') {
                let share = number.parse::<f64>().ok()? / 100.0;
                return Some(format!(
                    "write a share as a number from 0 to 1: write {share}, not {number}%"
                ));
            }
            None
        }
        ron::Error::ExpectedIdentifier if rest.starts_with('"') && before.trim_end().ends_with(':') => {
            let inner = &rest[1..];
            let word = &inner[..inner.find('"')?];
            (!word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .then(|| format!("write {word} without the quotes"))
        }
        _ => None,
    }
}

fn describe_ron_error(e: &ron::Error, root: &str, at_root: bool, text: &Text, pos: Pos) -> String {
    use ron::Error as E;
    let kind = kind_of(root);
    let found_here = || {
        let t = text.token(pos);
        if t.is_empty() {
            text.from(pos).chars().next().map(String::from).unwrap_or_default()
        } else {
            t.chars().take(30).collect()
        }
    };
    let not_this_kind = |found: String| {
        let other = match found.as_str() {
            "Caseload" | "Protocol" | "Scenario" | "Decisions" if found != root => {
                format!(": {} file", with_article(kind_of(&found)))
            }
            _ => String::new(),
        };
        let bracket = if found.chars().all(|c| c.is_alphanumeric() || c == '_') && !found.is_empty() {
            "("
        } else {
            ""
        };
        format!(
            "this is not {} file: it should start with `{root}(` (found `{found}{bracket}`{other})",
            with_article(kind.clone())
        )
    };
    match e {
        E::NoSuchStructField {
            expected, found, outer, ..
        } => format!(
            "unknown field `{found}`{}{}: expected one of {}",
            outer
                .as_ref()
                .map(|o| format!(" in {}", section(o)))
                .unwrap_or_default(),
            did_you_mean(found, expected),
            expected.join(", ")
        ),
        E::MissingStructField { field, outer } => format!(
            "missing field `{field}`{}",
            outer
                .as_ref()
                .map(|o| format!(" in {}", section(o)))
                .unwrap_or_default()
        ),
        E::DuplicateStructField { field, outer } => format!(
            "`{field}` is given twice{} (keep one)",
            outer
                .as_ref()
                .map(|o| format!(" in {}", section(o)))
                .unwrap_or_default()
        ),
        E::NoSuchEnumVariant { expected, found, outer } => format!(
            "unknown {} `{found}`{}: expected one of {}",
            outer.as_deref().map_or_else(|| "value".into(), value_kind),
            did_you_mean(found, expected),
            expected.join(", ")
        ),
        E::ExpectedDifferentStructName { expected, found } if at_root && *expected == root => {
            not_this_kind(found.clone())
        }
        E::ExpectedDifferentStructName { expected, found } => format!(
            "expected `(` to open {} here, found `{found}` (is a `(` missing?)",
            section(expected)
        ),
        E::ExpectedNamedStructLike(name) if at_root && *name == root => not_this_kind(found_here()),
        E::ExpectedNamedStructLike(name) => format!("expected `(` to open {} here", section(name)),
        E::ExpectedStructLike => "expected `(` here".into(),
        E::Eof => match open_bracket(text.src, None) {
            Open::Bracket(c, p) => format!(
                "the file ends before the `{c}` at line {}, column {} is closed (a `{}` is missing)",
                p.line,
                p.col,
                closing(c)
            ),
            Open::Quote(p) => format!(
                "the file ends inside the text in quotes that starts at line {}, column {} (a `\"` is missing)",
                p.line, p.col
            ),
            Open::None => "the file ends too soon: something is missing at the end".into(),
        },
        E::ExpectedStructLikeEnd | E::ExpectedArrayEnd => {
            let (want, what) = if matches!(e, E::ExpectedArrayEnd) {
                (']', "list")
            } else {
                (')', "bracket")
            };
            match open_bracket(text.src, Some(pos)) {
                Open::Bracket(c, p) if closing(c) == want => format!(
                    "expected a `{want}` here to close the {what} opened at line {}, column {} (or a comma is missing)",
                    p.line, p.col
                ),
                _ => format!("expected a `{want}` here (or a comma is missing)"),
            }
        }
        E::TrailingCharacters => format!(
            "unexpected text after the end of the {kind}: everything must go inside `{root}( … )` (is there one `)` too many?)"
        ),
        E::ExpectedComma => "expected a comma here (is one missing at the end of the line before?)".into(),
        E::ExpectedIdentifier => {
            "expected a field name here (a stray character, or a `(` or `)` missing just before?)".into()
        }
        E::ExpectedStringEnd => "a string is not closed: a `\"` is missing".into(),
        E::ExpectedInteger => "expected a whole number here".into(),
        E::ExpectedFloat => "expected a number here".into(),
        E::ExpectedString => match text
            .from(pos)
            .split_whitespace()
            .next()
            .map(|w| w.split([',', '(', ')', '[', ']', '{', '}']).next().unwrap_or_default())
        {
            // `start: 2024-04-01` and the like: show it quoted.
            Some(t) if !t.is_empty() && !t.starts_with('"') => {
                format!("expected text in double quotes here: write \"{t}\"")
            }
            _ => "expected text in double quotes here".into(),
        },
        E::ExpectedBoolean => "expected true or false".into(),
        E::ExpectedArray => "expected a list here, in `[ ]`".into(),
        E::ExpectedMap => "expected a map here, in `{ }`".into(),
        E::ExpectedMapColon => "expected a `:` here".into(),
        E::IntegerOutOfBounds => {
            let t = text.token(pos);
            if t.starts_with('-') {
                format!("cannot be negative ({t})")
            } else if text.before(pos).ends_with('-') {
                format!("cannot be negative (-{t})")
            } else if t.is_empty() {
                "number too large".into()
            } else {
                format!("number too large ({t})")
            }
        }
        E::UnexpectedChar(c) => format!("unexpected character `{c}` here"),
        E::UnclosedBlockComment => "a `/*` comment is not closed with `*/`".into(),
        E::InvalidValueForType { expected, found } => format!("expected {expected}, not {found}"),
        other => lower_first(&other.to_string()),
    }
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// What is still open at a point of the text (or at its end).
enum Open {
    Bracket(char, Pos),
    Quote(Pos),
    None,
}

/// The innermost bracket still open before `upto` (or at the end), skipping text in quotes and
/// comments.
fn open_bracket(src: &str, upto: Option<Pos>) -> Open {
    let chars: Vec<char> = src.chars().collect();
    let mut stack: Vec<(char, Pos)> = Vec::new();
    let (mut line, mut col) = (1, 1);
    let mut i = 0;
    let mut quote: Option<Pos> = None;
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize| {
        if chars[*i] == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let here = Pos { line, col };
        if upto.is_some_and(|u| (here.line, here.col) >= (u.line, u.col)) {
            break;
        }
        let c = chars[i];
        if quote.is_some() {
            if c == '\\' {
                advance(&mut i, &mut line, &mut col);
                if i >= chars.len() {
                    break;
                }
            } else if c == '"' {
                quote = None;
            }
            advance(&mut i, &mut line, &mut col);
            continue;
        }
        match c {
            '"' => quote = Some(here),
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    advance(&mut i, &mut line, &mut col);
                }
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                advance(&mut i, &mut line, &mut col);
                advance(&mut i, &mut line, &mut col);
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    advance(&mut i, &mut line, &mut col);
                }
                if i < chars.len() {
                    advance(&mut i, &mut line, &mut col);
                    advance(&mut i, &mut line, &mut col);
                }
                continue;
            }
            '(' | '[' | '{' => stack.push((c, here)),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        advance(&mut i, &mut line, &mut col);
    }
    if let Some(q) = quote {
        return Open::Quote(q);
    }
    match stack.last() {
        Some((c, p)) => Open::Bracket(*c, *p),
        None => Open::None,
    }
}

/// The first character at or after `pos` that is not a space or inside a comment.
fn next_text(src: &str, pos: Pos) -> Pos {
    let lines: Vec<&str> = src.split('\n').collect();
    let mut in_block = false;
    for (i, line) in lines.iter().enumerate().skip(pos.line.saturating_sub(1)) {
        let skip = if i + 1 == pos.line {
            pos.col.saturating_sub(1)
        } else {
            0
        };
        let chars: Vec<char> = line.chars().collect();
        let mut k = skip;
        while k < chars.len() {
            if in_block {
                if chars[k] == '*' && chars.get(k + 1) == Some(&'/') {
                    in_block = false;
                    k += 1;
                }
            } else if chars[k] == '/' && chars.get(k + 1) == Some(&'/') {
                break;
            } else if chars[k] == '/' && chars.get(k + 1) == Some(&'*') {
                in_block = true;
                k += 1;
            } else if !chars[k].is_whitespace() {
                return Pos {
                    line: i + 1,
                    col: k + 1,
                };
            }
            k += 1;
        }
    }
    pos
}

/// Whether the text holds nothing but spaces and comments.
fn is_blank(src: &str) -> bool {
    let mut rest = src.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after).trim_start();
        } else {
            return rest.is_empty();
        }
    }
}

/// The last line up to `upto` with an odd number of unescaped double quotes (an unclosed string).
fn unclosed_string_line(src: &str, upto: usize) -> Option<usize> {
    let lines: Vec<&str> = src.lines().take(upto).collect();
    lines.iter().enumerate().rev().find_map(|(i, l)| {
        let code = l.split("//").next().unwrap_or("");
        let mut n = 0;
        let mut esc = false;
        for c in code.chars() {
            match c {
                '\\' if !esc => esc = true,
                '"' if !esc => n += 1,
                _ => esc = false,
            }
        }
        (n % 2 == 1).then_some(i + 1)
    })
}

/// The most an input file may hold: 8 MiB. The largest shipped file (a whole borough's protocol)
/// is about 125 KB, so this is over sixty times what a real file needs, while a file past it (a
/// log or a disk image given by mistake, or `/dev/zero`) is refused before it is read into memory.
pub const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;

fn too_large(path: &Path, what: &str, size: Option<u64>) -> Diagnostics {
    // In bytes when a MiB rounded would read as the limit itself.
    let size = match size {
        Some(n) if n >= MAX_SOURCE_BYTES + 100 * 1024 => format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0)),
        Some(n) => format!("{} bytes", thousands(n)),
        None => "more than that".into(),
    };
    Diagnostics::single(
        path,
        1,
        1,
        format!(
            "the file is too large for {} file: it may hold at most {} MiB ({} bytes), and it holds {size} (is it the right file?)",
            with_article(what.to_string()),
            MAX_SOURCE_BYTES / (1024 * 1024),
            thousands(MAX_SOURCE_BYTES)
        ),
    )
}

/// `8388608` → `8,388,608`.
fn thousands(n: u64) -> String {
    let d = n.to_string();
    let comma = |i: usize| (i > 0 && (d.len() - i).is_multiple_of(3)).then_some(',');
    d.chars()
        .enumerate()
        .flat_map(|(i, c)| comma(i).into_iter().chain([c]))
        .collect()
}

/// Read an input file as text. Failures are put in plain words ("it is a folder, not a file"),
/// a file over [`MAX_SOURCE_BYTES`] is refused, and a file that is not UTF-8 is reported at its
/// first bad byte. `what` names the file in messages: `caseload`, `protocol`, …
pub fn read_source(path: &Path, what: &str) -> Result<String, Diagnostics> {
    use std::io::Read;
    let cannot =
        |e: std::io::Error| Diagnostics::single(path, 1, 1, format!("cannot read {what} file: {}", io_words(&e)));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let known = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if known.is_some_and(|n| n > MAX_SOURCE_BYTES) {
        return Err(too_large(path, what, known));
    }
    // A pipe or device tells no size: read one byte past the limit at most.
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_large(path, what, None));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let before = std::str::from_utf8(good).unwrap_or_default();
        let before = before.strip_prefix('\u{feff}').unwrap_or(before);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostics::single(
            path,
            line,
            col,
            format!("the file is not UTF-8 text (first bad byte at line {line}, column {col}); save it as UTF-8"),
        )
    })
}

/// An input/output error in plain words, without the operating system's error number.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "there is no such file or folder (check the name and where it is)".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::NotADirectory => "a part of the path is a file, not a folder".into(),
        K::AlreadyExists => "something with that name is already there".into(),
        K::ReadOnlyFilesystem => "the disk is read-only".into(),
        K::StorageFull => "the disk is full".into(),
        K::QuotaExceeded => "the disk quota is used up".into(),
        K::FileTooLarge => "the file is too large".into(),
        K::InvalidFilename => "the name is not a valid file name".into(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            };
            lower_first(&s)
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
