//! Files no reader should choke on (issue #20): brackets nested tens of thousands deep, a file
//! far larger than any real one, a `/*` comment never closed. Each must give a positioned error
//! and exit 2, never a crash, in every reader: protocols, scenarios, decision scripts, caseloads.

use std::path::PathBuf;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn sr(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_safe-return"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into())
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bounded-parsing");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The line and column of the one error reported about `file`.
fn position(err: &str, file: &str) -> (usize, usize) {
    let rest = err
        .strip_prefix(&format!("{file}:"))
        .unwrap_or_else(|| panic!("error does not start with {file}: {err}"));
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse().ok());
    let col = parts.next().and_then(|c| c.parse().ok());
    match (line, col) {
        (Some(l), Some(c)) => (l, c),
        _ => panic!("no line and column in: {err}"),
    }
}

/// Every reader, given `text` in the place it reads: the command and the file it names.
fn every_reader(name: &str, text: &str) -> Vec<(String, Vec<String>)> {
    let mut runs = Vec::new();
    let own = |args: &[&str], f: &PathBuf| {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.push(f.display().to_string());
        v
    };
    let f = write(&format!("{name}-protocol.ron"), text);
    runs.push((f.display().to_string(), own(&["protocol", "validate"], &f)));
    let f = write(&format!("{name}-scenario.ron"), text);
    runs.push((f.display().to_string(), own(&["scenario", "validate"], &f)));
    let f = write(&format!("{name}-decisions.ron"), text);
    runs.push((
        f.display().to_string(),
        own(&["run", "haringey-home-eleven", "--decisions"], &f),
    ));
    let f = write(&format!("{name}-caseload.ron"), text);
    runs.push((
        f.display().to_string(),
        own(
            &[
                "stress",
                "--protocol",
                "havering-2023-10",
                "--children",
                "5",
                "--days",
                "7",
                "--caseload",
            ],
            &f,
        ),
    ));
    runs
}

#[test]
fn brackets_nested_forty_thousand_deep_are_a_positioned_error_in_every_reader() {
    let n = 40_000;
    for (name, text) in [
        ("round", "(".repeat(n)),
        ("square", format!("(\n  id: {}{}\n)\n", "[".repeat(n), "]".repeat(n))),
    ] {
        for (file, args) in every_reader(name, &text) {
            let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
            let (code, err) = sr(&args);
            assert_eq!(code, Some(2), "{args:?} should fail with exit 2, not crash:\n{err}");
            let (line, col) = position(&err, &file);
            assert!(line >= 1 && col >= 1);
            assert!(
                err.contains("nested more than 128 deep from line"),
                "{args:?}: the message should name the nesting:\n{err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_with_the_limit_named() {
    // Nine MiB of spaces inside an otherwise plausible protocol.
    let text = format!("Protocol(\n{}\n)\n", " ".repeat(9 * 1024 * 1024));
    for (file, args) in every_reader("huge", &text) {
        let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let (code, err) = sr(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(position(&err, &file), (1, 1));
        assert!(
            err.contains("too large") && err.contains("at most 8 MiB (8,388,608 bytes)") && err.contains("9.0 MiB"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_file_just_under_the_size_limit_is_read() {
    // Padding with a comment keeps it valid: the limit refuses size, not content.
    let protocol = std::fs::read_to_string(format!("{ROOT}/assets/protocols/havering-2023-10.ron")).unwrap();
    let pad = 8 * 1024 * 1024 - protocol.len() - 8;
    let f = write("padded-protocol.ron", &format!("{protocol}\n// {}\n", "x".repeat(pad)));
    assert!(std::fs::metadata(&f).unwrap().len() <= 8 * 1024 * 1024);
    let (code, err) = sr(&["protocol", "validate", &f.display().to_string()]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn an_unclosed_comment_is_reported_where_it_opens_not_at_a_field() {
    let check = |file: &str, args: &[&str], at: (usize, usize)| {
        let (code, err) = sr(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(position(&err, file), at, "{err}");
        let said = format!(
            "the comment that starts here with `/*` (line {}, column {}) is never closed",
            at.0, at.1
        );
        assert!(err.contains(&said), "{err}");
        assert!(
            !err.contains(": id:") && !err.contains(": name:"),
            "the error blames a field: {err}"
        );
    };
    let text = "(\n  /* the name is not settled\n  name: \"y\",\n)\n";
    for (file, args) in every_reader("comment", text) {
        let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        check(&file, &args, (2, 3));
    }
    // After a field that reads well: the field is not blamed.
    let f = write(
        "comment-after-field.ron",
        "Protocol(\n  id: \"x\",\n  /* not settled\n  name: \"y\",\n)\n",
    );
    let f = f.display().to_string();
    check(&f, &["protocol", "validate", &f], (3, 3));
}
