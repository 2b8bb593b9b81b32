//! Errors that point at a place in a file: `path:line:col: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::protocol::spans::SpanMap;

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
}

impl<'a> Collector<'a> {
    pub fn new(path: &'a Path, spans: &'a SpanMap) -> Self {
        Collector {
            path,
            spans,
            errors: Vec::new(),
        }
    }
    /// Record an error at the value `field` (e.g. `rules[2].deadline`).
    pub fn err(&mut self, field: &str, message: impl fmt::Display) {
        let pos = self.spans.get(field);
        self.errors.push(SourceError {
            path: self.path.to_path_buf(),
            line: pos.line,
            col: pos.col,
            message: format!("{field}: {message}"),
        });
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

/// Parse RON text into `T`, turning syntax and type errors into `path:line:col: message`.
pub fn parse_ron<T: serde::de::DeserializeOwned>(path: &Path, src: &str) -> Result<T, Diagnostics> {
    let opts = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    opts.from_str::<T>(src).map_err(|e| {
        let pos = crate::protocol::spans::Pos {
            line: e.span.start.line,
            col: e.span.start.col,
        };
        let spans = SpanMap::scan(src);
        let mut field = spans.path_at(pos);
        if matches!(e.code, ron::Error::MissingStructField { .. }) {
            // The error sits at the closing bracket: name the struct, not its last field.
            field = field.map(|f| match f.rfind(']') {
                Some(i) => f[..=i].to_string(),
                None => String::new(),
            });
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
        let mut msg = describe_ron_error(&e.code);
        if let Some(f) = field.filter(|f| !f.is_empty() && !f.starts_with('.') && !syntax) {
            msg = format!("{f}: {msg}");
        }
        if syntax && let Some(line) = unclosed_string_line(src, pos.line) {
            msg = format!("{msg}; the text in quotes on line {line} is not closed");
        }
        Diagnostics::single(path, pos.line, pos.col, msg)
    })
}

fn describe_ron_error(e: &ron::Error) -> String {
    use ron::Error as E;
    match e {
        E::NoSuchStructField {
            expected, found, outer, ..
        } => format!(
            "unknown field `{found}`{} (expected one of: {})",
            outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default(),
            expected.join(", ")
        ),
        E::MissingStructField { field, outer } => format!(
            "missing field `{field}`{}",
            outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
        ),
        E::NoSuchEnumVariant { expected, found, outer } => format!(
            "unknown {} `{found}` (expected one of: {})",
            outer
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_else(|| "variant".into()),
            expected.join(", ")
        ),
        E::ExpectedComma => "expected a comma here (is one missing at the end of the line before?)".into(),
        E::ExpectedIdentifier => {
            "expected a field name here (a stray character, or a `(` or `)` missing just before?)".into()
        }
        E::ExpectedStringEnd => "a string is not closed: a `\"` is missing".into(),
        E::ExpectedInteger => "expected a whole number here".into(),
        E::ExpectedFloat => "expected a number here".into(),
        E::ExpectedString => "expected text in double quotes here".into(),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
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
