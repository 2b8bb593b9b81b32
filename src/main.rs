use std::process::ExitCode;

use clap::Parser;
use safe_return::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = run(&cli) {
        return code;
    }
    #[cfg(feature = "gui")]
    {
        safe_return::ui::launch(&cli)
    }
    #[cfg(not(feature = "gui"))]
    {
        eprintln!("safe-return was built without the `gui` feature; use a subcommand (see --help)");
        ExitCode::from(2)
    }
}
