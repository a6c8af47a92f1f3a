//! The binary's own errors: what the user typed, what they pointed at, what the system refused, or
//! what the library said. Each has its exit code and a stable kind for `--output json`.

use std::process::ExitCode;

use sips_wallet::Error;

/// Exit code for a usage error: a bad flag, field or setting.
pub(super) const EXIT_USAGE: u8 = 2;
/// Exit code for a call that was answered with a code other than 00.
pub(super) const EXIT_NOT_SUCCESS: u8 = 3;
/// Exit code for a change whose outcome was unknown, found not applied by reading.
pub(super) const EXIT_NOT_APPLIED: u8 = 4;

/// Why a command failed.
#[derive(Debug)]
pub(super) enum CliError {
    /// A flag or setting cannot work as given (exit 2). The text says which and how to fix it.
    Usage(String),
    /// What the user pointed at (a file, standard input, a saved contract) cannot be read or is
    /// not what it should be (exit 2).
    Input(String),
    /// The system refused (a port to listen on, a file to write): exit 1.
    Io {
        /// What was being done.
        what: String,
        /// Why not.
        source: std::io::Error,
    },
    /// The library's error: exit 2 for a field or a setting, 1 for a call that failed.
    Library(Error),
}

impl From<Error> for CliError {
    fn from(error: Error) -> CliError {
        CliError::Library(error)
    }
}

impl CliError {
    pub(super) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_) | CliError::Input(_) => EXIT_USAGE,
            CliError::Io { .. } => 1,
            CliError::Library(
                Error::InvalidField { .. } | Error::FieldTooNew { .. } | Error::Config(_),
            ) => EXIT_USAGE,
            CliError::Library(_) => 1,
        })
    }

    /// The error and its causes on one line.
    pub(super) fn message(&self) -> String {
        match self {
            CliError::Usage(text) => format!("{text} (see --help)"),
            CliError::Input(text) => format!("input: {text}"),
            CliError::Io { what, source } => format!("{what}: {source}"),
            CliError::Library(error) => error.chain(),
        }
    }

    /// A stable name for each kind of error, for `--output json`.
    pub(super) fn kind(&self) -> &'static str {
        let error = match self {
            CliError::Usage(_) => return "usage",
            CliError::Input(_) => return "input",
            CliError::Io { .. } => return "io",
            CliError::Library(error) => error,
        };
        error.kind()
    }

    /// The library's error, if it is one.
    pub(super) fn library(&self) -> Option<&Error> {
        match self {
            CliError::Library(error) => Some(error),
            _ => None,
        }
    }
}
