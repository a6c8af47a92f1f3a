//! Argument mistakes, reported as every other error is: masked (a card number typed where a flag
//! belongs is still a card number), as JSON under `--output json`, and with a flag suggested when
//! clap's spelling distance finds none but the typed name is part of one (`--wallet-id` for
//! `--merchant-wallet-id`).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// Whether the raw arguments ask for JSON (`--output json` or `--output=json`): read before clap
/// has parsed them, since an argument mistake stops parsing.
pub(super) fn wants_json(args: &[OsString]) -> bool {
    args.windows(2)
        .any(|pair| pair[0] == "--output" && pair[1] == "json")
        || args.iter().any(|a| a == "--output=json")
}

/// `error` with a suggested flag added when clap has none: the flags of the subcommand given (or of
/// the command) whose name, without dashes, holds the typed one.
pub(super) fn with_suggestion(mut error: clap::Error, args: &[OsString]) -> clap::Error {
    if error.kind() != ErrorKind::UnknownArgument || error.get(ContextKind::SuggestedArg).is_some()
    {
        return error;
    }
    let Some(ContextValue::String(typed)) = error.get(ContextKind::InvalidArg) else {
        return error;
    };
    let flat = |name: &str| -> String {
        name.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = flat(
        typed
            .trim_start_matches('-')
            .split('=')
            .next()
            .unwrap_or_default(),
    );
    if wanted.len() < 3 {
        return error;
    }
    let command = super::command();
    let subcommand = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|a| command.find_subcommand(a));
    let scope = subcommand.unwrap_or(&command);
    let holding: Vec<&str> = scope
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|long| flat(long).contains(&wanted))
        .collect();
    if let [only] = holding.as_slice() {
        error.insert(
            ContextKind::SuggestedArg,
            ContextValue::String(format!("--{only}")),
        );
    }
    error
}
