//! A small deterministic fuzzer over the shipped input files (issue #20): every protocol,
//! scenario, decision script and caseload is mutated (bytes flipped, deleted, duplicated,
//! numbers swapped for extremes, truncated) and fed to its loader and, where it loads, to a short
//! run, in this process, counting panics. Deep nesting and huge files go through the
//! `safe-return` program in a child process instead, since a stack overflow or running out of
//! memory aborts the process rather than panicking.
//!
//! Shared by `tests/fuzz.rs` (a fixed seed and number of cases in `cargo test`) and
//! `examples/fuzz.rs` (the long run).

#![allow(dead_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safe_return::caseload::stress::{self, StressOptions};
use safe_return::caseload::{self, Caseload};
use safe_return::protocol::{self, Protocol};
use safe_return::scenario::{self, LoadedScenario, run};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What a file is, and so which loader reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Protocol,
    Scenario,
    /// A decision script for the scenario in this folder.
    Decisions(PathBuf),
    /// A caseload, run with this protocol.
    Caseload(PathBuf),
}

impl Kind {
    pub fn label(&self) -> String {
        match self {
            Kind::Protocol => "protocol".into(),
            Kind::Scenario => "scenario".into(),
            Kind::Decisions(dir) => format!("decisions {}", name(dir)),
            Kind::Caseload(p) => format!("caseload {}", name(p)),
        }
    }
    /// Parse a `label` back (for regression files).
    pub fn from_label(label: &str) -> Option<Kind> {
        let mut words = label.split_whitespace();
        let kind = match (words.next()?, words.next()) {
            ("protocol", None) => Kind::Protocol,
            ("scenario", None) => Kind::Scenario,
            ("decisions", Some(s)) => Kind::Decisions(Path::new(ROOT).join("scenarios").join(s)),
            ("caseload", Some(p)) => Kind::Caseload(Path::new(ROOT).join("assets/protocols").join(format!("{p}.ron"))),
            _ => return None,
        };
        Some(kind)
    }
}

fn name(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One shipped file to mutate.
#[derive(Debug, Clone)]
pub struct Seed {
    pub kind: Kind,
    pub file: PathBuf,
    pub bytes: Vec<u8>,
}

fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    v.sort();
    v
}

/// Every shipped protocol, scenario, decision script and caseload.
pub fn corpus() -> Vec<Seed> {
    let root = Path::new(ROOT);
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = Vec::new();
    let protocols = ron_files(&root.join("assets/protocols"));
    for p in &protocols {
        out.push(Seed {
            kind: Kind::Protocol,
            file: p.clone(),
            bytes: read(p),
        });
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .expect("scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        for f in ron_files(&dir) {
            let kind = if f.file_name().is_some_and(|n| n == "scenario.ron") {
                Kind::Scenario
            } else {
                Kind::Decisions(dir.clone())
            };
            out.push(Seed {
                kind,
                bytes: read(&f),
                file: f,
            });
        }
    }
    for c in ron_files(&root.join("assets/caseloads")) {
        // Run with the first shipped protocol it is written for.
        let with = protocols.iter().find(|p| {
            let lp = protocol::load_protocol(p).expect("shipped protocol loads");
            caseload::load_caseload(&c, &[&lp.protocol]).is_ok()
        });
        let with = with.unwrap_or_else(|| panic!("{} loads with no shipped protocol", c.display()));
        out.push(Seed {
            kind: Kind::Caseload(with.clone()),
            bytes: read(&c),
            file: c,
        });
    }
    out
}

/// Numbers a field might not expect.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "-0",
    "1",
    "255",
    "65536",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "99999999999999999999999",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "0.0000001",
    "NaN",
    "inf",
    "-inf",
    "10000000",
];

/// Characters that matter to RON, for byte flips.
const SPECIAL: &[u8] = b"()[]{},:\"'/*\\-+.#_ \n0123456789eE";

/// Apply one to four mutations to `bytes`; returns what was done, in words.
pub fn mutate(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) -> Vec<String> {
    let mut done = Vec::new();
    let count = if rng.random_bool(0.6) {
        1
    } else {
        rng.random_range(2..=4)
    };
    for _ in 0..count {
        let len = bytes.len();
        if len == 0 {
            break;
        }
        let at = rng.random_range(0..len);
        match rng.random_range(0..10) {
            0 | 1 => {
                let b = if rng.random_bool(0.7) {
                    SPECIAL[rng.random_range(0..SPECIAL.len())]
                } else {
                    rng.random()
                };
                bytes[at] = b;
                done.push(format!("byte {at} set to {b:#04x}"));
            }
            2 | 3 => {
                let n = rng.random_range(1..=64.min(len - at));
                bytes.drain(at..at + n);
                done.push(format!("{n} bytes deleted at {at}"));
            }
            4 => {
                let n = rng.random_range(1..=256.min(len - at));
                let chunk = bytes[at..at + n].to_vec();
                let to = rng.random_range(0..=len);
                bytes.splice(to..to, chunk);
                done.push(format!("{n} bytes from {at} copied to {to}"));
            }
            5..=7 => {
                // A number swapped for an extreme: the first number at or after `at`.
                let Some(start) = (at..len).find(|&i| bytes[i].is_ascii_digit()) else {
                    continue;
                };
                let start = if start > 0 && bytes[start - 1] == b'-' {
                    start - 1
                } else {
                    start
                };
                let end = (start + 1..len)
                    .find(|&i| !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_'))
                    .unwrap_or(len);
                let x = EXTREMES[rng.random_range(0..EXTREMES.len())];
                done.push(format!(
                    "`{}` at {start} swapped for {x}",
                    String::from_utf8_lossy(&bytes[start..end])
                ));
                bytes.splice(start..end, x.bytes());
            }
            8 => {
                bytes.truncate(at);
                done.push(format!("cut at {at}"));
            }
            _ => {
                // A whole line repeated or dropped.
                let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let line_end = bytes[at..].iter().position(|&b| b == b'\n').map_or(len, |i| at + i + 1);
                if rng.random_bool(0.5) {
                    let line = bytes[line_start..line_end].to_vec();
                    bytes.splice(line_start..line_start, line);
                    done.push(format!("line at {line_start} repeated"));
                } else {
                    bytes.drain(line_start..line_end);
                    done.push(format!("line at {line_start} dropped"));
                }
            }
        }
    }
    done
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// The thread the fuzzer runs on; its panics (and those of the unnamed worker threads a stress
/// run starts) are kept instead of printed.
const WORKER: &str = "fuzz-worker";

/// Keep panic messages (with where they happened) instead of printing them, while `f` runs.
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    let old: Arc<dyn Fn(&std::panic::PanicHookInfo) + Send + Sync> = Arc::from(std::panic::take_hook());
    let forward = old.clone();
    std::panic::set_hook(Box::new(move |info| {
        let name = std::thread::current().name().map(str::to_string);
        if name.as_deref().is_some_and(|n| n != WORKER) {
            return forward(info);
        }
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{at}: {msg}"));
    }));
    let r = f();
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| old(info)));
    r
}

/// What feeding one input did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The loader refused it with an error (as it should refuse bad input).
    Refused,
    /// It loaded and (where there is one) its short run finished.
    Ran,
    /// A panic: in which stage, and its message.
    Panicked { stage: &'static str, message: String },
}

fn stage<R>(name: &'static str, f: impl FnOnce() -> R) -> Result<R, Outcome> {
    let last = || LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
    last();
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| Outcome::Panicked {
        stage: name,
        message: last().unwrap_or_default(),
    })
}

/// Shipped protocols by file, and scenarios by folder, loaded once.
#[derive(Default)]
pub struct Cache {
    protocols: Vec<(PathBuf, Arc<Protocol>)>,
    scenarios: Vec<(PathBuf, LoadedScenario)>,
}

impl Cache {
    fn protocol(&mut self, file: &Path) -> Arc<Protocol> {
        if let Some((_, p)) = self.protocols.iter().find(|(f, _)| f == file) {
            return p.clone();
        }
        let p = Arc::new(protocol::load_protocol(file).expect("shipped protocol").protocol);
        self.protocols.push((file.to_path_buf(), p.clone()));
        p
    }
    fn scenario(&mut self, dir: &Path) -> &LoadedScenario {
        if let Some(i) = self.scenarios.iter().position(|(d, _)| d == dir) {
            return &self.scenarios[i].1;
        }
        let sc = scenario::load_scenario(&dir.join("scenario.ron")).expect("shipped scenario");
        self.scenarios.push((dir.to_path_buf(), sc));
        &self.scenarios.last().expect("pushed").1
    }
}

/// A tiny stress run: a few children for a week, one replication on one thread.
fn tiny_stress(protocol: Arc<Protocol>, cl: caseload::LoadedCaseload) {
    let cl = cl.with_children(12).with_days(7);
    let opts = StressOptions {
        replications: 1,
        seed: 7,
        threads: Some(1),
    };
    let summary = stress::run(&[protocol], &cl, &opts, &|| {});
    let _ = caseload::report::to_text(&summary);
}

/// Feed the file at `path` (holding a `kind`) to its loader and, where it loads, a short run.
pub fn feed(kind: &Kind, path: &Path, cache: &mut Cache) -> Outcome {
    match stages(kind, path, cache) {
        Ok(o) | Err(o) => o,
    }
}

fn stages(kind: &Kind, path: &Path, cache: &mut Cache) -> Result<Outcome, Outcome> {
    match kind {
        Kind::Protocol => {
            let Ok(lp) = stage("protocol load", || protocol::load_protocol(path))? else {
                return Ok(Outcome::Refused);
            };
            let p = Arc::new(lp.protocol);
            let cl = stage("built-in caseload check", || {
                caseload::check_in_memory(&Caseload::default(), &[&*p])
            })?;
            if let Ok(cl) = cl {
                stage("stress run", || tiny_stress(p.clone(), cl))?;
            }
        }
        Kind::Scenario => {
            let Ok(sc) = stage("scenario load", || scenario::load_scenario(path))? else {
                return Ok(Outcome::Refused);
            };
            let Some(dir) = path.parent() else {
                return Ok(Outcome::Ran);
            };
            let script = Path::new(ROOT)
                .join("scenarios")
                .join(name(dir))
                .join("by-the-book.ron");
            let d = stage("decisions load", || scenario::load_decisions(&script, &sc))?;
            let d = match d {
                Ok(d) => d,
                Err(_) => stage("by-the-book", || run::by_the_book(&sc, 3))?,
            };
            stage("scenario run", || run::run(&sc, &d, 3).to_text())?;
        }
        Kind::Decisions(dir) => {
            let sc = cache.scenario(dir);
            let Ok(d) = stage("decisions load", || scenario::load_decisions(path, sc))? else {
                return Ok(Outcome::Refused);
            };
            stage("scenario run", || run::run(sc, &d, 3).to_text())?;
        }
        Kind::Caseload(with) => {
            let p = cache.protocol(with);
            let Ok(cl) = stage("caseload load", || caseload::load_caseload(path, &[&*p]))? else {
                return Ok(Outcome::Refused);
            };
            stage("stress run", || tiny_stress(p.clone(), cl))?;
        }
    }
    Ok(Outcome::Ran)
}

/// [`feed`] on a thread of the fuzzer's own (its panics kept, not printed).
pub fn quietly_feed(kind: &Kind, path: &Path, cache: &mut Cache) -> Outcome {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name(WORKER.into())
            .stack_size(64 << 20)
            .spawn_scoped(s, || quietly(|| feed(kind, path, cache)))
            .expect("start the fuzzer")
            .join()
            .expect("the fuzzer itself")
    })
}

/// A panic found, and where its input was kept.
#[derive(Debug)]
pub struct Crash {
    pub case: usize,
    pub kind: Kind,
    pub from: PathBuf,
    pub mutations: Vec<String>,
    pub kept: PathBuf,
    pub outcome: Outcome,
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Outcome::Panicked { stage, message } = &self.outcome else {
            return Ok(());
        };
        write!(
            f,
            "case {} ({}, from {}; {}): panic in {stage}: {message}\n  input kept as {}",
            self.case,
            self.kind.label(),
            self.from.strip_prefix(ROOT).unwrap_or(&self.from).display(),
            self.mutations.join("; "),
            self.kept.display()
        )
    }
}

/// Tallies of a run of the fuzzer.
#[derive(Debug, Default)]
pub struct Tally {
    pub cases: usize,
    pub refused: usize,
    pub ran: usize,
    pub crashes: Vec<Crash>,
}

/// The path a decision script or scenario must sit at to be read as the one it mutates (a
/// scenario in a folder of the same name, so its by-the-book script is found).
fn place(work: &Path, seed: &Seed) -> PathBuf {
    let dir = match &seed.kind {
        Kind::Scenario => work.join(seed.file.parent().map(name).unwrap_or_default()),
        _ => work.to_path_buf(),
    };
    std::fs::create_dir_all(&dir).expect("work folder");
    dir.join(seed.file.file_name().expect("file name"))
}

/// Run `cases` mutated inputs from `seed`, in this process (on a thread of its own, with a
/// roomy stack). Inputs that panic are kept in `work/crashes/`.
pub fn fuzz_in_process(
    seed: u64,
    cases: usize,
    work: &Path,
    progress: impl FnMut(usize, &Tally) + Send + 'static,
) -> Tally {
    let work = work.to_path_buf();
    std::thread::Builder::new()
        .name(WORKER.into())
        .stack_size(64 << 20)
        .spawn(move || quietly(|| fuzz_cases(seed, cases, &work, progress)))
        .expect("start the fuzzer")
        .join()
        .expect("the fuzzer itself")
}

fn fuzz_cases(seed: u64, cases: usize, work: &Path, mut progress: impl FnMut(usize, &Tally)) -> Tally {
    let corpus = corpus();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cache = Cache::default();
    let mut tally = Tally::default();
    let crashes = work.join("crashes");
    for case in 0..cases {
        let s = &corpus[case % corpus.len()];
        let mut bytes = s.bytes.clone();
        let mutations = mutate(&mut rng, &mut bytes);
        let path = place(work, s);
        std::fs::write(&path, &bytes).expect("write the input");
        let outcome = feed(&s.kind, &path, &mut cache);
        tally.cases += 1;
        match outcome {
            Outcome::Refused => tally.refused += 1,
            Outcome::Ran => tally.ran += 1,
            Outcome::Panicked { .. } => {
                std::fs::create_dir_all(&crashes).expect("crash folder");
                let from = s
                    .file
                    .parent()
                    .map(|d| d.file_name().unwrap_or_default().to_string_lossy().into_owned());
                let file = s.file.file_name().unwrap_or_default().to_string_lossy();
                let kept = crashes.join(format!("case-{case}-{}-{file}", from.unwrap_or_default()));
                std::fs::write(&kept, &bytes).expect("keep the input");
                tally.crashes.push(Crash {
                    case,
                    kind: s.kind.clone(),
                    from: s.file.clone(),
                    mutations,
                    kept,
                    outcome,
                });
            }
        }
        progress(case, &tally);
    }
    tally
}

/// Inputs that may abort rather than panic: brackets nested tens of thousands deep, a list of
/// millions of elements, a file over the size limit and one just under it. Each is `(what, bytes)`.
pub fn heavy_inputs(rng: &mut ChaCha8Rng, original: &[u8]) -> Vec<(String, Vec<u8>)> {
    let limit = safe_return::diag::MAX_SOURCE_BYTES as usize;
    let mut out = Vec::new();
    // At the start of a random line, so mostly outside quotes.
    let line_start = |rng: &mut ChaCha8Rng| {
        let at = rng.random_range(0..original.len());
        original[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
    };
    let insert = |at: usize, what: &[u8]| {
        let mut v = original.to_vec();
        v.splice(at..at, what.iter().copied());
        v
    };
    let n = rng.random_range(20_000..60_000);
    let at = line_start(rng);
    let open = if rng.random_bool(0.5) { "(" } else { "[" };
    out.push((
        format!("{n} × `{open}` at byte {at}"),
        insert(at, open.repeat(n).as_bytes()),
    ));
    let at = line_start(rng);
    let deep = format!("x: {}{},\n", "[".repeat(n), "]".repeat(n));
    out.push((
        format!("a field nested {n} deep, closed, at byte {at}"),
        insert(at, deep.as_bytes()),
    ));
    let at = line_start(rng);
    let elements = (limit - original.len()) / 2 - 16;
    let wide = format!("x: [{}],\n", "0,".repeat(elements));
    out.push((
        format!("a list of {elements} numbers at byte {at}"),
        insert(at, wide.as_bytes()),
    ));
    let mut over = original.to_vec();
    over.resize(limit + 1, b' ');
    out.push((format!("padded with spaces to {} bytes", limit + 1), over));
    let pad = limit - original.len() - 4;
    let under = format!("\n//{}\n", "x".repeat(pad));
    out.push((
        format!("padded with a comment to {limit} bytes"),
        insert(original.len(), under.as_bytes()),
    ));
    out
}

/// The command line that reads `file` as a `kind`, as a user would run it.
pub fn command_for(kind: &Kind, file: &Path) -> Vec<String> {
    let f = file.display().to_string();
    let args: Vec<&str> = match kind {
        Kind::Protocol => vec!["protocol", "validate", &f],
        Kind::Scenario => vec!["scenario", "validate", &f],
        Kind::Decisions(dir) => {
            return ["run", &dir.display().to_string(), "--decisions", &f]
                .map(String::from)
                .to_vec();
        }
        Kind::Caseload(with) => {
            let with = with.display().to_string();
            return [
                "stress",
                "--protocol",
                &with,
                "--caseload",
                &f,
                "--children",
                "5",
                "--days",
                "7",
                "--replications",
                "1",
                "--threads",
                "1",
            ]
            .map(String::from)
            .to_vec();
        }
    };
    args.into_iter().map(String::from).collect()
}

/// Run the program on `file` in a child process: `Err` says how it failed (a crash, a panic, an
/// exit other than 0 or 2, an error without a position, or no end within `limit`).
pub fn run_child(bin: &Path, kind: &Kind, file: &Path, limit: Duration) -> Result<i32, String> {
    let args = command_for(kind, file);
    let mut child = Command::new(bin)
        .args(&args)
        .current_dir(ROOT)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let t0 = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "`safe-return {}` did not finish in {} s",
                args.join(" "),
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = reader.join().unwrap_or_default();
    let first: String = err.lines().next().unwrap_or_default().chars().take(300).collect();
    let shown = format!("`safe-return {}`", args.join(" "));
    match status.code() {
        None => Err(format!("{shown} was killed ({status}): {first}")),
        Some(_) if err.contains("panicked") => Err(format!("{shown} panicked: {first}")),
        Some(0) => Ok(0),
        Some(2) => {
            // The error names a place in the file: `file:line:col: …`.
            let first_error = err
                .lines()
                .find(|l| !l.starts_with("warning:") && !l.starts_with("note:"));
            let placed = first_error
                .and_then(|l| l.split_once(".ron:"))
                .is_some_and(|(_, rest)| {
                    let mut nums = rest.splitn(3, ':');
                    nums.next().is_some_and(|n| n.parse::<usize>().is_ok())
                        && nums.next().is_some_and(|n| n.parse::<usize>().is_ok())
                });
            if placed {
                Ok(2)
            } else {
                Err(format!("{shown}: an error without a position: {first}"))
            }
        }
        Some(c) => Err(format!("{shown} exited with {c}: {first}")),
    }
}
