//! `sips-wallet completions SHELL`.

use std::io::Write;
use std::process::ExitCode;

use clap::ArgMatches;

use super::args::command;
use super::error::CliError;

/// Prints the completion script for `shell`.
pub(super) fn completions(sub: &ArgMatches) -> Result<ExitCode, CliError> {
    if let Some(shell) = sub.get_one::<clap_complete::Shell>("shell") {
        // Written whole at the end: clap_complete panics on a closed pipe.
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut command(), "sips-wallet", &mut script);
        let _ = std::io::stdout().write_all(&script);
    }
    Ok(ExitCode::SUCCESS)
}
