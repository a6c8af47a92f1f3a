//! The `sips-wallet` command line. One subcommand per operation of the bundled WSDLs, made at run
//! time from [`contract::OPERATIONS`](crate::contract::OPERATIONS) and
//! [`inapp::OPERATIONS`](crate::inapp::OPERATIONS): adding an operation to `wsdl/` adds its subcommand.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::contract::SENSITIVE_FIELDS;
use crate::mask::mask_pan;
use crate::message::{DynOperation, FieldKind, Occurs};
use crate::seal::{self, Algorithm, SecretKey, Value};
use crate::{Environment, Error, Reply, WalletClient};

/// Fields the client fills from the credentials: no flag of their own.
/// `println!` for a server's banner and status lines: a closed stdout (a pipe whose reader went
/// away) must not stop the server.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

const CREDENTIAL_FIELDS: &[&str] = &["merchantId", "keyVersion", "seal", "sealAlgorithm"];

/// Exit code for a call that was answered with a code other than 00.
const EXIT_NOT_SUCCESS: u8 = 3;

/// Every operation of every bundled contract: the wallet (SOAP) and In-App (JSON).
fn operations() -> impl Iterator<Item = &'static dyn DynOperation> {
    crate::contract::OPERATIONS
        .iter()
        .chain(crate::inapp::OPERATIONS)
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

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("sips-wallet")
        .about("Sips 2.0 (Sogenactif) Office Server wallet client, with a local simulator.")
        .long_about(
            "Sips 2.0 (Sogenactif) Office Server wallet client.\n\n\
             Secrets: the secret key comes from SIPS_SECRET_KEY or --secret-key-file, never from a plain \
             argument (it would show in `ps`).",
        )
        .arg(
            Arg::new("merchant-id")
                .long("merchant-id")
                .env("SIPS_MERCHANT_ID")
                .global(true)
                .help("merchantId of the shop"),
        )
        .arg(
            Arg::new("key-version")
                .long("key-version")
                .env("SIPS_KEY_VERSION")
                .global(true)
                .help("keyVersion of the secret key"),
        )
        .arg(
            Arg::new("secret-key-file")
                .long("secret-key-file")
                .value_parser(clap::value_parser!(PathBuf))
                .global(true)
                .help("file holding the secret key (else SIPS_SECRET_KEY)"),
        )
        .arg(
            Arg::new("seal-algorithm")
                .long("seal-algorithm")
                .value_parser(["HMAC-SHA-256", "HMAC-SHA-512", "SHA-256"])
                .default_value("HMAC-SHA-256")
                .global(true)
                .help("seal algorithm"),
        )
        .arg(
            Arg::new("env")
                .long("env")
                .global(true)
                .value_parser(Environment::NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>())
                .help("a named platform (default sogenactif-test)"),
        )
        .arg(
            Arg::new("url")
                .long("url")
                .global(true)
                .conflicts_with("env")
                .help("a base URL instead of --env (https, or http to a loopback address)"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .global(true)
                .value_parser(clap::value_parser!(u64).range(1..))
                .default_value("30")
                .help("seconds for a whole call (at least 1)"),
        )
        .arg(
            Arg::new("binding")
                .long("binding")
                .global(true)
                .value_parser(["soap", "json"])
                .default_value("soap")
                .help("how wallet functions travel: SOAP envelopes or JSON objects"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .global(true)
                .value_parser(["text", "json"])
                .default_value("text")
                .help("how to print a response"),
        );
    for operation in operations() {
        cmd = cmd.subcommand(operation_command(operation));
    }
    cmd.subcommand(serve_command()).subcommand(
        Command::new("seal")
            .about("Explains a seal: the fields in seal order, the sealed string, the seal")
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
}

fn operation_command(operation: &'static dyn DynOperation) -> Command {
    let info = operation.info();
    let mut cmd = Command::new(info.command)
        .about(first_sentence(info.documentation))
        .long_about(info.documentation)
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("print the sealed request envelope instead of sending it"),
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
        let mut arg = Arg::new(field.name).long(flag_name(field.name)).help(help);
        if let FieldKind::Enum { values, .. } = field.kind {
            let values: Vec<&'static str> =
                values.iter().copied().filter(|v| !v.is_empty()).collect();
            arg = arg
                .value_parser(clap::builder::PossibleValuesParser::new(values))
                .hide_possible_values(values_too_many(field.kind));
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

fn values_too_many(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Enum { values, .. } if values.len() > 8)
}

fn first_sentence(text: &str) -> &str {
    text.split(". ")
        .next()
        .unwrap_or(text)
        .trim_end_matches('.')
}

/// Runs the command line; the process's exit code.
pub async fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(&matches).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error.chain());
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(matches: &ArgMatches) -> Result<ExitCode, Error> {
    match matches.subcommand() {
        Some(("seal", sub)) => seal_command(matches, sub),
        Some(("serve", sub)) => serve(matches, sub).await,
        Some((name, sub)) => {
            let operation = operations()
                .find(|o| o.info().command == name)
                .ok_or_else(|| Error::Config(format!("no operation `{name}`")))?;
            operation_call(operation, matches, sub).await
        }
        None => tour().await,
    }
}

fn serve_command() -> Command {
    let seconds = || clap::value_parser!(u64).range(1..);
    Command::new("serve")
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

/// The merchant of SIPS_MERCHANT_ID / SIPS_KEY_VERSION / SIPS_SECRET_KEY (or the global flags), if
/// a key is given.
fn merchant_from_globals(global: &ArgMatches) -> Result<Option<crate::simulator::Merchant>, Error> {
    let key_given =
        global.contains_id("secret-key-file") || std::env::var_os("SIPS_SECRET_KEY").is_some();
    if !key_given {
        return Ok(None);
    }
    Ok(Some(crate::simulator::Merchant {
        id: required(global, "merchant-id", "SIPS_MERCHANT_ID")?,
        key_version: required(global, "key-version", "SIPS_KEY_VERSION")?,
        key: secret_key(global)?,
    }))
}

async fn serve(global: &ArgMatches, matches: &ArgMatches) -> Result<ExitCode, Error> {
    use crate::simulator::{Merchant, Scenario, Simulator, SimulatorConfig, DEMO_MERCHANT_ID};
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
    if let Some(path) = matches.get_one::<PathBuf>("scenario") {
        let scenario = Scenario::load(path).map_err(|e| Error::Config(e.to_string()))?;
        config = config.scenario(scenario);
    }
    if let Some(merchant) = merchant_from_globals(global)? {
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
                crate::simulator::DEMO_KEY_VERSION,
                crate::simulator::DEMO_SECRET_KEY
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
    println!("sips-wallet guided tour: the real client against the bundled simulator, over HTTP on loopback.");
    println!("(`sips-wallet --help` lists the commands.)\n");
    let report = crate::tour::run().await?;
    print!("{}", report.text);
    Ok(if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn secret_key(matches: &ArgMatches) -> Result<SecretKey, Error> {
    if let Some(path) = matches.get_one::<PathBuf>("secret-key-file") {
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

fn algorithm(matches: &ArgMatches) -> Algorithm {
    matches
        .get_one::<String>("seal-algorithm")
        .and_then(|a| Algorithm::from_name(a))
        .unwrap_or_default()
}

/// A client from the global options.
pub fn client_from(matches: &ArgMatches) -> Result<WalletClient, Error> {
    let mut builder = WalletClient::builder()
        .merchant_id(required(matches, "merchant-id", "SIPS_MERCHANT_ID")?)
        .key_version(required(matches, "key-version", "SIPS_KEY_VERSION")?)
        .secret_key(secret_key(matches)?)
        .seal_algorithm(algorithm(matches))
        .timeout(Duration::from_secs(
            *matches.get_one::<u64>("timeout").unwrap_or(&30),
        ))
        .binding(
            match matches.get_one::<String>("binding").map(String::as_str) {
                Some("json") => crate::Binding::Json,
                _ => crate::Binding::Soap,
            },
        );
    if let Some(url) = matches.get_one::<String>("url") {
        builder = builder.base_url(url);
    } else if let Some(env) = matches
        .get_one::<String>("env")
        .and_then(|n| Environment::from_name(n))
    {
        builder = builder.environment(env);
    }
    builder.build()
}

fn required(matches: &ArgMatches, flag: &str, env: &str) -> Result<String, Error> {
    matches
        .get_one::<String>(flag)
        .cloned()
        .ok_or_else(|| Error::Config(format!("--{flag} (or {env}) is required")))
}

async fn operation_call(
    operation: &'static dyn DynOperation,
    global: &ArgMatches,
    matches: &ArgMatches,
) -> Result<ExitCode, Error> {
    let client = client_from(global)?;
    let fields: Vec<(&str, &str)> = operation
        .request_fields()
        .iter()
        .filter_map(|f| {
            matches
                .try_get_one::<String>(f.name)
                .ok()
                .flatten()
                .map(|v| (f.name, v.as_str()))
        })
        .collect();
    let mut request = operation
        .dyn_request(&fields)
        .map_err(|e| Error::Config(e.to_string()))?;
    if matches.get_flag("dry-run") {
        let prepared = request.prepare_dyn(&client)?;
        print!("{}", prepared.body);
        return Ok(ExitCode::SUCCESS);
    }
    let reply = request.send_dyn(&client).await?;
    print_reply(
        operation,
        &reply,
        global.get_one::<String>("output").map(String::as_str) == Some("json"),
    );
    Ok(if reply.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_SUCCESS)
    })
}

fn print_reply(operation: &'static dyn DynOperation, reply: &Reply<Value>, json: bool) {
    let verified = matches!(reply.verification, crate::Verification::Verified);
    if json {
        let out = serde_json::json!({
            "operation": operation.info().name,
            "responseCode": reply.code,
            "meaning": reply.code_meaning,
            "sealVerified": verified,
            "durationMs": reply.exchange.duration.as_millis() as u64,
            "response": reply.response.to_json(),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return;
    }
    println!(
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
                Value::Text(t) => println!("{indent}{name}: {t}"),
                Value::Object(_) => {
                    println!("{indent}{name}:");
                    print_value(field, &format!("{indent}  "));
                }
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        println!("{indent}{name}[{i}]:");
                        print_value(item, &format!("{indent}  "));
                    }
                }
            }
        }
    }
}

fn seal_command(global: &ArgMatches, matches: &ArgMatches) -> Result<ExitCode, Error> {
    let mut input = String::new();
    match matches.get_one::<String>("file") {
        Some(path) if path != "-" => {
            input = std::fs::read_to_string(path)
                .map_err(|e| Error::Config(format!("cannot read {path}: {e}")))?;
        }
        _ => {
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| Error::Config(format!("cannot read standard input: {e}")))?;
        }
    }
    let message = Value::read_message(&input)?;
    let key = secret_key(global)?;
    let algorithm = algorithm(global);
    let reveal = matches.get_flag("reveal");
    let fields = message.sealed_fields();
    println!("Fields in seal order (keyVersion, sealAlgorithm and seal are never sealed):");
    let mut shown = String::new();
    for (path, value) in &fields {
        let leaf = path.rsplit('.').next().unwrap_or(path);
        let leaf = leaf.split('[').next().unwrap_or(leaf);
        let display = if !reveal && SENSITIVE_FIELDS.contains(&leaf) {
            mask_pan(value)
        } else {
            value.clone()
        };
        println!("  {path} = {display}");
        shown.push_str(&display);
    }
    let data: String = fields.iter().map(|(_, v)| v.as_str()).collect();
    println!(
        "Sealed string{}:",
        if reveal || shown == data {
            ""
        } else {
            " (card numbers masked; --reveal shows them)"
        }
    );
    println!("  {shown}");
    let computed = seal::compute(algorithm, &key, &data);
    println!("Seal ({algorithm}):");
    println!("  {computed}");
    let received = message.text("seal").filter(|s| !s.is_empty());
    let expected = matches
        .get_one::<String>("expect")
        .map(String::as_str)
        .or(received);
    match expected {
        Some(expected) => {
            if seal::verify(algorithm, &key, &data, expected) {
                println!(
                    "Matches {}.",
                    if matches.contains_id("expect") {
                        "--expect"
                    } else {
                        "the message's seal"
                    }
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!("Does NOT match {expected}: check the key, keyVersion, algorithm and the fields above.");
                Ok(ExitCode::FAILURE)
            }
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
