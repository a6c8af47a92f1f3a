//! One call to the bank (or the simulator): the client from the flags, the request from the
//! fields, the reply printed.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use sips_wallet::contract::SENSITIVE_FIELDS;
use sips_wallet::mask::mask_message;
use sips_wallet::message::DynOperation;
use sips_wallet::protocol::IBAN_FIELDS;
use sips_wallet::reconcile::{self, Progress, Settled, Settlement};
use sips_wallet::seal::{Algorithm, SecretKey, Value};
use sips_wallet::validate;
use sips_wallet::{Binding, CallOptions, Environment, Error, Reply, Verification, WalletClient};

use super::args::flag_name;
use super::error::{CliError, EXIT_NOT_APPLIED, EXIT_NOT_SUCCESS};
use super::opts::Opts;

pub(super) fn secret_key(opts: Opts<'_>) -> Result<SecretKey, Error> {
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
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Config(
            "SIPS_SECRET_KEY is set but is no UTF-8 text: set it as the bank gave it, or pass \
             --secret-key-file"
                .into(),
        )),
        Err(std::env::VarError::NotPresent) => Err(Error::Config(
            "no secret key: set SIPS_SECRET_KEY or pass --secret-key-file".into(),
        )),
    }
}

pub(super) fn algorithm(opts: Opts<'_>) -> Algorithm {
    opts.string("seal-algorithm")
        .and_then(Algorithm::from_name)
        .unwrap_or_default()
}

/// A client from the connection options.
pub(super) fn client_from(opts: Opts<'_>) -> Result<WalletClient, Error> {
    let mut builder = WalletClient::builder()
        .merchant_id(required(opts, "merchant-id", "SIPS_MERCHANT_ID")?)
        .key_version(required(opts, "key-version", "SIPS_KEY_VERSION")?)
        .secret_key(secret_key(opts)?)
        .seal_algorithm(algorithm(opts))
        .timeout(Duration::from_secs(opts.number("timeout").unwrap_or(30)))
        .call_options(match opts.number("settle-window") {
            Some(window) => CallOptions::new().settle_window(Duration::from_secs(window)),
            None => CallOptions::new(),
        })
        .binding(match opts.string("binding") {
            Some("json") => Binding::Json,
            _ => Binding::Soap,
        });
    if let Some(url) = opts.string("url") {
        builder = builder.base_url(url);
    } else if let Some(env) = opts.string("env").and_then(Environment::from_name) {
        builder = builder.environment(env);
    }
    if let Some(path) = opts.path("root-certificate") {
        let certificate = sips_wallet::files::read_regular(path, super::input::CERTIFICATE_BYTES)
            .map_err(|e| {
            Error::Config(format!("--root-certificate {}: {e}", path.display()))
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build()
}

pub(super) fn required(opts: Opts<'_>, flag: &str, env: &str) -> Result<String, Error> {
    opts.string(flag)
        .map(str::to_string)
        .ok_or_else(|| Error::Config(format!("--{flag} (or {env}) is required")))
}

/// A card-data field's value: `-` reads standard input, `--…-file` a file; a plain argument works
/// but is visible in `ps` and the shell's history, so it is warned about.
pub(super) fn sensitive_value(
    matches: &ArgMatches,
    field: &str,
) -> Result<Option<String>, CliError> {
    let flag = flag_name(field);
    let trimmed = |text: String| text.trim_end_matches(['\r', '\n']).to_string();
    if let Some(path) = matches
        .try_get_one::<PathBuf>(&format!("{flag}-file"))
        .ok()
        .flatten()
    {
        let text = super::input::file_text(
            &format!("--{flag}-file"),
            path,
            super::input::CARD_DATA_BYTES,
        )?;
        return Ok(Some(trimmed(text)));
    }
    match matches.try_get_one::<String>(field).ok().flatten() {
        None => Ok(None),
        Some(dash) if dash == "-" => {
            let text =
                super::input::stdin_text(&format!("--{flag} -"), super::input::CARD_DATA_BYTES)?;
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

pub(super) async fn operation_call(
    operation: &'static dyn DynOperation,
    opts: Opts<'_>,
    matches: &ArgMatches,
) -> Result<ExitCode, CliError> {
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
        if let Some(mut value) = value {
            if SENSITIVE_FIELDS.contains(&field.name) {
                super::know(&value);
            }
            if IBAN_FIELDS.contains(&field.name) {
                if let Cow::Owned(electronic) = validate::electronic_iban(&value) {
                    complain!(
                        "note: --{} written as the bank writes it: upper case, no spaces",
                        flag_name(field.name)
                    );
                    super::know(&electronic);
                    value = electronic;
                }
            }
            values.push((field.name, value));
        }
    }
    let fields: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if matches.get_flag("dry-run") {
        let prepared =
            sips_wallet::dynamic::prepare(&client, operation, &fields).map_err(name_the_flag)?;
        let body = if matches.get_flag("reveal") {
            prepared.body.into()
        } else {
            mask_message(&prepared.body, SENSITIVE_FIELDS)
        };
        let _ = write!(std::io::stdout(), "{body}");
        return Ok(ExitCode::SUCCESS);
    }
    let json = opts.string("output") == Some("json");
    if reconcile::can_settle(operation) {
        return settle_call(&client, operation, &fields, json).await;
    }
    let reply = sips_wallet::dynamic::call(&client, operation, &fields)
        .await
        .map_err(name_the_flag)?;
    Ok(print_answer(operation, &reply, json))
}

fn print_answer(
    operation: &'static dyn DynOperation,
    reply: &Reply<Value>,
    json: bool,
) -> ExitCode {
    print_reply(operation, reply, json);
    if reply.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_SUCCESS)
    }
}

/// A change: the wallet read just before sending it, the change sent once, and if its answer is
/// lost, the wallet read until a reading proves what happened (exit 0 applied or in effect, 4 not
/// applied, 1 still unknown). Never sends the change again.
async fn settle_call(
    client: &WalletClient,
    operation: &'static dyn DynOperation,
    fields: &[(&str, &str)],
    json: bool,
) -> Result<ExitCode, CliError> {
    let name = operation.info().name;
    let told = std::sync::atomic::AtomicBool::new(false);
    let progress = |progress: &Progress| {
        // One line when the waiting starts (the output may be a file); on a terminal, updated.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        if terminal || !told.swap(true, std::sync::atomic::Ordering::Relaxed) {
            let line = format!(
                "{name}: {}; reading the wallet until it shows what happened (reading {}: {}; {} s \
                 of the {} s settle window left)",
                progress.lost,
                progress.readings,
                progress.seen,
                progress.left.as_secs(),
                progress.window.as_secs()
            );
            let shown = super::given().mask(&line).into_owned();
            let _ = if terminal {
                write!(std::io::stderr(), "\r\x1b[2K{shown}")
            } else {
                writeln!(std::io::stderr(), "{shown}")
            };
        }
    };
    let settlement = reconcile::call_and_settle_fields(client, operation, fields, &progress)
        .await
        .map_err(name_the_flag)?;
    if told.load(std::sync::atomic::Ordering::Relaxed)
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        let _ = writeln!(std::io::stderr());
    }
    let (lost, settled) = match settlement {
        Settlement::Answered(reply) => return Ok(print_answer(operation, &reply, json)),
        Settlement::Settled {
            lost,
            reconciliation,
        } => (lost, reconciliation),
        _ => {
            return Err(CliError::Input(format!(
                "{name}: an outcome this command does not know"
            )))
        }
    };
    let (line, code) = match settled.outcome {
        Settled::Applied => (
            format!("{name}: applied ({})", settled.evidence),
            ExitCode::SUCCESS,
        ),
        Settled::InEffect => (
            format!(
                "{name}: nothing to send again ({}): the wallet is as this change leaves it",
                settled.evidence
            ),
            ExitCode::SUCCESS,
        ),
        Settled::NotApplied => (
            format!(
                "{name}: not applied ({}): it can be sent again",
                settled.evidence
            ),
            ExitCode::from(EXIT_NOT_APPLIED),
        ),
        _ => (
            format!(
                "{name}: outcome still unknown ({}{}): do not send it again before it is settled{}",
                settled.evidence,
                settled
                    .error
                    .as_ref()
                    .map(|e| format!(": {}", e.chain()))
                    .unwrap_or_default(),
                settled
                    .read_again_after
                    .map(|wait| format!("; read again in {} s", wait.as_secs().max(1)))
                    .unwrap_or_default()
            ),
            ExitCode::from(1),
        ),
    };
    if json {
        let out = serde_json::json!({
            "operation": name,
            "outcome": settled.outcome.as_str(),
            "evidence": settled.evidence,
            "readings": settled.readings,
            "settleWindowSeconds": settled.window.as_secs_f64(),
            "lost": lost.chain(),
        });
        say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        if !told.load(std::sync::atomic::Ordering::Relaxed) {
            complain!("{name}: {}; the wallet was read to settle it", lost.chain());
        }
        say!("{line}");
    }
    Ok(code)
}

/// A request field the library refused, named by the flag that sets it.
fn name_the_flag(error: Error) -> CliError {
    match error {
        Error::InvalidField { field, reason } => {
            CliError::Usage(format!("--{} ({field}): {reason}", flag_name(&field)))
        }
        Error::FieldTooNew { ref field, .. } => {
            CliError::Usage(format!("--{} ({field}): {error}", flag_name(field)))
        }
        other => other.into(),
    }
}

pub(super) fn print_reply(operation: &'static dyn DynOperation, reply: &Reply<Value>, json: bool) {
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

pub(super) fn print_value(value: &Value, indent: &str) {
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
