//! A checker for xAPI 1.0.3 statements, as the specification states its rules (Data, part 2,
//! section 2.4): the properties a statement must and may have, IRIs where ids are, one inverse
//! functional identifier per agent, language maps, UUIDs, ISO 8601 timestamps and durations, and
//! score ranges. The tests run every statement Safe Return makes through it.

use serde_json::{Map, Value};

/// Problems with one statement, each as `property.path: what is wrong`; empty when it is valid.
pub fn statement(v: &Value) -> Vec<String> {
    let mut c = Check::default();
    c.statement("", v, false);
    c.problems
}

#[derive(Default)]
struct Check {
    problems: Vec<String>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Check {
    fn err(&mut self, path: &str, msg: impl std::fmt::Display) {
        self.problems.push(format!("{path}: {msg}"));
    }

    fn object<'a>(&mut self, path: &str, v: &'a Value) -> Option<&'a Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.err(path, "must be a JSON object");
        }
        o
    }

    fn only(&mut self, path: &str, o: &Map<String, Value>, allowed: &[&str]) {
        for k in o.keys() {
            if !allowed.contains(&k.as_str()) {
                self.err(&join(path, k), "is not a property xAPI allows here");
            }
        }
    }

    fn string<'a>(&mut self, path: &str, v: &'a Value) -> Option<&'a str> {
        let s = v.as_str();
        if s.is_none() {
            self.err(path, "must be a string");
        }
        s
    }

    fn iri(&mut self, path: &str, v: &Value) {
        if let Some(s) = self.string(path, v)
            && !is_iri(s)
        {
            self.err(path, format!("`{s}` is not an absolute IRI"));
        }
    }

    fn uuid(&mut self, path: &str, v: &Value) {
        if let Some(s) = self.string(path, v)
            && !is_uuid(s)
        {
            self.err(path, format!("`{s}` is not a UUID (8-4-4-4-12 hex digits)"));
        }
    }

    fn language_map(&mut self, path: &str, v: &Value) {
        if let Some(o) = self.object(path, v) {
            for (k, x) in o {
                if !is_language_tag(k) {
                    self.err(&join(path, k), "is not an RFC 5646 language tag");
                }
                self.string(&join(path, k), x);
            }
        }
    }

    fn extensions(&mut self, path: &str, v: &Value) {
        if let Some(o) = self.object(path, v) {
            for k in o.keys() {
                if !is_iri(k) {
                    self.err(&join(path, k), "an extension's key must be an absolute IRI");
                }
            }
        }
    }

    fn boolean(&mut self, path: &str, v: &Value) {
        if !v.is_boolean() {
            self.err(path, "must be true or false");
        }
    }

    fn statement(&mut self, path: &str, v: &Value, sub: bool) {
        let Some(o) = self.object(path, v) else { return };
        let allowed: &[&str] = if sub {
            &[
                "objectType",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "attachments",
            ]
        } else {
            &[
                "id",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "stored",
                "authority",
                "version",
                "attachments",
            ]
        };
        self.only(path, o, allowed);
        for req in ["actor", "verb", "object"] {
            if !o.contains_key(req) {
                self.err(&join(path, req), "is required");
            }
        }
        if let Some(id) = o.get("id") {
            self.uuid(&join(path, "id"), id);
        }
        if let Some(a) = o.get("actor") {
            self.actor(&join(path, "actor"), a);
        }
        if let Some(a) = o.get("authority") {
            self.actor(&join(path, "authority"), a);
        }
        if let Some(vb) = o.get("verb") {
            self.verb(&join(path, "verb"), vb);
        }
        let mut activity = true;
        if let Some(ob) = o.get("object") {
            activity = self.statement_object(&join(path, "object"), ob, sub);
        }
        if let Some(r) = o.get("result") {
            self.result(&join(path, "result"), r);
        }
        if let Some(cx) = o.get("context") {
            self.context(&join(path, "context"), cx, activity);
        }
        for t in ["timestamp", "stored"] {
            if let Some(ts) = o.get(t)
                && let Some(s) = self.string(&join(path, t), ts)
                && chrono::DateTime::parse_from_rfc3339(s).is_err()
            {
                self.err(
                    &join(path, t),
                    format!("`{s}` is not an ISO 8601 timestamp with its time zone"),
                );
            }
        }
        if let Some(ver) = o.get("version")
            && let Some(s) = self.string(&join(path, "version"), ver)
            && !s.starts_with("1.0")
        {
            self.err(&join(path, "version"), format!("`{s}` is not an xAPI 1.0.x version"));
        }
    }

    /// An Agent or a Group.
    fn actor(&mut self, path: &str, v: &Value) {
        let Some(o) = self.object(path, v) else { return };
        let kind = o.get("objectType").and_then(Value::as_str).unwrap_or("Agent");
        match kind {
            "Agent" => {
                self.only(
                    path,
                    o,
                    &["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"],
                );
                self.ifi(path, o, true);
            }
            "Group" => {
                self.only(
                    path,
                    o,
                    &[
                        "objectType",
                        "name",
                        "mbox",
                        "mbox_sha1sum",
                        "openid",
                        "account",
                        "member",
                    ],
                );
                self.ifi(path, o, false);
                if let Some(m) = o.get("member") {
                    match m.as_array() {
                        Some(list) => {
                            for (i, a) in list.iter().enumerate() {
                                self.actor(&format!("{path}.member[{i}]"), a);
                            }
                        }
                        None => self.err(&join(path, "member"), "must be an array of agents"),
                    }
                } else if self.ifis(o) == 0 {
                    self.err(&join(path, "member"), "an anonymous group lists its members");
                }
            }
            other => self.err(
                &join(path, "objectType"),
                format!("`{other}` is neither Agent nor Group"),
            ),
        }
        if let Some(n) = o.get("name") {
            self.string(&join(path, "name"), n);
        }
    }

    fn ifis(&self, o: &Map<String, Value>) -> usize {
        ["mbox", "mbox_sha1sum", "openid", "account"]
            .iter()
            .filter(|k| o.contains_key(**k))
            .count()
    }

    /// Inverse functional identifiers: exactly one for an agent, at most one for a group.
    fn ifi(&mut self, path: &str, o: &Map<String, Value>, required: bool) {
        let n = self.ifis(o);
        if n > 1 || (required && n == 0) {
            self.err(
                path,
                format!("an agent has exactly one of mbox, mbox_sha1sum, openid and account ({n} here)"),
            );
        }
        if let Some(m) = o.get("mbox")
            && let Some(s) = self.string(&join(path, "mbox"), m)
            && !(s.starts_with("mailto:") && s.len() > 7 && s.contains('@'))
        {
            self.err(&join(path, "mbox"), "must be a mailto: IRI");
        }
        if let Some(m) = o.get("mbox_sha1sum")
            && let Some(s) = self.string(&join(path, "mbox_sha1sum"), m)
            && !(s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
        {
            self.err(&join(path, "mbox_sha1sum"), "must be 40 hex digits");
        }
        if let Some(m) = o.get("openid") {
            self.iri(&join(path, "openid"), m);
        }
        if let Some(a) = o.get("account") {
            let p = join(path, "account");
            if let Some(acc) = self.object(&p, a) {
                self.only(&p, acc, &["homePage", "name"]);
                match acc.get("homePage") {
                    Some(h) => {
                        if let Some(s) = self.string(&join(&p, "homePage"), h)
                            && !(is_iri(s) && (s.starts_with("http://") || s.starts_with("https://")))
                        {
                            self.err(&join(&p, "homePage"), format!("`{s}` is not an IRL (a web address)"));
                        }
                    }
                    None => self.err(&join(&p, "homePage"), "is required"),
                }
                match acc.get("name") {
                    Some(n) => {
                        if self.string(&join(&p, "name"), n).is_some_and(str::is_empty) {
                            self.err(&join(&p, "name"), "must not be empty");
                        }
                    }
                    None => self.err(&join(&p, "name"), "is required"),
                }
            }
        }
    }

    fn verb(&mut self, path: &str, v: &Value) {
        let Some(o) = self.object(path, v) else { return };
        self.only(path, o, &["id", "display"]);
        match o.get("id") {
            Some(id) => self.iri(&join(path, "id"), id),
            None => self.err(&join(path, "id"), "is required"),
        }
        if let Some(d) = o.get("display") {
            self.language_map(&join(path, "display"), d);
        }
    }

    /// Checks the object; returns whether it is an Activity (revision and platform need one).
    fn statement_object(&mut self, path: &str, v: &Value, sub: bool) -> bool {
        let Some(o) = self.object(path, v) else { return true };
        let kind = o.get("objectType").and_then(Value::as_str).unwrap_or("Activity");
        match kind {
            "Activity" => {
                self.activity(path, v);
                true
            }
            "Agent" | "Group" => {
                self.actor(path, v);
                false
            }
            "StatementRef" => {
                self.only(path, o, &["objectType", "id"]);
                match o.get("id") {
                    Some(id) => self.uuid(&join(path, "id"), id),
                    None => self.err(&join(path, "id"), "is required"),
                }
                false
            }
            "SubStatement" if !sub => {
                self.statement(path, v, true);
                false
            }
            other => {
                self.err(
                    &join(path, "objectType"),
                    format!("`{other}` cannot be a statement's object here"),
                );
                false
            }
        }
    }

    fn activity(&mut self, path: &str, v: &Value) {
        let Some(o) = self.object(path, v) else { return };
        self.only(path, o, &["objectType", "id", "definition"]);
        match o.get("id") {
            Some(id) => self.iri(&join(path, "id"), id),
            None => self.err(&join(path, "id"), "is required"),
        }
        if let Some(d) = o.get("definition") {
            let p = join(path, "definition");
            let Some(def) = self.object(&p, d) else { return };
            self.only(
                &p,
                def,
                &[
                    "name",
                    "description",
                    "type",
                    "moreInfo",
                    "extensions",
                    "interactionType",
                    "correctResponsesPattern",
                    "choices",
                    "scale",
                    "source",
                    "target",
                    "steps",
                ],
            );
            for k in ["name", "description"] {
                if let Some(m) = def.get(k) {
                    self.language_map(&join(&p, k), m);
                }
            }
            for k in ["type", "moreInfo"] {
                if let Some(x) = def.get(k) {
                    self.iri(&join(&p, k), x);
                }
            }
            if let Some(x) = def.get("extensions") {
                self.extensions(&join(&p, "extensions"), x);
            }
        }
    }

    fn result(&mut self, path: &str, v: &Value) {
        let Some(o) = self.object(path, v) else { return };
        self.only(
            path,
            o,
            &["score", "success", "completion", "response", "duration", "extensions"],
        );
        for k in ["success", "completion"] {
            if let Some(b) = o.get(k) {
                self.boolean(&join(path, k), b);
            }
        }
        if let Some(r) = o.get("response") {
            self.string(&join(path, "response"), r);
        }
        if let Some(d) = o.get("duration")
            && let Some(s) = self.string(&join(path, "duration"), d)
            && !is_iso_duration(s)
        {
            self.err(&join(path, "duration"), format!("`{s}` is not an ISO 8601 duration"));
        }
        if let Some(x) = o.get("extensions") {
            self.extensions(&join(path, "extensions"), x);
        }
        if let Some(s) = o.get("score") {
            self.score(&join(path, "score"), s);
        }
    }

    fn score(&mut self, path: &str, v: &Value) {
        let Some(o) = self.object(path, v) else { return };
        self.only(path, o, &["scaled", "raw", "min", "max"]);
        let mut num = |k: &str| -> Option<f64> {
            let x = o.get(k)?;
            let n = x.as_f64();
            if n.is_none() {
                self.err(&join(path, k), "must be a number");
            }
            n
        };
        let (scaled, raw, min, max) = (num("scaled"), num("raw"), num("min"), num("max"));
        if let Some(s) = scaled
            && !(-1.0..=1.0).contains(&s)
        {
            self.err(&join(path, "scaled"), format!("{s} is outside -1 to 1"));
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo >= hi
        {
            self.err(&join(path, "min"), format!("{lo} must be less than max ({hi})"));
        }
        if let (Some(r), Some(lo)) = (raw, min)
            && r < lo
        {
            self.err(&join(path, "raw"), format!("{r} is below min ({lo})"));
        }
        if let (Some(r), Some(hi)) = (raw, max)
            && r > hi
        {
            self.err(&join(path, "raw"), format!("{r} is above max ({hi})"));
        }
    }

    fn context(&mut self, path: &str, v: &Value, activity: bool) {
        let Some(o) = self.object(path, v) else { return };
        self.only(
            path,
            o,
            &[
                "registration",
                "instructor",
                "team",
                "contextActivities",
                "revision",
                "platform",
                "language",
                "statement",
                "extensions",
            ],
        );
        if let Some(r) = o.get("registration") {
            self.uuid(&join(path, "registration"), r);
        }
        if let Some(i) = o.get("instructor") {
            self.actor(&join(path, "instructor"), i);
        }
        if let Some(t) = o.get("team") {
            if t.get("objectType").and_then(Value::as_str) != Some("Group") {
                self.err(&join(path, "team"), "must be a Group");
            }
            self.actor(&join(path, "team"), t);
        }
        for k in ["revision", "platform"] {
            if let Some(x) = o.get(k) {
                self.string(&join(path, k), x);
                if !activity {
                    self.err(&join(path, k), "is only allowed when the object is an Activity");
                }
            }
        }
        if let Some(l) = o.get("language")
            && let Some(s) = self.string(&join(path, "language"), l)
            && !is_language_tag(s)
        {
            self.err(
                &join(path, "language"),
                format!("`{s}` is not an RFC 5646 language tag"),
            );
        }
        if let Some(x) = o.get("extensions") {
            self.extensions(&join(path, "extensions"), x);
        }
        if let Some(ca) = o.get("contextActivities") {
            let p = join(path, "contextActivities");
            if let Some(m) = self.object(&p, ca) {
                self.only(&p, m, &["parent", "grouping", "category", "other"]);
                for (k, x) in m {
                    match x.as_array() {
                        Some(list) => {
                            for (i, a) in list.iter().enumerate() {
                                self.activity(&format!("{p}.{k}[{i}]"), a);
                            }
                        }
                        None => self.activity(&join(&p, k), x),
                    }
                }
            }
        }
    }
}

/// An absolute IRI: a scheme (`https:`, `urn:`, `mailto:` …) and more, with no spaces, control
/// characters or `<>"{}|\^` and backquote.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.chars();
    sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// A UUID in its usual 8-4-4-4-12 form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok() && s.chars().filter(|c| *c == '-').count() == 4
}

/// A language tag as RFC 5646 shapes one: `en`, `en-GB`, `zh-Hant-TW`.
pub fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An ISO 8601 duration: `P1D`, `PT1H30M`, `PT0.5S`, `P1W` (only the last number may have a
/// fraction).
pub fn is_iso_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else { return false };
    if rest.is_empty() {
        return false;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    if time.is_some_and(str::is_empty) {
        return false;
    }
    let mut fraction_seen = false;
    let mut units = |part: &str, order: &str| -> bool {
        let mut allowed = order;
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(c);
                continue;
            }
            let Some(i) = allowed.find(c) else { return false };
            allowed = &allowed[i + 1..];
            let fractional = num.contains(['.', ',']);
            let ok = !num.is_empty()
                && num.chars().next().is_some_and(|d| d.is_ascii_digit())
                && num.chars().last().is_some_and(|d| d.is_ascii_digit())
                && num.matches(['.', ',']).count() <= 1;
            if !ok || fraction_seen {
                return false;
            }
            fraction_seen = fractional;
            num.clear();
        }
        num.is_empty()
    };
    units(date, "YMWD") && time.is_none_or(|t| units(t, "HMS"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            "actor": {"objectType": "Agent", "account": {"homePage": "https://example.org/", "name": "T-07"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-GB": "completed"}},
            "object": {"objectType": "Activity", "id": "https://example.org/scenarios/a"},
            "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "duration": "PT1M2.5S"},
            "context": {"registration": "3f2504e0-4f89-41d3-9a0c-0305e82c3302", "language": "en-GB"},
            "timestamp": "2026-01-01T10:00:00.000Z"
        })
    }

    #[test]
    fn a_well_formed_statement_passes() {
        assert_eq!(statement(&valid()), Vec::<String>::new());
    }

    #[test]
    fn each_broken_rule_is_named() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("id", json!("not-a-uuid"), "id:"),
            ("verb", json!({"id": "completed"}), "verb.id:"),
            (
                "actor",
                json!({"account": {"homePage": "https://e.org/"}}),
                "actor.account.name:",
            ),
            (
                "actor",
                json!({"mbox": "mailto:a@b.c", "account": {"homePage": "https://e.org/", "name": "x"}}),
                "exactly one",
            ),
            ("result", json!({"score": {"scaled": 1.5}}), "result.score.scaled:"),
            (
                "result",
                json!({"score": {"raw": 11, "min": 0, "max": 10}}),
                "result.score.raw:",
            ),
            ("result", json!({"score": {"min": 10, "max": 10}}), "result.score.min:"),
            ("result", json!({"duration": "1 minute"}), "result.duration:"),
            ("timestamp", json!("2026-01-01 10:00"), "timestamp:"),
            ("context", json!({"registration": "x"}), "context.registration:"),
            (
                "context",
                json!({"extensions": {"simulated-time": 1}}),
                "context.extensions.simulated-time:",
            ),
            ("object", json!({"id": "https://e.org/a b"}), "object.id:"),
            ("colour", json!("red"), "colour: is not a property"),
        ];
        for (key, value, expected) in cases {
            let mut s = valid();
            s[key] = value;
            let p = statement(&s);
            assert!(p.iter().any(|m| m.contains(expected)), "{key}: {p:?}");
        }
        let mut s = valid();
        s.as_object_mut().unwrap().remove("verb");
        assert!(statement(&s).iter().any(|m| m == "verb: is required"));
    }

    #[test]
    fn iso_durations() {
        for ok in ["PT0S", "P1D", "PT1H30M", "PT0.25S", "P1Y2M3DT4H5M6.5S", "P2W"] {
            assert!(is_iso_duration(ok), "{ok}");
        }
        for bad in ["", "P", "PT", "1H", "PT1.5H30M", "PT1S2M", "P1H", "PT.5S", "PTS"] {
            assert!(!is_iso_duration(bad), "{bad}");
        }
    }
}
