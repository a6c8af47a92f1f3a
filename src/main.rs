//! The `sips-wallet` binary: see `sips-wallet --help`.

mod cli;
mod tour;

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

// `serve` makes and drops many small strings per call (every field read and written); glibc's
// allocator spends a tenth of the simulator's CPU on them, mimalloc much less (README, benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `serve` logs one line per call unless RUST_LOG says otherwise; other commands only warnings.
    // `args_os`: an argument that is no UTF-8 is the command line's to refuse, not a panic here.
    let serving = std::env::args_os().any(|a| a == "serve");
    let default = if serving {
        "warn,sips_wallet::simulator=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::new(std::env::var("RUST_LOG").unwrap_or_else(|_| default.into()));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| MaskedStderr)
        .with_ansi(colour)
        .init();
    cli::run(std::env::args_os())
}

/// Standard error through the library's masker: every log line of the binary (the simulator's
/// request log included) is written with card numbers and IBANs masked, whatever field they hid
/// in, and those this run was given masked by value.
struct MaskedStderr;

impl std::io::Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // tracing-subscriber writes one whole event per call, so no card number is cut in two.
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(cli::given().mask(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
