//! SVG charts for the HTML pages, drawn here (no scripts, no external files).

use std::fmt::Write as _;

use super::super::stress::Summary;
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

/// A weekly series for a line chart: its label (the tooltip), colour, whether dashed, and values.
pub(crate) type Series<'a> = (String, &'a str, bool, Vec<f64>);

/// A line chart of weekly series, with a legend of (label, colour, dashed) entries on the right.
pub(crate) fn line_chart(title: &str, series: &[Series], legend: &[(String, &str, bool)], y_label: &str) -> String {
    let (w, h) = (900.0, 300.0);
    let (left, right, top, bottom) = (56.0, 250.0, 26.0, 34.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let weeks = series.iter().map(|s| s.3.len()).max().unwrap_or(0).max(2);
    let ymax = series
        .iter()
        .flat_map(|s| s.3.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let ytop = round_top(ymax);
    let mut o = chart_frame(title, (w, h), (left, top, pw, ph), ytop, "");
    let step = (weeks / 13).max(1);
    for k in (0..weeks).step_by(step) {
        let x = left + pw * k as f64 / (weeks - 1) as f64;
        let _ = write!(
            o,
            r#"<text x="{x}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            top + ph + 14.0,
            k + 1
        );
    }
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">week</text><text x="12" y="{}" font-size="10" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 4.0,
        top + ph / 2.0,
        top + ph / 2.0,
        esc(y_label)
    );
    for (label, colour, dashed, values) in series {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                format!(
                    "{:.1},{:.1}",
                    left + pw * k as f64 / (weeks - 1) as f64,
                    top + ph - ph * (v / ytop)
                )
            })
            .collect();
        let dash = if *dashed { r#" stroke-dasharray="5 3""# } else { "" };
        let _ = write!(
            o,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.6"{dash} points="{}"><title>{}</title></polyline>"#,
            pts.join(" "),
            esc(label)
        );
    }
    for (i, (label, colour, dashed)) in legend.iter().enumerate() {
        let dash = if *dashed { r#" stroke-dasharray="5 3""# } else { "" };
        o += &legend_line(left + pw + 10.0, top + 12.0 + 15.0 * i as f64, colour, dash, label);
    }
    o + "</svg>"
}

/// The roles to draw, by id: the staffed roles first (the staffing is what is tested), then the
/// others by `weight` (largest first), at most `n`.
fn roles_to_draw<'a>(
    s: &'a Summary,
    weight: &dyn Fn(&super::super::stress::RoleResult) -> f64,
    n: usize,
) -> Vec<&'a str> {
    let mut top: Vec<(&str, f64)> = Vec::new();
    for p in &s.protocols {
        for r in &p.roles {
            match top.iter_mut().find(|(id, _)| *id == r.id) {
                Some(t) => t.1 = t.1.max(weight(r)),
                None => top.push((&r.id, weight(r))),
            }
        }
    }
    let staffed = |id: &str| s.caseload.staffing.iter().any(|st| st.role == id);
    top.retain(|(id, w)| staffed(id) || *w > 0.0);
    top.sort_by(|a, b| {
        staffed(b.0)
            .cmp(&staffed(a.0))
            .then(b.1.total_cmp(&a.1))
            .then_with(|| a.0.cmp(b.0))
    });
    top.into_iter().take(n).map(|(id, _)| id).collect()
}

/// A chart of weekly series by role: a colour for each role, the revision's lines dashed; the
/// legend names the roles in words (and which protocol is solid, which dashed).
pub(crate) fn roles_chart(
    s: &Summary,
    title: &str,
    y_label: &str,
    roles: &[&str],
    values: &dyn Fn(&super::super::stress::RoleResult) -> Vec<f64>,
) -> String {
    let two = s.protocols.len() > 1;
    let mut series = Vec::new();
    for (k, p) in s.protocols.iter().enumerate() {
        for (i, id) in roles.iter().enumerate() {
            if let Some(r) = p.roles.iter().find(|r| r.id == *id) {
                let label = match two {
                    true => format!("{} ({})", r.name, p.id),
                    false => r.name.clone(),
                };
                series.push((label, COLOURS[i % COLOURS.len()], k > 0, values(r)));
            }
        }
    }
    let mut legend: Vec<(String, &str, bool)> = roles
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                crate::caseload::committee::role_name(s, id),
                COLOURS[i % COLOURS.len()],
                false,
            )
        })
        .collect();
    if two {
        for (k, p) in s.protocols.iter().enumerate() {
            legend.push((p.id.clone(), "#000", k > 0));
        }
    }
    line_chart(title, &series, &legend, y_label)
}

/// Actions a week by role (the staffed roles and the busiest others).
pub(crate) fn workload_chart(s: &Summary) -> String {
    let roles = roles_to_draw(s, &|r| r.actions_per_week.mean, 6);
    roles_chart(s, "Actions per week by role", "actions", &roles, &|r| r.weekly.clone())
}

/// Duties still open at each week's end, by role (the staffed roles and those with the most
/// open): a line that keeps rising is a backlog.
pub(crate) fn open_duties_chart(s: &Summary) -> String {
    let roles = roles_to_draw(s, &|r| r.open_weekly.iter().copied().fold(0.0, f64::max), 6);
    if roles.is_empty() {
        return "<p>No duty was left open at the end of any week.</p>".into();
    }
    roles_chart(
        s,
        "Open duties at each week's end, by role",
        "open duties",
        &roles,
        &|r| r.open_weekly.clone(),
    )
}

/// For each staffed role: the hours of its workers' time booked each week (the demand), each
/// protocol's, against the hours its workers are on duty (the capacity).
pub(crate) fn demand_charts(s: &Summary) -> String {
    let mut o = String::new();
    for st in &s.caseload.staffing {
        let mut series: Vec<Series> = Vec::new();
        let mut legend: Vec<(String, &str, bool)> = Vec::new();
        let mut capacity: Vec<Vec<f64>> = Vec::new();
        for (k, p) in s.protocols.iter().enumerate() {
            let Some(r) = p.roles.iter().find(|r| r.id == st.role) else {
                continue;
            };
            let colour = COLOURS[k % COLOURS.len()];
            let label = format!("hours booked a week ({})", p.id);
            series.push((label.clone(), colour, false, r.booked_hours_weekly.clone()));
            legend.push((label, colour, false));
            if !capacity.contains(&r.capacity_hours_weekly) {
                capacity.push(r.capacity_hours_weekly.clone());
            }
        }
        if series.is_empty() {
            continue;
        }
        for (k, c) in capacity.iter().enumerate() {
            let label = match capacity.len() {
                1 => format!(
                    "hours on duty ({} worker{}{})",
                    st.workers,
                    if st.workers == 1 { "" } else { "s" },
                    if st.office_hours_only {
                        ", office hours"
                    } else {
                        ", round the clock"
                    }
                ),
                _ => format!("hours on duty ({})", s.protocols[k].id),
            };
            series.push((label.clone(), "#555", true, c.clone()));
            legend.push((label, "#555", true));
        }
        let name = crate::caseload::committee::role_name(s, &st.role);
        o += &line_chart(
            &format!("{name}: work booked against time on duty, hours a week"),
            &series,
            &legend,
            "hours",
        );
        let _ = write!(o, r#"<p class="id">{}</p>"#, esc(&st.role));
    }
    o
}
