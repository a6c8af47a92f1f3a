//! The command tree: flags, headings and help, one subcommand per operation of the contracts.

use std::path::PathBuf;

use clap::{Arg, ArgAction, Command};
use sips_wallet::contract::SENSITIVE_FIELDS;
use sips_wallet::message::{DynOperation, FieldKind, Occurs};
use sips_wallet::Environment;

use super::*;

/// Fields the client fills from the credentials: no flag of their own.
pub(super) const CREDENTIAL_FIELDS: &[&str] =
    &["merchantId", "keyVersion", "seal", "sealAlgorithm"];

pub(super) const CONNECTION: &str = "Connection";

pub(super) const OUTPUT: &str = "Output";
pub(super) const DRY_RUN: &str = "Dry run";

/// A seed as the banner prints it: digits in groups of four joined by `_`, so that no run of
/// digits is long enough for the output masker to take it for a card number and hide it.
pub(super) fn show_seed(seed: u64) -> String {
    let digits = seed.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 4);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(4) {
            out.push('_');
        }
        out.push(digit);
    }
    out
}

/// `--seed`: a whole number, with or without the banner's `_` between digits.
fn parse_seed(text: &str) -> Result<u64, String> {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a whole number, such as the banner's `Seed:`".into());
    }
    digits
        .parse()
        .map_err(|_| format!("the largest seed is {}", show_seed(u64::MAX)))
}

/// The flag for a field: `merchantWalletId` → `merchant-wallet-id`.
pub(super) fn flag_name(name: &str) -> String {
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
pub(super) fn credential_args(heading: &'static str) -> Vec<Arg> {
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

pub(super) fn seal_algorithm_arg() -> Arg {
    Arg::new("seal-algorithm")
        .long("seal-algorithm")
        .value_parser(["HMAC-SHA-256", "HMAC-SHA-512", "SHA-256"])
        .default_value("HMAC-SHA-256")
        .help_heading(CONNECTION)
        .help("seal algorithm")
}

pub(super) fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .value_parser(["text", "json"])
        .default_value("text")
        .help_heading(OUTPUT)
        .help("text, or one JSON object on standard output (errors included)")
}

/// What a call needs to reach the bank: on the root command and on each operation's.
pub(super) fn connection_args() -> Vec<Arg> {
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
        Arg::new("settle-window")
            .long("settle-window")
            .value_name("SECONDS")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help_heading(CONNECTION)
            .help(
                "after a change's answer is lost, how long after sending the bank may still act \
                 on it: readings go on until one proves the outcome or this has passed \
                 (default 3 × --timeout)",
            ),
        Arg::new("binding")
            .long("binding")
            .value_parser(["soap", "json"])
            .default_value("soap")
            .help_heading(CONNECTION)
            .help("how wallet functions travel: SOAP envelopes or JSON objects"),
        Arg::new("root-certificate")
            .long("root-certificate")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help_heading(CONNECTION)
            .help("also trust this certificate authority (PEM or DER), e.g. `serve --tls`'s"),
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
             Exit codes: 0 success, 1 failure, 2 usage error, 3 answered with a code other than 00, \
             4 a change whose outcome was unknown, found not applied by reading the wallet \
             (found applied: 0).",
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
                        )
                        .arg(
                            Arg::new("strict")
                                .long("strict")
                                .action(ArgAction::SetTrue)
                                .help("count as changes the restrictions publishing tools leave out (lists of values published as text, fields published optional)"),
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

pub(super) fn operation_command(operation: &'static dyn DynOperation) -> Command {
    let info = operation.info();
    let mut cmd = Command::new(info.command)
        .about(first_sentence(info.documentation))
        .long_about(info.documentation)
        .args(connection_args())
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help_heading(DRY_RUN)
                .help("print the sealed request instead of sending it (card numbers masked)"),
        )
        .arg(
            Arg::new("reveal")
                .long("reveal")
                .action(ArgAction::SetTrue)
                .requires("dry-run")
                .help_heading(DRY_RUN)
                .help("print the request exactly as it would be sent, card numbers in clear"),
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

pub(super) fn values_too_many(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Enum { values, .. } if values.len() > 8)
}

/// The first sentence of a documentation string; "e.g." and "i.e." do not end one.
pub(super) fn first_sentence(text: &str) -> &str {
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

pub(super) fn serve_command() -> Command {
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
            Arg::new("seed")
                .long("seed")
                .value_name("N")
                .value_parser(parse_seed)
                .help("draw every random choice from this seed, to replay a run (the banner prints the one in use)"),
        )
        .arg(
            Arg::new("tls")
                .long("tls")
                .action(ArgAction::SetTrue)
                .help("serve HTTPS (HTTP/1.1 and HTTP/2) with a certificate for 127.0.0.1, ::1 and localhost made at start"),
        )
        .arg(
            Arg::new("tls-cert-out")
                .long("tls-cert-out")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .requires("tls")
                .help("write the certificate clients must trust to FILE (PEM): a new file, never through a symlink"),
        )
        .arg(
            Arg::new("replace-cert-out")
                .long("replace-cert-out")
                .action(ArgAction::SetTrue)
                .requires("tls-cert-out")
                .help("let --tls-cert-out replace a regular file already there (a symlink is replaced itself, its target untouched)"),
        )
        .arg(
            Arg::new("tls-cert")
                .long("tls-cert")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .requires_all(["tls", "tls-key"])
                .help("serve this certificate chain (PEM) instead of making one"),
        )
        .arg(
            Arg::new("tls-key")
                .long("tls-key")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .requires_all(["tls", "tls-cert"])
                .help("the private key (PEM) of --tls-cert"),
        )
        .arg(
            Arg::new("no-admin")
                .long("no-admin")
                .action(ArgAction::SetTrue)
                .help("turn off the admin API under /_simulator/ (calls, reset, clock, health)"),
        )
        .arg(
            Arg::new("admin-token")
                .long("admin-token")
                .value_name("TOKEN")
                .env("SIPS_SIMULATOR_ADMIN_TOKEN")
                .hide_env_values(true)
                .conflicts_with("no-admin")
                .help("every admin request must carry `Authorization: Bearer TOKEN`; needed for the admin API on a non-loopback --listen"),
        )
        .arg(
            Arg::new("allow-reset")
                .long("allow-reset")
                .action(ArgAction::SetTrue)
                .help("let POST /_simulator/reset wipe the --state file (in memory a reset is always allowed)"),
        )
        .arg(
            Arg::new("no-magic")
                .long("no-magic")
                .action(ArgAction::SetTrue)
                .help("turn off the magic values (wallet ids SIM-99-…, SIM-TIMEOUT-…, SIM-DROP-AFTER-…, SIM-DROP-BEFORE-…; cards 4000000000000002 → 94, 4000000000000028 → 12)"),
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
                .help("connections open at once; at the cap the oldest idle one is closed for a new one, a 503 only when all serve a request"),
        )
        .arg(
            Arg::new("threads")
                .long("threads")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..=1024))
                .default_value("1")
                .help("threads serving connections: one is the cheapest per call (about 40,000 calls/s on one core); more for a load test that needs more"),
        )
        .arg(
            Arg::new("max-connections-per-client")
                .long("max-connections-per-client")
                .value_name("N")
                .value_parser(clap::value_parser!(u64).range(1..=100_000))
                .help("connections one client address may hold at once, with the same rule (default: --max-connections)"),
        )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{parse_seed, show_seed};

    proptest! {
        /// Any seed the banner prints (as it is: the simulator's own number never goes through
        /// the masker) replays the same run when given to `--seed`.
        #[test]
        fn a_printed_seed_parses_back(seed: u64) {
            let shown = show_seed(seed);
            prop_assert_eq!(parse_seed(&shown), Ok(seed));
            prop_assert_eq!(parse_seed(&seed.to_string()), Ok(seed));
        }
    }
}
