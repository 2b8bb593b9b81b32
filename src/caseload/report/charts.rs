//! SVG charts for the HTML pages, drawn here (no scripts, no external files).

use std::fmt::Write as _;

use super::thousands;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) const COLOURS: [&str; 8] = [
    "#1f6fb2", "#e07b00", "#2a9d3a", "#c0392b", "#7b4fa0", "#8c564b", "#d4459b", "#5f6b6d",
];

/// A round top for a chart's axis at or above `ymax` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
/// power of ten).
pub(crate) fn round_top(ymax: f64) -> f64 {
    let mag = 10f64.powf(ymax.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|t| *t >= ymax)
        .unwrap_or(10.0 * mag)
}

/// An SVG chart's opening: its title, and six grid lines up the plot area (`left`, `top`, width,
/// height) labelled from 0 to `ytop`, each label followed by `suffix`.
pub(crate) fn chart_frame(
    title: &str,
    (w, h): (f64, f64),
    (left, top, pw, ph): (f64, f64, f64, f64),
    ytop: f64,
    suffix: &str,
) -> String {
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><text x="{left}" y="16" font-size="12" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    for k in 0..=5 {
        let v = ytop * k as f64 / 5.0;
        let y = top + ph - ph * k as f64 / 5.0;
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" text-anchor="end">{}{suffix}</text>"##,
            left + pw,
            left - 4.0,
            y + 3.0,
            if ytop >= 10.0 { thousands(v) } else { format!("{v:.1}") }
        );
    }
    o
}

/// A line chart's legend entry at (`x`, `y`): a sample of the line (`dash`: its dash attribute,
/// or empty), then its label.
/// A label longer than the legend has room for is cut short with "…", whole in its tooltip.
pub(crate) fn legend_line(x: f64, y: f64, colour: &str, dash: &str, label: &str) -> String {
    const ROOM: usize = 38;
    let shown = match label.chars().count() > ROOM {
        true => format!("{}…", label.chars().take(ROOM - 1).collect::<String>()),
        false => label.to_string(),
    };
    format!(
        r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/><text x="{}" y="{}" font-size="10"><title>{}</title>{}</text>"#,
        x + 20.0,
        x + 24.0,
        y + 3.0,
        esc(label),
        esc(&shown)
    )
}
