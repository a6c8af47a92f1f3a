//! The `sips-wallet` binary run as a user would: with credentials in the environment, with input
//! on stdin, as `serve` in a process of its own.

use std::io::Write;
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_sips-wallet");

pub fn cli(args: &[&str], key: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("SIPS_MERCHANT_ID", "011223344550000")
        .env("SIPS_KEY_VERSION", "1")
        .env("SIPS_SECRET_KEY", key)
        .env_remove("RUST_LOG");
    command
}

/// Runs `command` with `input` on its standard input: its whole output.
pub fn output_with_stdin(mut command: Command, input: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn run_with_stdin(command: Command, input: &str) -> (i32, String) {
    let output = output_with_stdin(command, input);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// Starts `serve` with `env` on a port the system picks, waits for its banner (up to the `State:`
/// line) and returns it with the server's URL, read from the banner (no port race with other tests).
pub fn serve_with(env: &[(&str, &str)], args: &[&str]) -> (std::process::Child, String, String) {
    use std::io::BufRead;
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SIPS_MERCHANT_ID")
        .env_remove("SIPS_KEY_VERSION")
        .env_remove("SIPS_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut server = command.spawn().unwrap();
    let mut banner = String::new();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap());
    while !banner.contains("State:") {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
    }
    // The rest of stdout, read when the server ends.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut lines, &mut rest);
        rest
    });
    let url = banner
        .split_whitespace()
        .find_map(|word| word.strip_suffix("/services/v2/wallet"))
        .unwrap_or_else(|| panic!("no URL in the banner: {banner}"))
        .to_string();
    (server, banner, url)
}

/// Stops a `serve` started by `serve_with` as an operator would (SIGTERM), and waits for it.
pub fn stop(server: std::process::Child) -> std::process::Output {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    server.wait_with_output().unwrap()
}

pub fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SIPS_MERCHANT_ID")
        .env_remove("SIPS_KEY_VERSION")
        .env_remove("SIPS_SECRET_KEY")
        .output()
        .unwrap()
}

/// Asserts that an output stream holds `needle`, showing the stream when it does not.
#[track_caller]
pub fn assert_holds(stream: &[u8], needle: &str) {
    let shown = text(stream);
    assert!(shown.contains(needle), "expected {needle:?} in:\n{shown}");
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// `add-card --dry-run` for wallet W, the card number given by `card` (flags and values).
pub fn add_card_dry_run(card: &[&str]) -> Command {
    let mut args = vec![
        "--url",
        "http://127.0.0.1:9",
        "add-card",
        "--dry-run",
        "--reveal",
        "--merchant-wallet-id",
        "W",
        "--card-expiry-date",
        "203012",
    ];
    args.extend_from_slice(card);
    cli(&args, "k")
}
