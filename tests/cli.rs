//! The `sips-wallet` binary, run as a user would.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sips-wallet");

fn cli(args: &[&str], key: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("SIPS_MERCHANT_ID", "011223344550000")
        .env("SIPS_KEY_VERSION", "1")
        .env("SIPS_SECRET_KEY", key)
        .env_remove("RUST_LOG");
    command
}

fn run_with_stdin(mut command: Command, input: &str) -> (i32, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn seal_reproduces_the_documented_examples() {
    // SIPS-FACTS §4: the signOff example's sealed string.
    let message = r#"{"interfaceVersion":"WR_WS_2.51","keyVersion":"1","merchantId":"011223344550000","merchantWalletId":"SIM01"}"#;
    let (code, out) = run_with_stdin(cli(&["seal"], "superSafeSecretKey"), message);
    assert_eq!(code, 0);
    assert!(out.contains("  WR_WS_2.51011223344550000SIM01\n"), "{out}");
    let order: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" = "))
        .map(|l| l.trim().split(" = ").next().unwrap())
        .collect();
    assert_eq!(
        order,
        ["interfaceVersion", "merchantId", "merchantWalletId"]
    );

    // The HMAC-SHA-256 primitive example: a one-field message whose value is the test string.
    let (code, out) = run_with_stdin(
        cli(
            &[
                "seal",
                "--expect",
                "198e5f278e3f8548e174e84492953c4871732278b7e2aa2cbf20bb1ab85914ea",
            ],
            "superSafeSecretKey",
        ),
        r#"{"data":"This is a test!"}"#,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Matches --expect."), "{out}");

    let (code, out) = run_with_stdin(
        cli(&["seal", "--expect", "00"], "superSafeSecretKey"),
        r#"{"data":"This is a test!"}"#,
    );
    assert_eq!(code, 1);
    assert!(out.contains("Does NOT match"), "{out}");
}

#[test]
fn every_dry_run_envelope_validates_and_reseals() {
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/wallet.xsd");
    let dir = common::scratch_dir("cli");
    let commands: &[&[&str]] = &[
        &[
            "add-card",
            "--merchant-wallet-id",
            "W",
            "--card-number",
            "4111111111111111",
            "--card-expiry-date",
            "202812",
            "--pan-type",
            "PAN",
        ],
        &[
            "update-payment-mean",
            "--merchant-wallet-id",
            "W",
            "--payment-mean-id",
            "1",
            "--payment-mean-alias",
            "a",
        ],
        &[
            "delete-payment-mean",
            "--merchant-wallet-id",
            "W",
            "--payment-mean-id",
            "1",
        ],
        &["sign-off", "--merchant-wallet-id", "W"],
        &["get-wallet-data", "--merchant-wallet-id", "W"],
        &[
            "get-payment-mean-data",
            "--merchant-wallet-id",
            "W",
            "--payment-mean-id",
            "1",
        ],
    ];
    for args in commands {
        let mut all = args.to_vec();
        // As sent, card number in clear: the seal is checked over it below.
        all.extend(["--dry-run", "--reveal"]);
        let output = cli(&all, "k").output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let envelope = String::from_utf8(output.stdout).unwrap();
        let body = envelope
            .split("<soapenv:Body>")
            .nth(1)
            .unwrap()
            .split("</soapenv:Body>")
            .next()
            .unwrap();
        let file = dir.join(format!("{}.xml", args[0]));
        std::fs::write(&file, body.trim()).unwrap();
        let lint = common::xmllint::schema_check(xsd)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{}: {}",
            args[0],
            String::from_utf8_lossy(&lint.stderr)
        );
        // `seal` on the dry run's own output agrees with the seal in it.
        let (code, out) = run_with_stdin(cli(&["seal"], "k"), &envelope);
        assert_eq!(code, 0, "{}: {out}", args[0]);
        assert!(out.contains("Matches the message's seal."));
    }
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
fn serve_is_driven_by_the_cli_from_another_process() {
    let (mut server, _, url) = serve_with(&[], &[]);
    let demo_key = sips_wallet::simulator::DEMO_SECRET_KEY;
    let add = cli(
        &[
            "--url",
            &url,
            "add-card",
            "--merchant-wallet-id",
            "CLI",
            "--card-number",
            "4111111111111111",
            "--card-expiry-date",
            "202812",
        ],
        demo_key,
    )
    .output()
    .unwrap();
    let add_out = String::from_utf8_lossy(&add.stdout).to_string();
    let list = cli(
        &[
            "--url",
            &url,
            "--output",
            "json",
            "get-wallet-data",
            "--merchant-wallet-id",
            "CLI",
        ],
        demo_key,
    )
    .output()
    .unwrap();
    let list_json = cli(
        &[
            "--url",
            &url,
            "--binding",
            "json",
            "--output",
            "json",
            "get-wallet-data",
            "--merchant-wallet-id",
            "CLI",
        ],
        demo_key,
    )
    .output()
    .unwrap();
    let missing = cli(
        &["--url", &url, "sign-off", "--merchant-wallet-id", "NOBODY"],
        demo_key,
    )
    .output()
    .unwrap();
    server.kill().unwrap();
    let _ = server.wait();

    assert_eq!(add.status.code(), Some(0), "{add_out}");
    assert!(
        add_out.contains("addCard: 00") && add_out.contains("seal verified"),
        "{add_out}"
    );
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(json["responseCode"], "00");
    assert_eq!(json["sealVerified"], true);
    assert_eq!(
        json["response"]["walletPaymentMeanDataList"][0]["maskedPan"],
        "4111##########11"
    );
    let over_json: serde_json::Value = serde_json::from_slice(&list_json.stdout).unwrap();
    assert_eq!(over_json["sealVerified"], true);
    assert_eq!(
        over_json["response"], json["response"],
        "JSON and SOAP agree"
    );
    assert_eq!(missing.status.code(), Some(3), "a non-00 code exits 3");
    assert!(String::from_utf8_lossy(&missing.stdout).contains("25 Wallet or payment mean unknown"));
}

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

/// Starts `serve` with `env` on a port the system picks, waits for its banner (up to the `State:`
/// line) and returns it with the server's URL, read from the banner (no port race with other tests).
fn serve_with(env: &[(&str, &str)], args: &[&str]) -> (std::process::Child, String, String) {
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

#[test]
fn serve_takes_its_merchant_from_sips_variables_logs_each_call_and_stops_on_sigterm() {
    let (server, banner, url) = serve_with(
        &[
            ("SIPS_MERCHANT_ID", "002001000000001"),
            ("SIPS_KEY_VERSION", "2"),
            ("SIPS_SECRET_KEY", "env-given-key"),
        ],
        &[],
    );
    assert!(
        banner.contains("Merchant 002001000000001, key version 2\n"),
        "{banner}"
    );
    assert!(
        banner.contains("Merchant 011223344550000, key version 1 (demo:"),
        "{banner}"
    );
    assert!(!banner.contains("env-given-key"), "{banner}");
    assert!(banner.contains("State: in memory"), "{banner}");

    let add = Command::new(BIN)
        .args(["--url", &url, "add-card", "--merchant-wallet-id", "LOGGED"])
        .args([
            "--card-number",
            "4111111111111111",
            "--card-expiry-date",
            "202812",
        ])
        .env("SIPS_MERCHANT_ID", "002001000000001")
        .env("SIPS_KEY_VERSION", "2")
        .env("SIPS_SECRET_KEY", "env-given-key")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(
        add.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&add.stdout)
    );

    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let output = server.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("answered") && l.contains("operation=\"addCard\""))
        .unwrap_or_else(|| panic!("no request log line:\n{log}"));
    for expected in [
        "merchant=002001000000001",
        "wallet=LOGGED",
        "code=00",
        "duration_ms=",
    ] {
        assert!(line.contains(expected), "{expected} missing: {line}");
    }
    assert!(!log.contains("4111111111111111"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log that is not a terminal: {log}"
    );
}

#[test]
fn serve_refuses_bad_settings_clearly() {
    let fail_rate = Command::new(BIN)
        .args(["serve", "--fail-rate", "2"])
        .output()
        .unwrap();
    assert_eq!(fail_rate.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&fail_rate.stderr).contains("not a share from 0 to 1"));

    let dir = common::scratch_dir("cli-scenario");
    let scenario = dir.join("rules.toml");
    std::fs::write(&scenario, "[[rule]]\nwallet = \"W\"\n").unwrap();
    let bad_rules = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--scenario"])
        .arg(&scenario)
        .output()
        .unwrap();
    assert_ne!(bad_rules.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&bad_rules.stderr).contains("scenario rule 1: `answer` missing"),
        "{}",
        String::from_utf8_lossy(&bad_rules.stderr)
    );

    let state = dir.join("held.db");
    let (first, _, _) = serve_with(&[], &["--state", state.to_str().unwrap()]);
    let second = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    stop(first);
    assert_ne!(second.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("in use by another simulator"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
}

fn run(args: &[&str]) -> std::process::Output {
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
fn assert_holds(stream: &[u8], needle: &str) {
    let shown = text(stream);
    assert!(shown.contains(needle), "expected {needle:?} in:\n{shown}");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
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
    // --timeout 0.
    let zero = with_key(&["sign-off", "--timeout", "0", "--merchant-wallet-id", "W"]);
    assert_eq!(zero.status.code(), Some(2));
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

/// `add-card --dry-run` for wallet W, the card number given by `card` (flags and values).
fn add_card_dry_run(card: &[&str]) -> Command {
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

/// Stops a `serve` started by `serve_with` as an operator would (SIGTERM), and waits for it.
fn stop(server: std::process::Child) -> std::process::Output {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    server.wait_with_output().unwrap()
}

#[test]
fn seal_prints_json_and_card_numbers_come_from_stdin_or_a_file() {
    let message = r#"{"merchantId":"011223344550000","interfaceVersion":"WR_WS_2.51","keyVersion":"1","merchantWalletId":"SIM01"}"#;
    let mut seal = cli(&["seal", "--output", "json"], "superSafeSecretKey");
    let (code, out) = run_with_stdin(std::mem::replace(&mut seal, Command::new(BIN)), message);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["sealedString"], "WR_WS_2.51011223344550000SIM01");
    assert_eq!(json["fields"][0]["path"], "interfaceVersion");
    assert_eq!(json["matches"], serde_json::Value::Null);

    // --card-number - reads standard input: the dry run holds it, no warning is printed.
    let mut child = add_card_dry_run(&["--card-number", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"4111111111111111\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("<urn:cardNumber>4111111111111111</urn:cardNumber>"));
    assert_eq!(text(&output.stderr), "");

    // From a file.
    let dir = common::scratch_dir("cli-card");
    let file = dir.join("card");
    std::fs::write(&file, "5555555555554444\n").unwrap();
    let from_file = add_card_dry_run(&["--card-number-file", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(text(&from_file.stdout).contains(">5555555555554444<"));

    // As a plain argument it still works, with a warning.
    let plain = add_card_dry_run(&["--card-number", "4111111111111111"])
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(0));
    assert_holds(&plain.stderr, "visible in `ps`");
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

/// `--threads N` serves on N threads, with a state file too: concurrent calls all answered, each
/// change in the file, and SIGTERM still exits 0.
#[test]
fn serve_on_several_threads_answers_concurrent_calls() {
    let dir = common::scratch_dir("cli-threads");
    let state = dir.join("state.db");
    let (server, banner, url) =
        serve_with(&[], &["--threads", "2", "--state", state.to_str().unwrap()]);
    assert!(banner.contains("State:"), "{banner}");
    // The demo merchant adds the same card to wallet `i`.
    let add = |url: &str, i: usize| {
        let wallet = format!("THREADS-{i}");
        let args = [
            "--url",
            url,
            "add-card",
            "--merchant-wallet-id",
            &wallet,
            "--card-number",
            "4111111111111111",
            "--card-expiry-date",
            "203001",
        ];
        cli(&args, sips_wallet::simulator::DEMO_SECRET_KEY)
            .output()
            .unwrap()
    };
    std::thread::scope(|scope| {
        let (add, url) = (&add, url.as_str());
        let calls: Vec<_> = (0..8).map(|i| scope.spawn(move || add(url, i))).collect();
        for call in calls {
            let output = call.join().unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        }
    });
    let stopped = stop(server);
    assert_eq!(stopped.status.code(), Some(0), "{}", text(&stopped.stderr));
    // Every change is in the file: each wallet now answers 94 for the same card.
    let (again, _, url) = serve_with(&[], &["--state", state.to_str().unwrap()]);
    let repeats: Vec<_> = (0..8).map(|i| add(&url, i)).collect();
    stop(again);
    let _ = std::fs::remove_dir_all(&dir);
    for repeat in repeats {
        assert_eq!(repeat.status.code(), Some(3), "{}", text(&repeat.stdout));
        assert_holds(&repeat.stdout, "94");
    }
}

#[test]
fn contract_check_reports_a_served_contract_that_matches_and_a_copy_that_drifted() {
    let (server, _, url) = serve_with(&[], &[]);
    let same = run(&["contract", "check", "--url", &url]);
    stop(server);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_holds(&same.stdout, "the same 7 operations");

    // A saved copy where cardNumber became optional and a brand value was added.
    let wsdl_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl");
    let dir = common::scratch_dir("cli-drift");
    std::fs::copy(wsdl_dir.join("wallet.wsdl"), dir.join("wallet.wsdl")).unwrap();
    let xsd = std::fs::read_to_string(wsdl_dir.join("wallet.xsd"))
        .unwrap()
        .replace(
            r#"<xs:element name="cardNumber" type="xs:string">"#,
            r#"<xs:element name="cardNumber" type="xs:string" minOccurs="0">"#,
        )
        .replace(
            r#"<xs:enumeration value="VISA">"#,
            r#"<xs:enumeration value="WERO"/><xs:enumeration value="VISA">"#,
        );
    std::fs::write(dir.join("wallet.xsd"), xsd).unwrap();
    let drifted = run(&[
        "contract",
        "check",
        "--file",
        dir.join("wallet.wsdl").to_str().unwrap(),
    ]);
    assert_eq!(drifted.status.code(), Some(3));
    let out = text(&drifted.stdout);
    assert!(
        out.contains("addCard: request.cardNumber: occurrence required → optional"),
        "{out}"
    );
    assert!(out.contains("values added: WERO"), "{out}");

    // The same copy published by a simulator: fetched over HTTP, the same report.
    let (server, _, url) = serve_with(&[], &["--publish-wsdl", dir.to_str().unwrap()]);
    let served = run(&["contract", "check", "--url", &url]);
    stop(server);
    assert_eq!(served.status.code(), Some(3), "{}", text(&served.stderr));
    assert!(
        text(&served.stdout)
            .contains("addCard: request.cardNumber: occurrence required → optional"),
        "{}",
        text(&served.stdout)
    );
}

/// A card number a user put in free-text fields (wallet id, alias), after digits that must not
/// hide it, never comes out of the binary: call output (text and JSON), the `seal` command (text
/// and JSON), the simulator's request log.
#[test]
fn card_numbers_in_free_text_fields_never_come_out_of_the_binary() {
    const CARD: &str = "5555555555554444";
    let wallet = format!("order 1234 {CARD}");
    let alias = format!("on 2026-12-01 {CARD}");
    let (server, _banner, url) = serve_with(&[], &[]);
    let demo_key = sips_wallet::simulator::DEMO_SECRET_KEY;
    let call = |args: &[&str]| {
        let mut all = vec!["--url", url.as_str()];
        all.extend_from_slice(args);
        let output = cli(&all, demo_key).output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let mut shown = vec![call(&[
        "add-card",
        "--merchant-wallet-id",
        &wallet,
        "--card-number",
        "4111111111111111",
        "--card-expiry-date",
        "202812",
        "--payment-mean-alias",
        &alias,
    ])];
    for output in ["text", "json"] {
        shown.push(call(&[
            "--output",
            output,
            "get-wallet-data",
            "--merchant-wallet-id",
            &wallet,
        ]));
    }
    let message = format!(
        r#"{{"interfaceVersion":"WR_WS_2.51","merchantId":"011223344550000","merchantWalletId":"{wallet}","paymentMeanAlias":"{alias}","seal":"at 10:00 {CARD}"}}"#
    );
    for args in [&["seal"][..], &["--output", "json", "seal"]] {
        shown.push(run_with_stdin(cli(args, "k"), &message).1);
    }
    let log = stop(server);
    shown.push(String::from_utf8_lossy(&log.stderr).to_string());
    assert!(
        shown[1].contains("paymentMeanAlias: on 2026-"),
        "{}",
        shown[1]
    );
    assert!(shown[5].contains("add"), "the request log: {}", shown[5]);
    for text in shown {
        assert!(!text.contains(CARD), "a card number came out: {text}");
        assert!(!text.contains("4111111111111111"), "{text}");
    }
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

/// `contract check --url` fetches only what the WSDL names at its own origin: a schemaLocation on
/// another port (a canary standing for an internal service) is refused by name, never contacted.
#[test]
fn contract_check_never_fetches_outside_the_wsdls_origin() {
    use common::{Action, TestServer};
    use std::sync::atomic::Ordering;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let canary = rt.block_on(TestServer::start(|_| {
        Action::Respond(200, "<admin>token</admin>".into())
    }));
    let wsdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/wallet.wsdl"))
        .unwrap()
        .replace(
            r#"schemaLocation="wallet.xsd""#,
            &format!(r#"schemaLocation="{}/internal/admin?token=1""#, canary.url),
        );
    assert!(wsdl.contains("/internal/admin"));
    let bank = rt.block_on(TestServer::start(move |_| {
        Action::Respond(200, wsdl.clone())
    }));
    let output = Command::new(BIN)
        .args(["contract", "check", "--url", &bank.url, "--timeout", "20"])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("not at the WSDL's origin"), "{stderr}");
    assert!(
        stderr.contains("/internal/admin"),
        "names the location: {stderr}"
    );
    assert!(!stderr.contains("<admin>"), "{stderr}");
    assert_eq!(
        bank.requests.load(Ordering::SeqCst),
        1,
        "the WSDL was fetched"
    );
    assert_eq!(
        canary.requests.load(Ordering::SeqCst),
        0,
        "the canary was never contacted"
    );
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

/// `add-direct-debit` against `serve`: the IBAN from standard input (as card numbers are), masked
/// in every output and in the simulator's log; 94 for the same mandate; a wrong IBAN is a usage
/// error naming `--iban`, before anything is sent.
#[test]
fn add_direct_debit_from_the_command_line_never_shows_the_iban() {
    const IBAN: &str = "FR7630006000011234567890189";
    let (server, _, url) = serve_with(&[], &[]);
    let demo_key = sips_wallet::simulator::DEMO_SECRET_KEY;
    let call = |mandate: &str, iban: &str| {
        let mut child = cli(
            &[
                "--url",
                &url,
                "add-direct-debit",
                "--merchant-wallet-id",
                "CLI-SDD",
                "--iban",
                "-",
                "--mandate-id",
                mandate,
            ],
            demo_key,
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{iban}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let first = call("M-1", IBAN);
    let again = call("M-1", IBAN);
    let wrong = call("M-2", "FR7630006000011234567890188");
    let log = stop(server);

    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_holds(&first.stdout, "addDirectDebit: 00");
    assert_holds(&first.stdout, "FR76#####################89");
    assert_eq!(again.status.code(), Some(3), "the same mandate: 94");
    assert_holds(&again.stdout, "94");
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong.stderr));
    assert_holds(&wrong.stderr, "--iban");
    for output in [&first, &again, &wrong, &log] {
        for shown in [text(&output.stdout), text(&output.stderr)] {
            assert!(!shown.contains(IBAN), "the IBAN in clear: {shown}");
            assert!(!shown.contains("FR7630006000011234567890188"), "{shown}");
        }
    }
}

/// `contract check` speaks about meaning: our WSDL as JAX-WS publishes it (lists of values as
/// plain `xs:string`) and as CXF does (fields `minOccurs="0"`) is the same contract (exit 0, with
/// notes; `--strict` counts them); a field's built-in type changing, or `elementFormDefault`, is a
/// change (exit 3, named).
#[test]
fn contract_check_tells_a_publishing_tools_shape_from_a_real_change() {
    let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl");
    let wsdl = std::fs::read_to_string(format!("{bundled}/wallet.wsdl")).unwrap();
    let xsd = std::fs::read_to_string(format!("{bundled}/wallet.xsd")).unwrap();
    let enums = [
        "SealAlgorithm",
        "PanType",
        "PaymentMeanBrand",
        "PaymentMeanBrandSelectionStatus",
        "WalletResponseCode",
    ];
    let jax_ws = enums.iter().fold(xsd.clone(), |x, e| {
        x.replace(&format!(r#"type="tns:{e}""#), r#"type="xs:string""#)
    });
    let cxf = xsd.replace(r#"type="xs:string">"#, r#"type="xs:string" minOccurs="0">"#);
    let typed = xsd.replacen(
        r#"<xs:element name="merchantWalletId" type="xs:string">"#,
        r#"<xs:element name="merchantWalletId" type="xs:int">"#,
        1,
    );
    let unqualified = xsd.replace(
        r#"elementFormDefault="qualified""#,
        r#"elementFormDefault="unqualified""#,
    );
    assert_ne!(jax_ws, xsd);
    assert_ne!(cxf, xsd);
    assert_ne!(typed, xsd);
    assert_ne!(unqualified, xsd);
    let check = |name: &str, xsd: &str, strict: bool| {
        let dir = common::scratch_dir(&format!("drift-{name}"));
        std::fs::write(dir.join("wallet.wsdl"), &wsdl).unwrap();
        std::fs::write(dir.join("wallet.xsd"), xsd).unwrap();
        let file = dir.join("wallet.wsdl");
        let mut args = vec!["contract", "check", "--file", file.to_str().unwrap()];
        if strict {
            args.push("--strict");
        }
        let output = Command::new(BIN)
            .args(&args)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        (output.status.code(), text(&output.stdout))
    };

    for (name, shaped) in [("jax-ws", &jax_ws), ("cxf", &cxf)] {
        let (code, out) = check(name, shaped, false);
        assert_eq!(code, Some(0), "{name}: {out}");
        assert!(out.contains("the same 7 operations"), "{name}: {out}");
        assert!(out.contains("note:"), "{name}: {out}");
        let (code, out) = check(name, shaped, true);
        assert_eq!(code, Some(3), "{name} --strict: {out}");
    }
    let (code, out) = check("typed", &typed, false);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("merchantWalletId: type string → int"), "{out}");
    let (code, out) = check("unqualified", &unqualified, false);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("elementFormDefault qualified → unqualified"),
        "{out}"
    );
}

/// `serve --tls --tls-cert-out FILE`, then a call over HTTPS trusting FILE with
/// `--root-certificate`; without it the call cannot connect.
#[test]
fn serve_tls_and_a_call_trusting_its_certificate() {
    let dir = common::scratch_dir("cli-tls");
    let cert = dir.join("simulator.pem");
    let (server, banner, url) =
        serve_with(&[], &["--tls", "--tls-cert-out", cert.to_str().unwrap()]);
    let url = url.replacen("http://", "https://", 1);
    assert!(banner.contains("https://127.0.0.1:"), "{banner}");
    assert!(banner.contains("Certificate:"), "{banner}");
    let demo_key = sips_wallet::simulator::DEMO_SECRET_KEY;
    let call = |extra: &[&str]| {
        let mut args = vec![
            "--url",
            url.as_str(),
            "sign-off",
            "--merchant-wallet-id",
            "TLS-CLI",
        ];
        args.extend_from_slice(extra);
        cli(&args, demo_key).output().unwrap()
    };
    let trusted = call(&["--root-certificate", cert.to_str().unwrap()]);
    let untrusted = call(&[]);
    stop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        trusted.status.code(),
        Some(3),
        "25 for an unknown wallet: {}",
        text(&trusted.stderr)
    );
    assert_holds(&trusted.stdout, "signOff: 25");
    assert_eq!(
        untrusted.status.code(),
        Some(1),
        "{}",
        text(&untrusted.stderr)
    );
    assert_holds(&untrusted.stderr, "cannot connect");
}

/// The banner's seed replays the run, even a seed whose digits pass for a card number: the
/// output masker must not hide it.
#[test]
fn the_seed_in_the_banner_replays_the_run() {
    fn seed_line(banner: &str) -> String {
        let line = banner
            .lines()
            .find(|l| l.starts_with("Seed: "))
            .unwrap_or("");
        line.to_string()
    }
    let (first, banner, _) = serve_with(&[], &["--seed", "4111111111111111"]);
    stop(first);
    let line = seed_line(&banner);
    assert!(line.ends_with("--seed 4111_1111_1111_1111)"), "{banner}");
    let printed = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let (second, replayed, _) = serve_with(&[], &["--seed", &printed]);
    stop(second);
    assert_eq!(seed_line(&replayed), line, "{replayed}");
}
