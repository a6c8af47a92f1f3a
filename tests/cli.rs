//! The `sips-wallet` binary, run as a user would: the tour, help and usage, a new user's slips.

mod common;

use std::process::{Command, Stdio};

use common::binary::{assert_holds, cli, run, stop, text, BIN};

#[test]
fn no_arguments_runs_the_tour() {
    let output = Command::new(BIN).env_remove("RUST_LOG").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("13 of 13 steps gave the expected response code."),
        "{stdout}"
    );
    assert!(stdout.contains("4111##########11"), "{stdout}");
    assert!(!stdout.contains("4111111111111111"), "{stdout}");
}

#[test]
fn version_completions_and_whole_help_text() {
    let version = run(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        text(&version.stdout).trim(),
        format!("sips-wallet {}", env!("CARGO_PKG_VERSION"))
    );

    let bash = run(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    assert!(
        text(&bash.stdout).contains("complete -F") && text(&bash.stdout).contains("sips-wallet"),
        "a bash completion script"
    );
    assert!(text(&bash.stdout).contains("get-wallet-data"));

    // Help text is not cut at "e.g.".
    let help = text(&run(&["sign-off", "--help"]).stdout);
    assert!(
        help.contains("a version number (e.g. WR_WS_2.55) [default: WR_WS_2.51]"),
        "{help}"
    );
    // Connection options under their own heading on the calls, absent where they do nothing.
    assert!(help.contains("Connection:"), "{help}");
    let serve_help = text(&run(&["serve", "--help"]).stdout);
    assert!(!serve_help.contains("--url"), "{serve_help}");
    assert!(!serve_help.contains("--binding"), "{serve_help}");
    let seal_help = text(&run(&["seal", "--help"]).stdout);
    assert!(!seal_help.contains("--timeout"), "{seal_help}");
}

#[test]
fn usage_errors_exit_2_with_one_line_and_json_errors_go_to_stdout() {
    let key_env = [
        ("SIPS_MERCHANT_ID", "011223344550000"),
        ("SIPS_KEY_VERSION", "1"),
        ("SIPS_SECRET_KEY", "k"),
    ];
    let with_key = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .envs(key_env)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    // A required field left out.
    let missing = with_key(&["--url", "http://127.0.0.1:9", "sign-off"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = text(&missing.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("merchantWalletId"), "{stderr}");
    // --timeout 0, and times past a day, wherever a flag takes seconds (a huge one once
    // overflowed the clock: contract check panicked).
    let zero = with_key(&["sign-off", "--timeout", "0", "--merchant-wallet-id", "W"]);
    assert_eq!(zero.status.code(), Some(2));
    let huge = u64::MAX.to_string();
    for args in [
        vec!["sign-off", "--merchant-wallet-id", "W", "--timeout", &huge],
        vec![
            "sign-off",
            "--merchant-wallet-id",
            "W",
            "--settle-window",
            &huge,
        ],
        vec![
            "contract",
            "check",
            "--file",
            "wsdl/wallet.wsdl",
            "--timeout",
            &huge,
        ],
        vec!["serve", "--request-timeout", "86401"],
    ] {
        let refused = with_key(&args);
        let stderr = text(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("1..=86400"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // An argument that is no UTF-8 (a shell passes bytes): refused, never a panic.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = std::ffi::OsStr::from_bytes(b"W\xff\xfe");
        let output = Command::new(BIN)
            .args(["get-wallet-data", "--merchant-wallet-id"])
            .arg(bytes)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("UTF-8"), "{stderr}");
        // A secret key that is no UTF-8 is named as such, not as missing.
        let output = Command::new(BIN)
            .args(["get-wallet-data", "--merchant-wallet-id", "W"])
            .args(["--merchant-id", "011223344550000", "--key-version", "1"])
            .env("SIPS_SECRET_KEY", bytes)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("SIPS_SECRET_KEY is set but is no UTF-8"),
            "{stderr}"
        );
    }
    // No credentials.
    let no_key = run(&["sign-off", "--merchant-wallet-id", "W"]);
    assert_eq!(no_key.status.code(), Some(2));

    // Nothing listening: one line on stderr in text (no second log line), and with --output json
    // one JSON object on stdout, nothing on stderr; exit 1 either way.
    let (_held, port) = common::closed_port();
    let url = format!("http://127.0.0.1:{port}");
    let as_text = with_key(&["sign-off", "--url", &url, "--merchant-wallet-id", "W"]);
    assert_eq!(as_text.status.code(), Some(1));
    let stderr = text(&as_text.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot connect to"), "{stderr}");
    let failed = with_key(&[
        "sign-off",
        "--url",
        &url,
        "--output",
        "json",
        "--merchant-wallet-id",
        "W",
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(text(&failed.stderr), "");
    let json: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(json["error"]["kind"], "connect");
    assert_eq!(json["error"]["delivery"], "NotSent");
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cannot connect"));
}

/// What a new user trips over, answered: a missing field names its flag and points to --help, a
/// mistyped flag suggests the right one, `--listen localhost:PORT` works, unreadable `seal` input
/// is an input error (not "configuration"), and a dry run masks the card number unless revealed.
#[test]
fn the_cli_answers_a_new_users_slips() {
    let missing = cli(
        &[
            "--url",
            "http://127.0.0.1:9",
            "add-card",
            "--merchant-wallet-id",
            "W",
            "--card-expiry-date",
            "202812",
        ],
        "k",
    )
    .output()
    .unwrap();
    let stderr = text(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--card-number") && stderr.contains("--help"),
        "{stderr}"
    );

    let typo = cli(&["add-card", "--card-numbr", "4111"], "k")
        .output()
        .unwrap();
    assert_holds(&typo.stderr, "'--card-number'");

    let mut server = Command::new(BIN)
        .args(["serve", "--listen", "localhost:0"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut banner,
    )
    .unwrap();
    stop(server);
    assert!(banner.contains("simulator on http://"), "{banner}");

    let unreadable = cli(&["seal", "/nonexistent/message.json"], "k")
        .output()
        .unwrap();
    let stderr = text(&unreadable.stderr);
    assert_eq!(unreadable.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read /nonexistent/message.json"),
        "{stderr}"
    );
    assert!(!stderr.contains("configuration"), "{stderr}");

    let masked = cli(
        &[
            "--url",
            "http://127.0.0.1:9",
            "add-card",
            "--dry-run",
            "--merchant-wallet-id",
            "W",
            "--card-expiry-date",
            "202812",
            "--card-number",
            "4111111111111111",
        ],
        "k",
    )
    .output()
    .unwrap();
    let body = text(&masked.stdout);
    assert!(
        body.contains("<urn:cardNumber>4111##########11</urn:cardNumber>"),
        "{body}"
    );
    let help = text(&cli(&["add-card", "--help"], "k").output().unwrap().stdout);
    assert!(help.contains("Dry run:"), "{help}");
}

#[test]
fn bad_input_exits_non_zero_naming_the_field() {
    let output = cli(
        &[
            "add-card",
            "--merchant-wallet-id",
            "W",
            "--card-number",
            "4111111111111112",
            "--card-expiry-date",
            "202812",
            "--dry-run",
        ],
        "k",
    )
    .output()
    .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad field is a usage error"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cardNumber"), "{stderr}");
    assert!(!stderr.contains("4111111111111112"), "{stderr}");

    let no_key = Command::new(BIN)
        .args(["sign-off", "--merchant-wallet-id", "W", "--dry-run"])
        .env_remove("SIPS_SECRET_KEY")
        .output()
        .unwrap();
    assert_ne!(no_key.status.code(), Some(0));
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let mut child = Command::new(BIN)
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -1` does.
    let mut first = [0u8; 16];
    let mut stdout = child.stdout.take().unwrap();
    let _ = std::io::Read::read(&mut stdout, &mut first);
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}

/// A proxy variable that cannot be used stops the call before anything is sent, naming the
/// variable and never its password: skipping it would connect past the operator's proxy.
#[test]
fn an_unusable_proxy_variable_is_refused_naming_it() {
    for (name, url) in [
        ("HTTPS_PROXY", "ftp://u:secret@proxy.example:3128"),
        ("https_proxy", "http://u:secret@[::1"),
        ("HTTPS_PROXY", "http://proxy.example:port"),
    ] {
        let output = cli(
            &[
                "--url",
                "https://office-server.test.sips-services.com",
                "sign-off",
                "--merchant-wallet-id",
                "W1",
            ],
            "k",
        )
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env(name, url)
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains(name), "{url}: {stderr}");
        assert!(!stderr.contains("secret"), "{url}: {stderr}");
    }
}

/// Argument mistakes: a flag suggested when the typed name is part of one, the error as JSON under
/// `--output json` (exit 2 either way), and a card number typed where a flag belongs masked.
#[test]
fn argument_mistakes_are_suggested_masked_and_json_when_asked() {
    let suggested = run(&["get-wallet-data", "--wallet-id", "W1"]);
    assert_eq!(suggested.status.code(), Some(2));
    assert_holds(
        &suggested.stderr,
        "a similar argument exists: '--merchant-wallet-id'",
    );
    let json = run(&["--output", "json", "get-wallet-data", "--wallet-id", "W1"]);
    assert_eq!(json.status.code(), Some(2));
    assert_eq!(text(&json.stderr), "");
    let out: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(out["error"]["kind"], "usage");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--merchant-wallet-id"),
        "{out}"
    );
    let card = run(&["add-card", "4111111111111111"]);
    assert_eq!(card.status.code(), Some(2));
    assert_holds(&card.stderr, "4111##########11");
    assert!(!text(&card.stderr).contains("4111111111111111"));
}

/// A wrong secret key: the bank answers 34 (sealed with the key it holds), and the command says
/// the bank refused the seal and what to check, as text and as JSON.
#[test]
fn a_wrong_key_is_named_as_the_bank_refusing_the_seal() {
    let (server, _, url) = common::binary::serve_with(&[], &[]);
    let wrong_key = "not-the-key-the-bank-holds";
    let as_text = cli(
        &[
            "--url",
            &url,
            "get-wallet-data",
            "--merchant-wallet-id",
            "W1",
        ],
        wrong_key,
    )
    .output()
    .unwrap();
    let as_json = cli(
        &[
            "--url",
            &url,
            "--output",
            "json",
            "get-wallet-data",
            "--merchant-wallet-id",
            "W1",
        ],
        wrong_key,
    )
    .output()
    .unwrap();
    stop(server);
    assert_eq!(as_text.status.code(), Some(1), "{}", text(&as_text.stderr));
    assert_holds(
        &as_text.stderr,
        "the bank refused the seal of the getWalletData request (34): check the secret key and its version",
    );
    let out: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(out["error"]["kind"], "seal_refused", "{out}");
}
