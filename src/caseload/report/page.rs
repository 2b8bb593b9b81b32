//! What the HTML pages share: the style sheet (screen and A4 print), the page's opening, tables
//! whose headings repeat on every printed page, folded lists that print whole, and labels that
//! name a thing in words with its id as a secondary line.

use super::esc;

/// The style sheet of `report.html` and `summary.html`. In print: A4 pages, a table's headings
/// repeated on every page it runs over (`thead` as a header group), rows and charts kept whole,
/// charts scaled to the page, and folded content (`details`) printed in full — each fold's
/// print copy shown, the screen's fold hidden.
pub(crate) const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}h2{margin-top:2em;border-bottom:1px solid #ccc}
table.fixed{width:100%;table-layout:fixed}table.fixed td{overflow-wrap:anywhere}
caption{caption-side:top;text-align:left;font-weight:bold;padding:2px 0}
.note{color:#555;font-size:13px}.id{color:#777;font-size:11px;font-family:ui-monospace,monospace}
.verdict{background:#f6f8fb;border-left:4px solid #1f6fb2;padding:.6em 1em;margin:1em 0}
.verdict p{margin:.3em 0}.ci{color:#666;font-size:11px}.quote{color:#555;font-size:12px;font-style:italic}
svg{display:block;margin:1em 0;max-width:100%;height:auto}
.print-only{display:none}
@page{size:A4;margin:14mm 12mm}
@media print{
body{margin:0;max-width:none;padding:0;font-size:10pt}
table{font-size:8.5pt}table.fixed{font-size:7.5pt}td .note,td.note{font-size:inherit}td .id{font-size:7pt}.ci{font-size:6.5pt}h2{margin-top:1.2em;break-after:avoid}h3{break-after:avoid}
thead{display:table-header-group}tfoot{display:table-footer-group}
tr,svg,.verdict,figure{break-inside:avoid}
.screen-only{display:none!important}.print-only{display:block!important}
details>*{display:block}
}
"#;

/// A page's opening up to `<body>`: its title and the style sheet (`extra`: more rules).
pub(crate) fn head(title: &str, extra: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{}</title><style>{STYLE}{extra}</style></head><body>"#,
        esc(title)
    )
}

/// A table's opening with its headings in a `thead` (repeated on every printed page) and the
/// body opened; close it with [`TABLE_END`]. Headings are given as HTML (escaped by the caller);
/// a heading starting with `#` is numeric (right-aligned), the `#` dropped.
pub(crate) fn table(caption: Option<&str>, headings: &[String]) -> String {
    let mut o = String::from("<table>");
    if let Some(c) = caption {
        o += &format!("<caption>{}</caption>", esc(c));
    }
    o += "<thead><tr>";
    for h in headings {
        match h.strip_prefix('#') {
            Some(h) => o += &format!(r#"<th class="n">{h}</th>"#),
            None => o += &format!("<th>{h}</th>"),
        }
    }
    o + "</tr></thead><tbody>"
}

/// A table opened with [`table`], laid out at the full width with its columns at these widths
/// (CSS lengths, one a column): wide tables of many columns keep their first column readable.
pub(crate) fn fixed(table: String, widths: &[&str]) -> String {
    let cols: String = widths.iter().map(|w| format!(r#"<col style="width:{w}">"#)).collect();
    table.replacen(
        "<table>",
        &format!(r#"<table class="fixed"><colgroup>{cols}</colgroup>"#),
        1,
    )
}

/// The end of a table opened with [`table`].
pub(crate) const TABLE_END: &str = "</tbody></table>";

/// Plain headings, escaped (for [`table`]).
pub(crate) fn headings(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .map(|w| match w.strip_prefix('#') {
            Some(rest) => format!("#{}", esc(rest)),
            None => esc(w),
        })
        .collect()
}

/// Content folded on screen (`details`), whole in print: the fold for the screen, and a copy
/// shown only in print (a closed `details` prints closed in most browsers, whatever the style).
/// `summary` and `body` are HTML.
pub(crate) fn fold(summary: &str, body: &str) -> String {
    format!(
        r#"<details class="screen-only"><summary>{summary}</summary>{body}</details><div class="print-only"><p><b>{summary}</b></p>{body}</div>"#
    )
}

/// A thing named in words, its id on a secondary line (for a table cell).
pub(crate) fn named(name: &str, id: &str) -> String {
    match name.is_empty() || name == id {
        true => format!(r#"<span class="id">{}</span>"#, esc(id)),
        false => format!(r#"{}<br><span class="id">{}</span>"#, esc(name), esc(id)),
    }
}
