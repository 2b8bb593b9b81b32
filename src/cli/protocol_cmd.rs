use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{ProtocolCmd, bad_input, print_json};
use crate::protocol::{LoadedProtocol, diff, lint, load, review, show};

/// A protocol argument as a file: a path, or an id (or `id.ron`) under `assets/protocols/`;
/// where there is none, the message lists the protocols and suggests the nearest.
fn resolve(arg: &Path) -> Result<PathBuf, String> {
    if arg.exists() {
        return Ok(arg.to_path_buf());
    }
    crate::paths::resolve_protocol(&arg.to_string_lossy())
}

fn resolve_or_exit(arg: &Path) -> Result<PathBuf, ExitCode> {
    resolve(arg).map_err(|why| {
        eprintln!("{why}");
        ExitCode::from(2)
    })
}

fn load_or_exit(arg: &Path) -> Result<LoadedProtocol, ExitCode> {
    super::load_or_exit(&resolve_or_exit(arg)?)
}

pub fn run(cmd: &ProtocolCmd) -> ExitCode {
    match cmd {
        ProtocolCmd::Validate { files } => {
            let mut bad = false;
            for arg in files {
                let f = match resolve(arg) {
                    Ok(f) => f,
                    Err(why) => {
                        eprintln!("{why}");
                        bad = true;
                        continue;
                    }
                };
                match load::load_protocol(&f) {
                    Ok(lp) => println!(
                        "{}: ok ({} rules, {} roles)",
                        f.display(),
                        lp.protocol.rules.len(),
                        lp.protocol.roles.len()
                    ),
                    Err(d) => {
                        eprintln!("{d}");
                        bad = true;
                    }
                }
            }
            if bad { ExitCode::from(2) } else { ExitCode::SUCCESS }
        }
        ProtocolCmd::Lint { file, json } => {
            let file = match resolve_or_exit(file) {
                Ok(f) => f,
                Err(code) => return code,
            };
            let (lp, errors) = match load::parse_unchecked(&file) {
                Ok(x) => x,
                Err(d) => return bad_input(&d),
            };
            let report = lint::lint(&lp, &errors);
            if *json {
                print_json(&report);
            } else if report.findings.is_empty() {
                println!("{}: no findings", file.display());
            } else {
                for f in &report.findings {
                    println!("{}: {:?} [{}] {}", f.location, f.severity, f.kind, f.message);
                    for c in &f.citations {
                        println!("    cites {c}");
                    }
                }
                println!("{} findings", report.findings.len());
            }
            if report.has_errors() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        ProtocolCmd::Diff { old, new, json } => {
            let (a, b) = match (load_or_exit(old), load_or_exit(new)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            let d = diff::diff(&a.protocol, &b.protocol);
            if *json {
                print_json(&d);
            } else {
                print!("{}", d.to_text());
            }
            ExitCode::SUCCESS
        }
        ProtocolCmd::Show { file, markdown } => match load_or_exit(file) {
            Ok(lp) => {
                print!("{}", show::render(&lp.protocol, *markdown));
                ExitCode::SUCCESS
            }
            Err(e) => e,
        },
        ProtocolCmd::Review { file, out } => write_review(file, out),
    }
}

/// `protocol review FILE --out DIR`: the pack as `DIR/index.html` and `DIR/review.md`.
fn write_review(file: &Path, out: &Path) -> ExitCode {
    let lp = match load_or_exit(file) {
        Ok(lp) => lp,
        Err(e) => return e,
    };
    if out.exists() && !out.is_dir() {
        eprintln!(
            "{}: --out: this is a file, not a folder; give a folder for the review pack",
            out.display()
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("{}: --out: cannot create the folder: {e}", out.display());
        return ExitCode::from(2);
    }
    let report = lint::lint(&lp, &[]);
    let name = file
        .file_name()
        .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let r = review::review(&lp.protocol, &name, &report);
    for (f, text) in [
        ("index.html", review::to_html(&r)),
        ("review.md", review::to_markdown(&r)),
    ] {
        let path = out.join(f);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "{}: review pack of {} rules written to {} (index.html, review.md)",
        file.display(),
        lp.protocol.rules.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
