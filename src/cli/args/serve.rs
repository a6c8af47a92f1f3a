//! `serve`: the simulator's flags.

use std::path::PathBuf;

use clap::{Arg, ArgAction, Command};

use super::common::{credential_args, parse_seed, seconds};

pub(super) fn serve_command() -> Command {
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

/// `--fail-rate`: a share of calls from 0 to 1.
fn fail_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a share from 0 to 1 (e.g. 0.05)")),
    }
}
