//! `sips-wallet seal`: a seal explained, field by field.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::ArgMatches;
use sips_wallet::contract::SENSITIVE_FIELDS;
use sips_wallet::mask::mask_sensitive;
use sips_wallet::seal;

use super::calls::{algorithm, secret_key};
use super::error::CliError;
use super::opts::Opts;

pub(super) fn seal_command(opts: Opts<'_>, matches: &ArgMatches) -> Result<ExitCode, CliError> {
    let input = match matches.get_one::<String>("file") {
        Some(path) if path != "-" => super::input::file_text(
            "seal",
            std::path::Path::new(path),
            super::input::MESSAGE_BYTES,
        )?,
        _ => {
            if std::io::stdin().is_terminal() {
                complain!("reading a JSON message or a SOAP envelope from standard input (Ctrl-D ends it)");
            }
            super::input::stdin_text("seal", super::input::MESSAGE_BYTES)?
        }
    };
    let message =
        sips_wallet::dynamic::read_message(&input).map_err(|e| CliError::Input(e.to_string()))?;
    let key = secret_key(opts)?;
    let algorithm = algorithm(opts);
    let reveal = matches.get_flag("reveal");
    let fields = message.sealed_fields();
    for (path, value) in &fields {
        let leaf = path.rsplit('.').next().unwrap_or(path);
        if SENSITIVE_FIELDS.contains(&leaf.split('[').next().unwrap_or(leaf)) {
            super::know(value);
        }
    }
    let given = super::given();
    let shown: Vec<(String, String)> = fields
        .iter()
        .map(|(path, value)| {
            let leaf = path.rsplit('.').next().unwrap_or(path);
            let leaf = leaf.split('[').next().unwrap_or(leaf);
            let display = if reveal {
                value.clone()
            } else if SENSITIVE_FIELDS.contains(&leaf) {
                mask_sensitive(value)
            } else {
                given.mask(value).into_owned()
            };
            (path.clone(), display)
        })
        .collect();
    // Each value was masked by pattern; the whole again by value (a card number given, however
    // its parts fall across fields).
    let joined: String = shown.iter().map(|(_, v)| v.as_str()).collect();
    let shown_string = if reveal {
        joined
    } else {
        given.mask_known(&joined).into_owned()
    };
    let data: String = fields.iter().map(|(_, v)| v.as_str()).collect();
    let computed = seal::compute(algorithm, &key, &data);
    let received = message.text("seal").filter(|s| !s.is_empty());
    let expect = matches.get_one::<String>("expect").map(String::as_str);
    let expected = expect.or(received);
    let expected_shown = expected.map(|e| if reveal { e.into() } else { given.mask(e) });
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
