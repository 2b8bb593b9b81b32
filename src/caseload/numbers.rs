//! Numbers and words as people write them (`2,000 children`, `3.9`): plain formatting that the
//! stress runs, the reports and the dashboard share, importing nothing.

/// A count with its noun, thousands separated: "1 child", "2,000 children".
pub fn counted(n: f64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1.0 { one } else { many })
}

/// A whole number with thousands separated by commas (`14,896,482`).
pub fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A mean count: thousands separated, one decimal below 100 (`3.9`, `1,716`).
pub fn thousands_1(n: f64) -> String {
    if n.abs() < 100.0 {
        format!("{n:.1}")
    } else {
        thousands(n)
    }
}

/// The text with its first letter a capital.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
