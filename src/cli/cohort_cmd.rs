//! `safe-return cohort SOURCE`: how a group of trainees did, rule by rule, from a folder of JSON
//! debriefs, a file of statements (`run --xapi`), or an LRS.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::records::cohort::{self, Attempt};
use crate::records::config;
use crate::records::lrs::Lrs;
use crate::records::statements::Ids;

fn read_source(source: &str, lrs_config: Option<&Path>) -> Result<(Vec<Attempt>, usize), ExitCode> {
    let bad = |m: String| {
        eprintln!("{m}");
        ExitCode::from(2)
    };
    if source.starts_with("http://") || source.starts_with("https://") {
        let settings = config::load(lrs_config).map_err(bad)?;
        let lrs = Lrs::new(source, &settings).map_err(|why| bad(format!("SOURCE: {why}")))?;
        let statements = lrs.fetch_all().map_err(|why| {
            eprintln!("{why}");
            ExitCode::from(1)
        })?;
        let ids = Ids {
            base: settings.activity_base.clone(),
        };
        let (attempts, unfinished) = cohort::from_statements(&statements, &ids);
        if attempts.is_empty() && unfinished == 0 && !statements.is_empty() {
            eprintln!(
                "note: none of the {} statements in {} is Safe Return's under the activity base {} \
                 (set activity_base in the learning records settings file to the one the records were made with)",
                statements.len(),
                lrs.endpoint(),
                ids.base
            );
        }
        return Ok((attempts, unfinished));
    }
    let path = PathBuf::from(source);
    if path.is_dir() {
        return cohort::from_folder(&path).map(|a| (a, 0)).map_err(|errors| {
            for e in errors {
                eprintln!("{e}");
            }
            ExitCode::from(2)
        });
    }
    if path.is_file() {
        let settings = config::load(lrs_config).map_err(bad)?;
        let statements = cohort::read_statement_lines(&path).map_err(bad)?;
        let ids = Ids {
            base: settings.activity_base.clone(),
        };
        return Ok(cohort::from_statements(&statements, &ids));
    }
    Err(bad(format!(
        "{}:1:1: there is no such folder or file: give a folder of debriefs (`safe-return run … --json`), \
         a file of statements (`run … --xapi FILE`) or an LRS address (https://…)",
        source.escape_debug()
    )))
}

pub fn cohort(source: &str, csv: bool, html: Option<&Path>, lrs_config: Option<&Path>) -> ExitCode {
    if let Some(h) = html
        && let Err(why) = super::stress_cmd::prepare_out_file(h, "cohort.html")
    {
        eprintln!("--html: {why}");
        return ExitCode::from(2);
    }
    let (attempts, unfinished) = match read_source(source, lrs_config) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let summary = cohort::summarise(source, &attempts, unfinished);
    if csv {
        print!("{}", cohort::render::csv(&summary));
    } else {
        print!("{}", cohort::render::text(&summary));
    }
    if let Some(h) = html {
        if let Err(e) = std::fs::write(h, cohort::html::page(&summary)) {
            eprintln!("{}: cannot write the page: {}", h.display(), crate::diag::io_words(&e));
            return ExitCode::from(2);
        }
        eprintln!("Wrote {}", h.display());
    }
    ExitCode::SUCCESS
}
