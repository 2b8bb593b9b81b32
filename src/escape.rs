//! Text from users (titles, notes, messages, citations, quotes, ids) escaped for the outputs
//! that would otherwise read it as structure: Markdown (debriefs, `protocol show --markdown`)
//! and CSV opened in a spreadsheet. HTML has its own `esc` beside its writers.
//!
//! Markdown: every character CommonMark (and GitHub's tables) treats as syntax is
//! backslash-escaped, `<`, `>` and `&` become entities (so no raw HTML passes), a line's leading
//! block marker (`-`, `+`, `=`, `1.`) is escaped, and a line break never starts a new block:
//! single-line places (headings, table cells, code) join the lines with ` / `; free text keeps
//! its lines as hard breaks inside the same paragraph or list item.
//!
//! CSV: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//! `'` (OWASP's advice against formula injection), so a spreadsheet shows it as text; numbers,
//! negative ones included, stay numbers.

/// Inline Markdown escaping of one line (no line breaks in `line`).
fn escape_line(line: &str, out: &mut String) {
    let line = line.trim();
    // A leading block marker: list bullets, setext underlines, ordered-list numbers.
    let mut chars = line.char_indices().peekable();
    let digits_end = line.find(|c: char| !c.is_ascii_digit()).unwrap_or(line.len());
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i > 0 && i == digits_end && chars.peek().is_none_or(|(_, n)| n.is_whitespace()) => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// Text for a single-line place (a heading, a list item's label): escaped, its lines joined
/// with ` / `.
pub fn markdown_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (k, l) in lines(s).enumerate() {
        if k > 0 {
            out.push_str(" / ");
        }
        escape_line(l, &mut out);
    }
    out
}

/// Free text (a note, a message, a feedback line) inside a paragraph or a list item: each line
/// escaped, lines kept as hard line breaks (`\` at the end) indented to stay in a `- ` item.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (k, l) in lines(s).enumerate() {
        if k > 0 {
            out.push_str("\\\n  ");
        }
        escape_line(l, &mut out);
    }
    out
}

/// A table cell: escaped (`|` included), on one line.
pub fn markdown_cell(s: &str) -> String {
    markdown_inline(s)
}

/// Code (an id) outside tables: a code span fenced with more backticks than the text holds, on
/// one line. Nothing in a code span is read as HTML or Markdown.
pub fn markdown_code(s: &str) -> String {
    let one_line: String = lines(s).collect::<Vec<_>>().join(" / ");
    if one_line.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in one_line.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// A plain number as a spreadsheet reads one: `3`, `-3.5`, `+2`, `1e-3`.
fn is_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    !(int.is_empty() && frac.is_empty())
        && digits(int)
        && digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// A CSV cell a spreadsheet will not evaluate: text beginning with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`; numbers and other text are unchanged.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_number(s) => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Every cell of a CSV record through [`csv_cell`].
pub fn csv_record<'a, I, S>(cells: I) -> Vec<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    cells.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_passes_no_html() {
        let s = markdown_inline("<script>alert(1)</script> & <b>");
        assert!(!s.contains('<'), "{s}");
        assert_eq!(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;");
    }

    #[test]
    fn markdown_line_starts_are_not_blocks() {
        assert_eq!(markdown_inline("# heading"), "\\# heading");
        assert_eq!(markdown_inline("- item"), "\\- item");
        assert_eq!(markdown_inline("+ item"), "\\+ item");
        assert_eq!(markdown_inline("==="), "\\===");
        assert_eq!(markdown_inline("12. item"), "12\\. item");
        assert_eq!(markdown_inline("3) item"), "3\\) item");
        assert_eq!(markdown_inline("> quote"), "&gt; quote");
        assert_eq!(markdown_inline("```"), "\\`\\`\\`");
        // Not at a line start: unchanged.
        assert_eq!(markdown_inline("a - b 1. c"), "a - b 1. c");
        assert_eq!(markdown_inline("2.5 hours"), "2.5 hours");
    }

    #[test]
    fn markdown_syntax_characters_are_escaped() {
        assert_eq!(
            markdown_inline(r"a*b_c[d](e) `f` \ | ~g~ ![i]"),
            r"a\*b\_c\[d\](e) \`f\` \\ \| \~g\~ !\[i\]"
        );
    }

    #[test]
    fn newlines_never_start_a_block() {
        assert_eq!(
            markdown_inline("one\n# two\r\n\n| a | b |"),
            "one / \\# two / \\| a \\| b \\|"
        );
        assert_eq!(markdown_cell("a\nb"), "a / b");
        assert_eq!(markdown_text("one\n- two\n\nthree"), "one\\\n  \\- two\\\n  three");
        assert_eq!(markdown_text("ends with \\\nnext"), "ends with \\\\\\\n  next");
    }

    #[test]
    fn code_spans_outlast_backticks() {
        assert_eq!(markdown_code("rule_1"), "`rule_1`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a\nb"), "`a / b`");
        assert_eq!(markdown_code(""), "");
    }

    #[test]
    fn csv_formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(csv_cell("=SUM(1)"), "'=SUM(1)");
        assert_eq!(csv_cell("+1+2"), "'+1+2");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "'\rx");
        assert_eq!(csv_cell("-"), "'-");
        for n in ["-3.5", "3.5", "-3", "+2", "1e-3", "-1.5E+10", "0", ".5", "-.5", "7."] {
            assert_eq!(csv_cell(n), n, "{n}");
        }
        assert_eq!(csv_cell("plain text = fine"), "plain text = fine");
        assert_eq!(csv_cell(""), "");
        assert_eq!(csv_record(["=a", "1"]), vec!["'=a".to_string(), "1".to_string()]);
    }
}
