//! `sips-wallet contract check`: the built-in contract against what a service publishes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use sips_wallet::contract::{self};
use sips_wallet::{Environment, Error};

use super::error::{CliError, EXIT_NOT_SUCCESS};

/// `contract check`: the built-in wallet contract against the one a service publishes (or a saved
/// copy), operation by operation.
pub(super) async fn contract_check(matches: &ArgMatches) -> Result<ExitCode, CliError> {
    use sips_wallet_codegen::diff::{diff, Severity};
    use sips_wallet_codegen::{generate, generate_dir, Generated, Options, Sources};
    // --timeout covers everything: fetching and reading both contracts.
    let timeout = Duration::from_secs(*matches.get_one::<u64>("timeout").unwrap_or(&30));
    let deadline = tokio::time::Instant::now() + timeout;
    // The generator stops by itself at the deadline (a blocking task cannot be cancelled, and the
    // process would wait for it); the timer here is the backstop.
    let options = Options {
        deadline: Some(deadline.into_std()),
        ..Options::default()
    };
    let out_of_time = move |what: &str| {
        CliError::Input(format!(
        "{what}: not read within --timeout {}s (a contract this large or complex takes longer; give a longer --timeout)",
        timeout.as_secs()
    ))
    };
    let within = |what: String,
                  work: Box<
        dyn FnOnce() -> Result<Generated, sips_wallet_codegen::Error> + Send,
    >| async move {
        let reading = tokio::task::spawn_blocking(work);
        match tokio::time::timeout_at(deadline, reading).await {
            Err(_) => Err(out_of_time(&what)),
            Ok(Ok(Err(e))) if e.message.starts_with("out of time") => Err(out_of_time(&what)),
            Ok(Err(e)) => Err(CliError::Io {
                what: format!("reading {what}"),
                source: std::io::Error::other(e),
            }),
            Ok(Ok(generated)) => generated.map_err(|e| {
                CliError::Input(format!("{what} is not a contract this tool can read: {e}"))
            }),
        }
    };
    let files = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .filter(|(name, _)| name.ends_with(".wsdl") || name.ends_with(".xsd"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    };
    // The contract as the build made it: its documents and its sidecar, so that a build from a
    // vendor's folder checked against that folder is the same contract.
    let mut built_in = Sources::new("wallet.wsdl", files(contract::WALLET_CONTRACT_FILES));
    if let Some((name, text)) = contract::WALLET_CONTRACT_FILES
        .iter()
        .find(|(name, _)| name.ends_with(".versions.toml"))
    {
        built_in = built_in.with_sidecar(*name, *text);
    }
    let for_ours = options.clone();
    let ours = within(
        "the built-in contract".into(),
        Box::new(move || generate(&built_in, &for_ours)),
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
                    CliError::Usage(format!("--file {}: not a file name", path.display()))
                })?
                .to_string();
            let shown = path.display().to_string();
            let for_file = options.clone();
            let generated = within(
                shown.clone(),
                Box::new(move || generate_dir(&dir, &name, &for_file)),
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
            let fetching = sips_wallet::remote_contract::fetch(&base, timeout);
            let fetched = tokio::time::timeout_at(deadline, fetching)
                .await
                .unwrap_or(Err(Error::Timeout(timeout)))?;
            let shown = format!("{base}/services/v2/wallet?wsdl");
            let published = Sources::new("wallet.wsdl", fetched);
            let for_published = options.clone();
            let generated = within(
                shown.clone(),
                Box::new(move || generate(&published, &for_published)),
            )
            .await?;
            (shown, generated)
        }
    };
    let strict = matches.get_flag("strict");
    let (changes, notes): (Vec<_>, Vec<_>) = diff(&ours.contract, &theirs.contract)
        .into_iter()
        .partition(|c| strict || c.severity == Severity::Change);
    if changes.is_empty() {
        say!(
            "{source}: the same {} operations and fields as the contract built in{}.",
            ours.contract.operations.len(),
            if notes.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} notes on what its publishing tool leaves out; --strict counts them)",
                    notes.len()
                )
            }
        );
    } else {
        say!(
            "{source} differs from the contract built in ({} changes):",
            changes.len()
        );
        for change in &changes {
            say!("  {change}");
        }
    }
    for note in &notes {
        say!("  note: {note}");
    }
    for warning in &theirs.warnings {
        say!("  (not compared: {warning})");
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_SUCCESS)
    })
}
