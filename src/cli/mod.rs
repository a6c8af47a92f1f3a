//! The `sips-wallet` command line (part of the binary, not of the library's API). One subcommand
//! per operation of the bundled WSDLs, made at run time from the operation tables
//! ([`contract::OPERATIONS`], [`inapp::OPERATIONS`]): adding an operation to `wsdl/` adds its
//! subcommand.
//!
//! Exit codes: 0 success (response code 00, or a change whose answer was lost proved applied, or in
//! effect, by reading), 1 a failed call or command (or an outcome still unknown), 2 a usage or
//! input error, 3 a call answered with a code other than 00, 4 a change whose answer was lost
//! proved not applied by reading.

use std::io::Write;
use std::process::ExitCode;

use clap::ArgMatches;
use sips_wallet::message::DynOperation;
use sips_wallet::Error;

/// `println!` with every card number masked (the library's one masker), that survives a closed
/// standard output (`sips-wallet … | head -1`): what could not be written is dropped, and the
/// command ends normally.
macro_rules! say {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stdout(), "{}", crate::cli::given().mask(&line));
    }};
}

/// `println!` for output whose parts were masked one by one (or shown on purpose, `--reveal`):
/// masking the joined line again would also mask digits that only meet across two values (the
/// `2.51` of an interfaceVersion before a merchant id).
macro_rules! say_unmasked {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` with every card number masked.
macro_rules! complain {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", crate::cli::given().mask(&line));
    }};
}

/// The card numbers and IBANs this run was given (flags, files, standard input): masked by value,
/// however they are spelled, in every line it prints or logs, on top of the masker's patterns.
static GIVEN: std::sync::LazyLock<std::sync::RwLock<sips_wallet::mask::Secrets>> =
    std::sync::LazyLock::new(Default::default);

/// What this run was given, to mask by value.
pub(crate) fn given() -> sips_wallet::mask::Secrets {
    GIVEN.read().map(|g| g.clone()).unwrap_or_default()
}

/// Remembers a card number or IBAN this run was given.
fn know(value: &str) {
    if let Ok(mut given) = GIVEN.write() {
        given.know(value);
    }
}

mod args;
mod calls;
mod completions;
mod contract;
mod error;
mod input;
mod opts;
mod seal;
mod serve;
mod usage;

pub use args::command;
use calls::operation_call;
use error::CliError;
use opts::Opts;

/// Every operation of every bundled contract: the wallet (SOAP or JSON) and In-App (JSON).
fn operations() -> impl Iterator<Item = &'static dyn DynOperation> {
    sips_wallet::contracts::operations()
}

/// Runs the command line; the process's exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) if !e.use_stderr() => {
            // --help, --version: no input of the user's in them.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let e = usage::with_suggestion(e, &args);
            let text = e.render().to_string();
            // Usage errors end with their own "(see --help)".
            let text = text
                .trim_end()
                .trim_end_matches("For more information, try '--help'.")
                .trim_end()
                .trim_start_matches("error: ");
            return report(CliError::Usage(text.to_string()), usage::wants_json(&args));
        }
    };
    let json = Opts::of(&matches).string("output") == Some("json");
    let outcome = match runtime(&matches) {
        Ok(runtime) => runtime.block_on(dispatch(&matches)),
        Err(source) => Err(CliError::Io {
            what: "cannot start the async runtime".into(),
            source,
        }),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => report(error, json),
    }
}

/// An error printed (as JSON under `--output json`), masked; its exit code.
fn report(error: CliError, json: bool) -> ExitCode {
    if json {
        let library = error.library();
        let out = serde_json::json!({
            "error": {
                "kind": error.kind(),
                "message": error.message(),
                "delivery": library.map(|e| format!("{:?}", e.delivery())),
                "status": library.and_then(Error::status),
            }
        });
        say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        complain!("error: {}", error.message());
    }
    error.exit_code()
}

/// The runtime a command runs on: one thread (a call, the tour, and `serve` by default: the
/// cheapest per call, measured), or `serve --threads N`.
fn runtime(matches: &ArgMatches) -> std::io::Result<tokio::runtime::Runtime> {
    let threads = matches
        .subcommand_matches("serve")
        .and_then(|serve| serve.get_one::<u64>("threads").copied())
        .unwrap_or(1);
    let mut builder = match threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut multi = tokio::runtime::Builder::new_multi_thread();
            multi.worker_threads(usize::try_from(n).unwrap_or(1));
            multi
        }
    };
    builder.enable_all().build()
}

async fn dispatch(matches: &ArgMatches) -> Result<ExitCode, CliError> {
    let opts = Opts::of(matches);
    match matches.subcommand() {
        Some(("seal", sub)) => seal::seal_command(opts, sub),
        Some(("serve", sub)) => serve::serve(opts, sub).await,
        Some(("contract", sub)) => match sub.subcommand() {
            Some(("check", check)) => contract::contract_check(check).await,
            _ => Err(CliError::Usage("try `sips-wallet contract check`".into())),
        },
        Some(("completions", sub)) => completions::completions(sub),
        Some((name, sub)) => {
            let operation = operations()
                .find(|o| o.info().command == name)
                .ok_or_else(|| CliError::Usage(format!("no operation `{name}`")))?;
            operation_call(operation, opts, sub).await
        }
        None => tour().await,
    }
}

async fn tour() -> Result<ExitCode, CliError> {
    say!("sips-wallet guided tour: the real client against the bundled simulator, over HTTP on loopback.");
    say!("(`sips-wallet --help` lists the commands.)\n");
    let report = crate::tour::run().await?;
    let _ = write!(std::io::stdout(), "{}", report.text);
    Ok(if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
