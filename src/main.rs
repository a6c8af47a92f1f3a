//! The `sips-wallet` binary: see `sips-wallet --help`.

mod cli;
mod tour;

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    // `serve` logs one line per call unless RUST_LOG says otherwise; other commands only warnings.
    let serving = std::env::args().any(|a| a == "serve");
    let default = if serving {
        "warn,sips_wallet::simulator=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::new(std::env::var("RUST_LOG").unwrap_or_else(|_| default.into()));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
    cli::run(std::env::args_os()).await
}
