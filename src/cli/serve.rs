//! `sips-wallet serve`: the simulator from the flags, until a signal stops it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use sips_wallet::seal::SecretKey;
use sips_wallet::Error;

use sips_wallet::simulator::StartError;

use super::args::show_seed;
use super::calls::{required, secret_key};
use super::error::CliError;
use super::opts::Opts;

/// The merchant of SIPS_MERCHANT_ID / SIPS_KEY_VERSION / SIPS_SECRET_KEY (or their flags), if a
/// key is given.
pub(super) fn merchant_from_credentials(
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

pub(super) async fn serve(opts: Opts<'_>, matches: &ArgMatches) -> Result<ExitCode, CliError> {
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
    if let Some(max) = matches.get_one::<u64>("max-connections-per-client") {
        config = config.max_connections_per_client(*max as usize);
    }
    if let Some(path) = matches.get_one::<PathBuf>("state") {
        config = config.state_file(path);
    }
    if let Some(seed) = matches.get_one::<u64>("seed") {
        config = config.seed(*seed);
    }
    if matches.get_flag("no-magic") {
        config = config.magic(false);
    }
    if matches.get_flag("no-admin") {
        config = config.admin(false);
    }
    let admin_token = matches.get_one::<String>("admin-token");
    if let Some(token) = admin_token {
        config = config.admin_token(token.clone());
    }
    if matches.get_flag("allow-reset") {
        config = config.allow_state_reset(true);
    }
    if matches.get_flag("tls") {
        let read = |flag: &str| -> Result<Option<String>, CliError> {
            matches
                .get_one::<PathBuf>(flag)
                .map(|path| {
                    super::input::file_text(
                        &format!("--{flag}"),
                        path,
                        super::input::CERTIFICATE_BYTES,
                    )
                })
                .transpose()
        };
        config = config.tls(match (read("tls-cert")?, read("tls-key")?) {
            (Some(certificate_pem), Some(key_pem)) => sips_wallet::simulator::Tls::Given {
                certificate_pem,
                key_pem,
            },
            _ => sips_wallet::simulator::Tls::SelfSigned,
        });
    }
    if let Some(dir) = matches.get_one::<PathBuf>("publish-wsdl") {
        config = config.published_contract(contract_folder(dir)?);
    }
    if let Some(path) = matches.get_one::<PathBuf>("scenario") {
        let scenario = Scenario::load(path).map_err(|e| CliError::Input(e.to_string()))?;
        config = config.scenario(scenario);
    }
    if let Some(merchant) = merchant_from_credentials(opts)? {
        config = config.merchant(merchant);
    }
    for spec in matches.get_many::<String>("merchant").into_iter().flatten() {
        let mut parts = spec.splitn(3, ':');
        let (Some(id), Some(key_version), Some(file)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CliError::Usage(format!(
                "--merchant {spec}: expected ID:KEYVERSION:KEY-FILE"
            )));
        };
        let key = SecretKey::from_file(std::path::Path::new(file)).map_err(|e| {
            CliError::Input(format!(
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
    let addr = listen_address(listen)?;
    if !addr.ip().is_loopback() {
        let admin = if matches.get_flag("no-admin") {
            "the admin API is off (--no-admin)"
        } else if admin_token.is_some() {
            "the admin API (calls, reset, clock) to anyone with the admin token"
        } else {
            "the admin API is off: give --admin-token to turn it on here"
        };
        complain!(
            "warning: --listen {listen} is not a loopback address: other hosts can reach the \
             simulated wallet service (every merchant key it knows, the public demo key included); \
             {admin}"
        );
    }
    let signals = StopSignals::listen();
    let merchants = config.merchants();
    let has_demo = config.has_demo_merchant();
    let simulator = Simulator::start(config, addr).await.map_err(|e| match e {
        StartError::Listen { addr, source } => CliError::Io {
            what: format!("cannot listen on {addr}"),
            source,
        },
        other => CliError::Input(other.to_string()),
    })?;
    // Written before the banner: a run that cannot write it never announces a listener.
    let certificate_out = match (
        simulator.certificate_pem(),
        matches.get_one::<PathBuf>("tls-cert-out"),
    ) {
        (Some(pem), Some(path)) => {
            write_new(path, pem.as_bytes(), matches.get_flag("replace-cert-out")).map_err(
                |source| CliError::Io {
                    what: format!("cannot write the certificate to {}", path.display()),
                    source,
                },
            )?;
            Some(path)
        }
        _ => None,
    };
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
    if let Some(path) = certificate_out {
        say!(
            "Certificate: {} (trust it with --root-certificate {})",
            path.display(),
            path.display()
        );
    }
    // The seed is the simulator's own number, never card data: shown as it is.
    say_unmasked!(
        "Seed: {seed} (replay this run's random choices with --seed {seed})",
        seed = show_seed(simulator.seed())
    );
    match matches.get_one::<PathBuf>("state") {
        Some(path) => say!("State: {} (SQLite)", path.display()),
        None => say!("State: in memory"),
    }
    let stop = signals.wait().await;
    say!("{stop}: finishing the calls in flight (at most 10 s)");
    // Stopping as asked is a success either way; the log says whether calls were cut.
    if simulator.shutdown(Duration::from_secs(10)).await {
        say!("stopped");
    } else {
        say!("stopped; calls still in flight after 10 s were cut");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to a new file at `path`, never through a symlink: a file already there is an
/// error unless `replace`, and then it is replaced by a rename (a symlink itself, not its target).
fn write_new(path: &std::path::Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::ErrorKind;
    let exists = || {
        std::io::Error::new(
            ErrorKind::AlreadyExists,
            "a file is there already (--replace-cert-out replaces it)",
        )
    };
    if !replace {
        // `create_new` fails on anything at the path, a dangling symlink included.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| {
                if e.kind() == ErrorKind::AlreadyExists {
                    exists()
                } else {
                    e
                }
            })?;
        return file.write_all(bytes);
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(std::io::Error::new(
            ErrorKind::IsADirectory,
            "a folder is there",
        ));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    file.write_all(bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// `--listen`: an address and port, or a host name and port (`localhost:7070`), the first address
/// it resolves to.
fn listen_address(listen: &str) -> Result<std::net::SocketAddr, CliError> {
    use std::net::ToSocketAddrs;
    let usage = |why: String| {
        CliError::Usage(format!(
            "--listen {listen}: {why}; give HOST:PORT, as 127.0.0.1:7070 or localhost:7070"
        ))
    };
    if let Ok(addr) = listen.parse() {
        return Ok(addr);
    }
    listen
        .to_socket_addrs()
        .map_err(|e| usage(e.to_string()))?
        .next()
        .ok_or_else(|| usage("it resolves to no address".into()))
}

/// The `.wsdl` and `.xsd` files of a folder, by name.
pub(super) fn contract_folder(dir: &std::path::Path) -> Result<Vec<(String, String)>, CliError> {
    let unreadable = |e: std::io::Error| CliError::Input(format!("{}: {e}", dir.display()));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".wsdl") || name.ends_with(".xsd") {
            let text =
                super::input::file_text("--publish-wsdl", &path, super::input::CONTRACT_BYTES)?;
            files.push((name, text));
        }
    }
    if !files.iter().any(|(n, _)| n.ends_with(".wsdl")) {
        return Err(CliError::Input(format!(
            "{}: no .wsdl file there",
            dir.display()
        )));
    }
    Ok(files)
}

/// Ctrl-C and, on Unix, SIGTERM: listened to from creation, so a signal that comes while the
/// server starts is not lost (nor fatal).
pub(super) struct StopSignals {
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
