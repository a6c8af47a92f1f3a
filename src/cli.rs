//! The `sips-wallet` command line (part of the binary, not of the library's API). One subcommand
//! per operation of the bundled WSDLs, made at run time from the operation tables
//! ([`contract::OPERATIONS`], [`inapp::OPERATIONS`]): adding an operation to `wsdl/` adds its
//! subcommand.
//!
//! Exit codes: 0 success (response code 00), 1 a failed call or command, 2 a usage error (a flag,
//! a field or the configuration), 3 a call answered with a code other than 00.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use sips_wallet::contract::{self, SENSITIVE_FIELDS};
use sips_wallet::mask::{mask_pan, mask_text};
use sips_wallet::message::{DynOperation, FieldKind, Occurs};
use sips_wallet::seal::{self, Algorithm, SecretKey, Value};
use sips_wallet::{inapp, Binding, Environment, Error, Reply, Verification, WalletClient};

/// `println!` with every card number masked (the library's one masker), that survives a closed
/// standard output (`sips-wallet … | head -1`): what could not be written is dropped, and the
/// command ends normally.
macro_rules! say {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stdout(), "{}", sips_wallet::mask::mask_text(&line));
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
        let _ = writeln!(std::io::stderr(), "{}", sips_wallet::mask::mask_text(&line));
    }};
}

/// Fields the client fills from the credentials: no flag of their own.
const CREDENTIAL_FIELDS: &[&str] = &["merchantId", "keyVersion", "seal", "sealAlgorithm"];

/// Exit code for a usage error: a bad flag, field or setting.
const EXIT_USAGE: u8 = 2;
/// Exit code for a call that was answered with a code other than 00.
const EXIT_NOT_SUCCESS: u8 = 3;

const CONNECTION: &str = "Connection";
const OUTPUT: &str = "Output";

/// Every operation of every bundled contract: the wallet (SOAP or JSON) and In-App (JSON).
fn operations() -> impl Iterator<Item = &'static dyn DynOperation> {
    contract::OPERATIONS
        .iter()
        .chain(inapp::OPERATIONS)
        .copied()
}

/// The flag for a field: `merchantWalletId` → `merchant-wallet-id`.
fn flag_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The merchant's credentials: for calls, `seal` and `serve`.
fn credential_args(heading: &'static str) -> Vec<Arg> {
    vec![
        Arg::new("merchant-id")
            .long("merchant-id")
            .env("SIPS_MERCHANT_ID")
            .help_heading(heading)
            .help("merchantId of the shop"),
        Arg::new("key-version")
            .long("key-version")
            .env("SIPS_KEY_VERSION")
            .help_heading(heading)
            .help("keyVersion of the secret key"),
        Arg::new("secret-key-file")
            .long("secret-key-file")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help_heading(heading)
            .help("file holding the secret key (else SIPS_SECRET_KEY; never a plain argument)"),
    ]
}

fn seal_algorithm_arg() -> Arg {
    Arg::new("seal-algorithm")
        .long("seal-algorithm")
        .value_parser(["HMAC-SHA-256", "HMAC-SHA-512", "SHA-256"])
        .default_value("HMAC-SHA-256")
        .help_heading(CONNECTION)
        .help("seal algorithm")
}

fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .value_parser(["text", "json"])
        .default_value("text")
        .help_heading(OUTPUT)
        .help("text, or one JSON object on standard output (errors included)")
}

/// What a call needs to reach the bank: on the root command and on each operation's.
fn connection_args() -> Vec<Arg> {
    let mut args = credential_args(CONNECTION);
    args.extend([
        seal_algorithm_arg(),
        Arg::new("env")
            .long("env")
            .value_parser(
                Environment::NAMED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>(),
            )
            .help_heading(CONNECTION)
            .help("a named platform (default sogenactif-test)"),
        Arg::new("url")
            .long("url")
            .conflicts_with("env")
            .help_heading(CONNECTION)
            .help("a base URL instead of --env (https, or http to a loopback address)"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(u64).range(1..))
            .default_value("30")
            .help_heading(CONNECTION)
            .help("seconds for a whole call (at least 1)"),
        Arg::new("binding")
            .long("binding")
            .value_parser(["soap", "json"])
            .default_value("soap")
            .help_heading(CONNECTION)
            .help("how wallet functions travel: SOAP envelopes or JSON objects"),
        output_arg(),
    ]);
    args
}

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("sips-wallet")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Sips 2.0 (Sogenactif) Office Server wallet client, with a local simulator.")
        .long_about(
            "Sips 2.0 (Sogenactif) Office Server wallet client, with a local simulator.\n\n\
             With no command, a guided tour runs the client against the bundled simulator.\n\
             Secrets: the secret key comes from SIPS_SECRET_KEY or --secret-key-file, card numbers \
             from standard input or a file; neither should be a plain argument (it shows in `ps`).\n\
             Exit codes: 0 success, 1 failure, 2 usage error, 3 answered with a code other than 00.",
        )
        .args(connection_args());
    for operation in operations() {
        cmd = cmd.subcommand(operation_command(operation));
    }
    cmd.subcommand(serve_command())
        .subcommand(
            Command::new("seal")
                .about("Explains a seal: the fields in seal order, the sealed string, the seal")
                .args(credential_args(CONNECTION))
                .arg(seal_algorithm_arg())
                .arg(output_arg())
                .arg(
                    Arg::new("file")
                        .help("a JSON message or a SOAP envelope (default: standard input)"),
                )
                .arg(
                    Arg::new("expect")
                        .long("expect")
                        .help("a seal to compare with"),
                )
                .arg(
                    Arg::new("reveal")
                        .long("reveal")
                        .action(ArgAction::SetTrue)
                        .help("show card numbers in clear in the sealed string"),
                ),
        )
        .subcommand(
            Command::new("contract")
                .about("The contract this build speaks, against what a service publishes")
                .subcommand_required(true)
                .subcommand(
                    Command::new("check")
                        .about("Compares the built-in contract with a service's ?wsdl (or a saved copy): exit 0 when they match, 3 when they differ")
                        .arg(
                            Arg::new("env")
                                .long("env")
                                .value_parser(
                                    Environment::NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                                )
                                .help("a named platform (default sogenactif-test)"),
                        )
                        .arg(
                            Arg::new("url")
                                .long("url")
                                .conflicts_with("env")
                                .help("a base URL: its /services/v2/wallet?wsdl is fetched"),
                        )
                        .arg(
                            Arg::new("file")
                                .long("file")
                                .value_name("WSDL")
                                .value_parser(clap::value_parser!(PathBuf))
                                .conflicts_with_all(["env", "url"])
                                .help("a saved WSDL (its XSDs beside it, named as its schemaLocations end)"),
                        )
                        .arg(
                            Arg::new("timeout")
                                .long("timeout")
                                .value_name("SECONDS")
                                .value_parser(clap::value_parser!(u64).range(1..))
                                .default_value("30")
                                .help("seconds to fetch and read the contract"),
                        ),
                ),
        )
        .subcommand(
            Command::new("completions")
                .about("Prints a shell completion script (e.g. `sips-wallet completions bash > /etc/bash_completion.d/sips-wallet`)")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

fn operation_command(operation: &'static dyn DynOperation) -> Command {
    let info = operation.info();
    let mut cmd = Command::new(info.command)
        .about(first_sentence(info.documentation))
        .long_about(info.documentation)
        .args(connection_args())
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help_heading(OUTPUT)
                .help("print the sealed request instead of sending it"),
        );
    for field in operation.request_fields() {
        if CREDENTIAL_FIELDS.contains(&field.name)
            || !matches!(field.kind, FieldKind::Text | FieldKind::Enum { .. })
        {
            continue;
        }
        let mut help = first_sentence(field.documentation).to_string();
        if field.occurs == Occurs::Required && field.name != "interfaceVersion" {
            help.push_str(" [required]");
        }
        if field.name == "interfaceVersion" {
            if let Some(v) = info.recommended_interface_version {
                help.push_str(&format!(" [default: {v}]"));
            }
        }
        let sensitive = SENSITIVE_FIELDS.contains(&field.name);
        if sensitive {
            help.push_str(" (`-` reads it from standard input)");
        }
        let mut arg = Arg::new(field.name).long(flag_name(field.name)).help(help);
        if let FieldKind::Enum { values, .. } = field.kind {
            let values: Vec<&'static str> =
                values.iter().copied().filter(|v| !v.is_empty()).collect();
            arg = arg
                .value_parser(clap::builder::PossibleValuesParser::new(values))
                .hide_possible_values(values_too_many(field.kind));
        }
        cmd = cmd.arg(arg);
        if sensitive {
            let file = format!("{}-file", flag_name(field.name));
            cmd = cmd.arg(
                Arg::new(file.clone())
                    .long(file)
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .conflicts_with(field.name)
                    .help(format!("read {} from this file", field.name)),
            );
        }
    }
    cmd
}

fn values_too_many(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Enum { values, .. } if values.len() > 8)
}

/// The first sentence of a documentation string; "e.g." and "i.e." do not end one.
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find(". ") {
        let end = from + at;
        let before = &text[..end];
        if before.ends_with("e.g") || before.ends_with("i.e") {
            from = end + 2;
            continue;
        }
        return before;
    }
    text.trim_end_matches('.')
}

/// Runs the command line; the process's exit code.
pub async fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let json = Opts::of(&matches).string("output") == Some("json");
    match dispatch(&matches).await {
        Ok(code) => code,
        Err(error) => {
            if json {
                let out = serde_json::json!({
                    "error": {
                        "kind": kind(&error),
                        "message": error.chain(),
                        "delivery": format!("{:?}", error.delivery()),
                        "status": error.status(),
                    }
                });
                say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            } else {
                complain!("error: {}", error.chain());
            }
            ExitCode::from(if is_usage(&error) { EXIT_USAGE } else { 1 })
        }
    }
}

/// Errors in what the user gave: a field, a setting, the credentials.
fn is_usage(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidField { .. } | Error::FieldTooNew { .. } | Error::Config(_)
    )
}

/// A stable name for each kind of error, for `--output json`.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::InvalidField { .. } => "invalid_field",
        Error::FieldTooNew { .. } => "field_too_new",
        Error::Config(_) => "configuration",
        Error::Connect { .. } => "connect",
        Error::Transport { .. } => "transport",
        Error::Timeout(_) => "timeout",
        Error::Envelope { .. } => "unreadable_response",
        Error::Json { .. } => "unreadable_json",
        Error::Fault { .. } => "soap_fault",
        Error::SealMismatch { .. } => "seal_mismatch",
        Error::MissingSeal { .. } => "missing_seal",
        Error::Http { .. } => "http_status",
        Error::BodyTooLarge { .. } => "body_too_large",
        _ => "other",
    }
}

/// A subcommand's options, falling back to the root command's (`sips-wallet --url … add-card`).
#[derive(Clone, Copy)]
struct Opts<'a> {
    sub: &'a ArgMatches,
    root: &'a ArgMatches,
}

impl<'a> Opts<'a> {
    fn of(root: &'a ArgMatches) -> Opts<'a> {
        let sub = root.subcommand().map_or(root, |(_, sub)| sub);
        Opts { sub, root }
    }

    /// The matches that hold `id`: the subcommand's when given there (flag or environment), else
    /// the root's when given there, else the subcommand's default.
    fn source(&self, id: &str) -> &'a ArgMatches {
        let given = |m: &ArgMatches| {
            matches!(
                m.try_contains_id(id).ok().and_then(|_| m.value_source(id)),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        if given(self.sub) || !given(self.root) {
            self.sub
        } else {
            self.root
        }
    }

    fn string(&self, id: &str) -> Option<&'a str> {
        self.source(id)
            .try_get_one::<String>(id)
            .ok()
            .flatten()
            .map(String::as_str)
    }

    fn path(&self, id: &str) -> Option<&'a PathBuf> {
        self.source(id).try_get_one::<PathBuf>(id).ok().flatten()
    }

    fn number(&self, id: &str) -> Option<u64> {
        self.source(id)
            .try_get_one::<u64>(id)
            .ok()
            .flatten()
            .copied()
    }
}

async fn dispatch(matches: &ArgMatches) -> Result<ExitCode, Error> {
    let opts = Opts::of(matches);
    match matches.subcommand() {
        Some(("seal", sub)) => seal_command(opts, sub),
        Some(("serve", sub)) => serve(opts, sub).await,
        Some(("contract", sub)) => match sub.subcommand() {
            Some(("check", check)) => contract_check(check).await,
            _ => Err(Error::Config("try `sips-wallet contract check`".into())),
        },
        Some(("completions", sub)) => {
            if let Some(shell) = sub.get_one::<clap_complete::Shell>("shell") {
                // Written whole at the end: clap_complete panics on a closed pipe.
                let mut script = Vec::new();
                clap_complete::generate(*shell, &mut command(), "sips-wallet", &mut script);
                let _ = std::io::stdout().write_all(&script);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some((name, sub)) => {
            let operation = operations()
                .find(|o| o.info().command == name)
                .ok_or_else(|| Error::Config(format!("no operation `{name}`")))?;
            operation_call(operation, opts, sub).await
        }
        None => tour().await,
    }
}

fn serve_command() -> Command {
    let seconds = || clap::value_parser!(u64).range(1..);
    Command::new("serve")
        .args(credential_args("Merchant (also from SIPS_* variables)"))
        .about("Runs the local wallet simulator (SOAP at /services/v2/wallet, WSDL at ?wsdl)")
        .long_about(
            "Runs the local wallet simulator (SOAP at /services/v2/wallet, WSDL at ?wsdl).\n\n\
             Merchants: the demo merchant, each --merchant, and the merchant of SIPS_MERCHANT_ID, \
             SIPS_KEY_VERSION and SIPS_SECRET_KEY when they are set. A merchant with the demo \
             merchant's id replaces it. One line per call is logged at info (RUST_LOG).",
        )
        .arg(
            Arg::new("listen")
                .long("listen")
                .default_value("127.0.0.1:7070")
                .help("address to listen on"),
        )
        .arg(
            Arg::new("merchant")
                .long("merchant")
                .action(ArgAction::Append)
                .value_name("ID:KEYVERSION:KEY-FILE")
                .help("a merchant's key, repeatable (several key versions of one id simulate a rotation)"),
        )
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("keep the wallets in this SQLite file (one simulator per file)"),
        )
        .arg(
            Arg::new("scenario")
                .long("scenario")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("play the rules of this TOML file (answers, delays, dropped connections)"),
        )
        .arg(
            Arg::new("publish-wsdl")
                .long("publish-wsdl")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("publish this folder's wallet.wsdl and XSDs at ?wsdl instead of the built-in contract"),
        )
        .arg(
            Arg::new("latency")
                .long("latency")
                .value_name("MS")
                .value_parser(clap::value_parser!(u64))
                .default_value("0")
                .help("milliseconds to wait before each answer"),
        )
        .arg(
            Arg::new("fail-rate")
                .long("fail-rate")
                .value_name("SHARE")
                .value_parser(fail_rate)
                .default_value("0")
                .help("share of requests (0 to 1) answered 99 or dropped, at random"),
        )
        .arg(
            Arg::new("header-timeout")
                .long("header-timeout")
                .value_name("SECONDS")
                .value_parser(seconds())
                .default_value("30")
                .help("close a connection that takes longer to send a request's headers (or stays idle)"),
        )
        .arg(
            Arg::new("request-timeout")
                .long("request-timeout")
                .value_name("SECONDS")
                .value_parser(seconds())
                .default_value("60")
                .help("close a connection whose request is not answered within this"),
        )
        .arg(
            Arg::new("max-connections")
                .long("max-connections")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..=100_000))
                .default_value("512")
                .help("connections served at once; beyond, a 503"),
        )
}

fn fail_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a share from 0 to 1 (e.g. 0.05)")),
    }
}

/// The merchant of SIPS_MERCHANT_ID / SIPS_KEY_VERSION / SIPS_SECRET_KEY (or their flags), if a
/// key is given.
fn merchant_from_credentials(
    opts: Opts<'_>,
) -> Result<Option<sips_wallet::simulator::Merchant>, Error> {
    let key_given =
        opts.path("secret-key-file").is_some() || std::env::var_os("SIPS_SECRET_KEY").is_some();
    if !key_given {
        return Ok(None);
    }
    Ok(Some(sips_wallet::simulator::Merchant {
        id: required(opts, "merchant-id", "SIPS_MERCHANT_ID")?,
        key_version: required(opts, "key-version", "SIPS_KEY_VERSION")?,
        key: secret_key(opts)?,
    }))
}

async fn serve(opts: Opts<'_>, matches: &ArgMatches) -> Result<ExitCode, Error> {
    use sips_wallet::simulator::{
        Merchant, Scenario, Simulator, SimulatorConfig, DEMO_MERCHANT_ID,
    };
    let seconds = |name| Duration::from_secs(*matches.get_one::<u64>(name).unwrap_or(&30));
    let mut config = SimulatorConfig::default()
        .latency(Duration::from_millis(
            *matches.get_one::<u64>("latency").unwrap_or(&0),
        ))
        .fail_rate(*matches.get_one::<f64>("fail-rate").unwrap_or(&0.0))
        .header_read_timeout(seconds("header-timeout"))
        .request_timeout(seconds("request-timeout"))
        .max_connections(*matches.get_one::<u64>("max-connections").unwrap_or(&512) as usize);
    if let Some(path) = matches.get_one::<PathBuf>("state") {
        config = config.state_file(path);
    }
    if let Some(dir) = matches.get_one::<PathBuf>("publish-wsdl") {
        config = config.published_contract(contract_folder(dir)?);
    }
    if let Some(path) = matches.get_one::<PathBuf>("scenario") {
        let scenario = Scenario::load(path).map_err(|e| Error::Config(e.to_string()))?;
        config = config.scenario(scenario);
    }
    if let Some(merchant) = merchant_from_credentials(opts)? {
        config = config.merchant(merchant);
    }
    for spec in matches.get_many::<String>("merchant").into_iter().flatten() {
        let mut parts = spec.splitn(3, ':');
        let (Some(id), Some(key_version), Some(file)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Config(format!(
                "--merchant {spec}: expected ID:KEYVERSION:KEY-FILE"
            )));
        };
        let key = SecretKey::from_file(std::path::Path::new(file)).map_err(|e| {
            Error::Config(format!(
                "--merchant {id}: cannot read the key file {file}: {e}"
            ))
        })?;
        config = config.merchant(Merchant {
            id: id.into(),
            key_version: key_version.into(),
            key,
        });
    }
    let listen = matches
        .get_one::<String>("listen")
        .map(String::as_str)
        .unwrap_or("127.0.0.1:7070");
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|e| Error::Config(format!("--listen {listen}: {e}")))?;
    let signals = StopSignals::listen();
    let merchants = config.merchants();
    let has_demo = config.has_demo_merchant();
    let simulator = Simulator::start(config, addr)
        .await
        .map_err(|e| Error::Config(e.to_string()))?;
    say!(
        "Sips wallet simulator on {}/services/v2/wallet (WSDL: ?wsdl)",
        simulator.base_url()
    );
    let mut ids: Vec<&str> = merchants.iter().map(|m| m.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let versions: Vec<&str> = merchants
            .iter()
            .filter(|m| m.id == id)
            .map(|m| m.key_version.as_str())
            .collect();
        let demo = if id == DEMO_MERCHANT_ID && has_demo {
            format!(
                " (demo: SIPS_MERCHANT_ID={id} SIPS_KEY_VERSION={} SIPS_SECRET_KEY={})",
                sips_wallet::simulator::DEMO_KEY_VERSION,
                sips_wallet::simulator::DEMO_SECRET_KEY
            )
        } else {
            String::new()
        };
        say!("Merchant {id}, key version {}{demo}", versions.join(", "));
    }
    match matches.get_one::<PathBuf>("state") {
        Some(path) => say!("State: {} (SQLite)", path.display()),
        None => say!("State: in memory"),
    }
    let stop = signals.wait().await;
    say!("{stop}: finishing the calls in flight (at most 10 s)");
    if simulator.shutdown(Duration::from_secs(10)).await {
        say!("stopped");
        Ok(ExitCode::SUCCESS)
    } else {
        say!("stopped with calls still in flight");
        Ok(ExitCode::FAILURE)
    }
}

/// The `.wsdl` and `.xsd` files of a folder, by name.
fn contract_folder(dir: &std::path::Path) -> Result<Vec<(String, String)>, Error> {
    let unreadable = |e: std::io::Error| Error::Config(format!("{}: {e}", dir.display()));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".wsdl") || name.ends_with(".xsd") {
            files.push((name, std::fs::read_to_string(&path).map_err(unreadable)?));
        }
    }
    if !files.iter().any(|(n, _)| n.ends_with(".wsdl")) {
        return Err(Error::Config(format!(
            "{}: no .wsdl file there",
            dir.display()
        )));
    }
    Ok(files)
}

/// Ctrl-C and, on Unix, SIGTERM: listened to from creation, so a signal that comes while the
/// server starts is not lost (nor fatal).
struct StopSignals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn listen() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            StopSignals {
                unix: signal(SignalKind::interrupt())
                    .and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
                    .ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// Which one came.
    async fn wait(self) -> &'static str {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.unix {
            return tokio::select! {
                _ = interrupt.recv() => "interrupted",
                _ = terminate.recv() => "terminated",
            };
        }
        let _ = tokio::signal::ctrl_c().await;
        "interrupted"
    }
}

async fn tour() -> Result<ExitCode, Error> {
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

fn secret_key(opts: Opts<'_>) -> Result<SecretKey, Error> {
    if let Some(path) = opts.path("secret-key-file") {
        return SecretKey::from_file(path).map_err(|e| {
            Error::Config(format!(
                "cannot read the secret key file {}: {e}",
                path.display()
            ))
        });
    }
    match std::env::var("SIPS_SECRET_KEY") {
        Ok(key) => SecretKey::new(key).map_err(|e| Error::Config(format!("SIPS_SECRET_KEY: {e}"))),
        Err(_) => Err(Error::Config(
            "no secret key: set SIPS_SECRET_KEY or pass --secret-key-file".into(),
        )),
    }
}

fn algorithm(opts: Opts<'_>) -> Algorithm {
    opts.string("seal-algorithm")
        .and_then(Algorithm::from_name)
        .unwrap_or_default()
}

/// A client from the connection options.
fn client_from(opts: Opts<'_>) -> Result<WalletClient, Error> {
    let mut builder = WalletClient::builder()
        .merchant_id(required(opts, "merchant-id", "SIPS_MERCHANT_ID")?)
        .key_version(required(opts, "key-version", "SIPS_KEY_VERSION")?)
        .secret_key(secret_key(opts)?)
        .seal_algorithm(algorithm(opts))
        .timeout(Duration::from_secs(opts.number("timeout").unwrap_or(30)))
        .binding(match opts.string("binding") {
            Some("json") => Binding::Json,
            _ => Binding::Soap,
        });
    if let Some(url) = opts.string("url") {
        builder = builder.base_url(url);
    } else if let Some(env) = opts.string("env").and_then(Environment::from_name) {
        builder = builder.environment(env);
    }
    builder.build()
}

fn required(opts: Opts<'_>, flag: &str, env: &str) -> Result<String, Error> {
    opts.string(flag)
        .map(str::to_string)
        .ok_or_else(|| Error::Config(format!("--{flag} (or {env}) is required")))
}

/// A card-data field's value: `-` reads standard input, `--…-file` a file; a plain argument works
/// but is visible in `ps` and the shell's history, so it is warned about.
fn sensitive_value(matches: &ArgMatches, field: &str) -> Result<Option<String>, Error> {
    let flag = flag_name(field);
    let trimmed = |text: String| text.trim_end_matches(['\r', '\n']).to_string();
    if let Some(path) = matches
        .try_get_one::<PathBuf>(&format!("{flag}-file"))
        .ok()
        .flatten()
    {
        return std::fs::read_to_string(path)
            .map(|t| Some(trimmed(t)))
            .map_err(|e| Error::Config(format!("--{flag}-file {}: {e}", path.display())));
    }
    match matches.try_get_one::<String>(field).ok().flatten() {
        None => Ok(None),
        Some(dash) if dash == "-" => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                Error::Config(format!("--{flag} -: cannot read standard input: {e}"))
            })?;
            Ok(Some(trimmed(text)))
        }
        Some(value) => {
            complain!(
                "warning: --{flag} on the command line is visible in `ps` and the shell's history; \
                 use `--{flag} -` (standard input) or --{flag}-file"
            );
            Ok(Some(value.clone()))
        }
    }
}

async fn operation_call(
    operation: &'static dyn DynOperation,
    opts: Opts<'_>,
    matches: &ArgMatches,
) -> Result<ExitCode, Error> {
    let client = client_from(opts)?;
    let mut values: Vec<(&str, String)> = Vec::new();
    for field in operation.request_fields() {
        let value = if SENSITIVE_FIELDS.contains(&field.name) {
            sensitive_value(matches, field.name)?
        } else {
            matches
                .try_get_one::<String>(field.name)
                .ok()
                .flatten()
                .cloned()
        };
        if let Some(value) = value {
            values.push((field.name, value));
        }
    }
    let fields: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if matches.get_flag("dry-run") {
        let prepared = sips_wallet::dynamic::prepare(&client, operation, &fields)?;
        let _ = write!(std::io::stdout(), "{}", prepared.body);
        return Ok(ExitCode::SUCCESS);
    }
    let reply = sips_wallet::dynamic::call(&client, operation, &fields).await?;
    print_reply(operation, &reply, opts.string("output") == Some("json"));
    Ok(if reply.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_SUCCESS)
    })
}

fn print_reply(operation: &'static dyn DynOperation, reply: &Reply<Value>, json: bool) {
    let verified = matches!(reply.verification, Verification::Verified);
    if json {
        let out = serde_json::json!({
            "operation": operation.info().name,
            "responseCode": reply.code,
            "meaning": reply.code_meaning,
            "sealVerified": verified,
            "durationMs": reply.exchange.duration.as_millis() as u64,
            "response": reply.response.to_json(),
        });
        say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return;
    }
    say!(
        "{}: {} {} (seal {}, {} ms)",
        operation.info().name,
        reply.code.as_deref().unwrap_or("--"),
        reply.code_meaning.unwrap_or("(code not in the contract)"),
        if verified {
            "verified"
        } else {
            "absent: unverified"
        },
        reply.exchange.duration.as_millis()
    );
    print_value(&reply.response, "  ");
}

fn print_value(value: &Value, indent: &str) {
    if let Value::Object(fields) = value {
        for (name, field) in fields {
            match field {
                Value::Text(t) => say!("{indent}{name}: {t}"),
                Value::Object(_) => {
                    say!("{indent}{name}:");
                    print_value(field, &format!("{indent}  "));
                }
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        say!("{indent}{name}[{i}]:");
                        print_value(item, &format!("{indent}  "));
                    }
                }
            }
        }
    }
}

fn seal_command(opts: Opts<'_>, matches: &ArgMatches) -> Result<ExitCode, Error> {
    let mut input = String::new();
    match matches.get_one::<String>("file") {
        Some(path) if path != "-" => {
            input = std::fs::read_to_string(path)
                .map_err(|e| Error::Config(format!("cannot read {path}: {e}")))?;
        }
        _ => {
            if std::io::stdin().is_terminal() {
                complain!("reading a JSON message or a SOAP envelope from standard input (Ctrl-D ends it)");
            }
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| Error::Config(format!("cannot read standard input: {e}")))?;
        }
    }
    let message =
        sips_wallet::dynamic::read_message(&input).map_err(|e| Error::Config(e.to_string()))?;
    let key = secret_key(opts)?;
    let algorithm = algorithm(opts);
    let reveal = matches.get_flag("reveal");
    let fields = message.sealed_fields();
    let shown: Vec<(String, String)> = fields
        .iter()
        .map(|(path, value)| {
            let leaf = path.rsplit('.').next().unwrap_or(path);
            let leaf = leaf.split('[').next().unwrap_or(leaf);
            let display = if reveal {
                value.clone()
            } else if SENSITIVE_FIELDS.contains(&leaf) {
                mask_pan(value)
            } else {
                mask_text(value).into_owned()
            };
            (path.clone(), display)
        })
        .collect();
    let shown_string: String = shown.iter().map(|(_, v)| v.as_str()).collect();
    let data: String = fields.iter().map(|(_, v)| v.as_str()).collect();
    let computed = seal::compute(algorithm, &key, &data);
    let received = message.text("seal").filter(|s| !s.is_empty());
    let expect = matches.get_one::<String>("expect").map(String::as_str);
    let expected = expect.or(received);
    let expected_shown = expected.map(|e| if reveal { e.into() } else { mask_text(e) });
    let matched = expected.map(|e| seal::verify(algorithm, &key, &data, e));
    if opts.string("output") == Some("json") {
        let out = serde_json::json!({
            "fields": shown
                .iter()
                .map(|(path, value)| serde_json::json!({ "path": path, "value": value }))
                .collect::<Vec<_>>(),
            "sealedString": shown_string,
            "cardNumbersMasked": !reveal && shown_string != data,
            "algorithm": algorithm.as_str(),
            "seal": computed,
            "expected": expected_shown,
            "expectedFrom": if expect.is_some() { Some("--expect") } else if received.is_some() { Some("message") } else { None },
            "matches": matched,
        });
        say_unmasked!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        say_unmasked!(
            "Fields in seal order (keyVersion, sealAlgorithm and seal are never sealed):"
        );
        for (path, display) in &shown {
            say_unmasked!("  {path} = {display}");
        }
        say_unmasked!(
            "Sealed string{}:",
            if reveal || shown_string == data {
                ""
            } else {
                " (card numbers masked; --reveal shows them)"
            }
        );
        say_unmasked!("  {shown_string}");
        say_unmasked!("Seal ({algorithm}):");
        say_unmasked!("  {computed}");
        match (expected, matched) {
            (Some(_), Some(true)) => say_unmasked!(
                "Matches {}.",
                if expect.is_some() {
                    "--expect"
                } else {
                    "the message's seal"
                }
            ),
            (Some(_), _) => say_unmasked!(
                "Does NOT match {}: check the key, keyVersion, algorithm and the fields above.",
                expected_shown.unwrap_or_default()
            ),
            _ => {}
        }
    }
    Ok(if matched == Some(false) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `contract check`: the built-in wallet contract against the one a service publishes (or a saved
/// copy), operation by operation.
async fn contract_check(matches: &ArgMatches) -> Result<ExitCode, Error> {
    use sips_wallet_codegen::{diff::diff, generate, generate_dir, Generated, Options, Sources};
    // --timeout covers everything: fetching and reading both contracts.
    let timeout = Duration::from_secs(*matches.get_one::<u64>("timeout").unwrap_or(&30));
    let deadline = tokio::time::Instant::now() + timeout;
    let within = |what: String,
                  work: Box<
        dyn FnOnce() -> Result<Generated, sips_wallet_codegen::Error> + Send,
    >| async move {
        let reading = tokio::task::spawn_blocking(work);
        match tokio::time::timeout_at(deadline, reading).await {
            Err(_) => Err(Error::Timeout(timeout)),
            Ok(Err(e)) => Err(Error::Config(format!("reading {what} stopped: {e}"))),
            Ok(Ok(generated)) => generated.map_err(|e| {
                Error::Config(format!("{what} is not a contract this tool can read: {e}"))
            }),
        }
    };
    let files = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .filter(|(name, _)| name.ends_with(".wsdl") || name.ends_with(".xsd"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    };
    let built_in = Sources::new("wallet.wsdl", files(contract::WALLET_CONTRACT_FILES));
    let ours = within(
        "the built-in contract".into(),
        Box::new(move || generate(&built_in, &Options::default())),
    )
    .await?;
    let (source, theirs) = match matches.get_one::<PathBuf>("file") {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."))
                .to_path_buf();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| {
                    Error::Config(format!("--file {}: not a file name", path.display()))
                })?
                .to_string();
            let shown = path.display().to_string();
            let generated = within(
                shown.clone(),
                Box::new(move || generate_dir(&dir, &name, &Options::default())),
            )
            .await?;
            (shown, generated)
        }
        None => {
            let base = match (
                matches.get_one::<String>("url"),
                matches.get_one::<String>("env"),
            ) {
                (Some(url), _) => url.trim_end_matches('/').to_string(),
                (None, env) => env
                    .and_then(|n| Environment::from_name(n))
                    .unwrap_or(Environment::SogenactifTest)
                    .base_url()
                    .to_string(),
            };
            let fetching = sips_wallet::published::fetch_contract(&base, timeout);
            let fetched = tokio::time::timeout_at(deadline, fetching)
                .await
                .unwrap_or(Err(Error::Timeout(timeout)))?;
            let shown = format!("{base}/services/v2/wallet?wsdl");
            let published = Sources::new("wallet.wsdl", fetched);
            let generated = within(
                shown.clone(),
                Box::new(move || generate(&published, &Options::default())),
            )
            .await?;
            (shown, generated)
        }
    };
    let changes = diff(&ours.contract, &theirs.contract);
    if changes.is_empty() {
        say!(
            "{source}: the same {} operations and fields as the contract built in.",
            ours.contract.operations.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "{source} differs from the contract built in ({} changes):",
        changes.len()
    );
    for change in &changes {
        say!("  {change}");
    }
    for warning in &theirs.warnings {
        say!("  (not compared: {warning})");
    }
    Ok(ExitCode::from(EXIT_NOT_SUCCESS))
}
