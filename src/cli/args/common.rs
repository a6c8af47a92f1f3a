//! The flags several subcommands share (credentials, connection, output) and the seed's spelling.

use std::path::PathBuf;

use clap::Arg;
use sips_wallet::Environment;

/// Fields the client fills from the credentials: no flag of their own.
pub(crate) const CREDENTIAL_FIELDS: &[&str] =
    &["merchantId", "keyVersion", "seal", "sealAlgorithm"];

pub(crate) const CONNECTION: &str = "Connection";

pub(crate) const OUTPUT: &str = "Output";
pub(crate) const DRY_RUN: &str = "Dry run";

/// A number of seconds a flag takes: at least 1, at most a day (a time beyond that is a slip, and
/// would print a bound too long to read).
pub(crate) fn seconds() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..=86_400)
}

/// A seed as the banner prints it: digits in groups of four joined by `_`, so that no run of
/// digits is long enough for the output masker to take it for a card number and hide it.
pub(crate) fn show_seed(seed: u64) -> String {
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
pub(crate) fn parse_seed(text: &str) -> Result<u64, String> {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a whole number, such as the banner's `Seed:`".into());
    }
    digits
        .parse()
        .map_err(|_| format!("the largest seed is {}", show_seed(u64::MAX)))
}

/// The flag for a field: `merchantWalletId` → `merchant-wallet-id`.
pub(crate) fn flag_name(name: &str) -> String {
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
pub(crate) fn credential_args(heading: &'static str) -> Vec<Arg> {
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
            .env("SIPS_SECRET_KEY_FILE")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help_heading(heading)
            .help("file holding the secret key (else SIPS_SECRET_KEY; never a plain argument)"),
    ]
}

pub(crate) fn seal_algorithm_arg() -> Arg {
    Arg::new("seal-algorithm")
        .long("seal-algorithm")
        .value_parser(["HMAC-SHA-256", "HMAC-SHA-512", "SHA-256"])
        .default_value("HMAC-SHA-256")
        .help_heading(CONNECTION)
        .help("seal algorithm")
}

pub(crate) fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .value_parser(["text", "json"])
        .default_value("text")
        .help_heading(OUTPUT)
        .help("text, or one JSON object on standard output (errors included)")
}

/// What a call needs to reach the bank: on the root command and on each operation's.
pub(crate) fn connection_args() -> Vec<Arg> {
    let mut args = credential_args(CONNECTION);
    args.extend([
        seal_algorithm_arg(),
        Arg::new("env")
            .long("env")
            .env("SIPS_ENV")
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
            .env("SIPS_URL")
            .conflicts_with("env")
            .help_heading(CONNECTION)
            .help("a base URL instead of --env (https, or http to a loopback address)"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECONDS")
            .value_parser(seconds())
            .default_value("30")
            .help_heading(CONNECTION)
            .help("seconds for a whole call (1 to 86400)"),
        Arg::new("settle-window")
            .long("settle-window")
            .value_name("SECONDS")
            .value_parser(seconds())
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
