//! What the binary refuses to do with what it is pointed at: a file option that names a FIFO or a
//! device, or a file over its size, is refused at once naming the flag (never a start blocked
//! forever, never gigabytes read); `--tls-cert-out` never writes through a symlink nor replaces a
//! file unless told; `contract check --file` keeps its `--timeout` and says what ran out; a state
//! file missing a row is named in the error.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::binary::{text, BIN};

/// The binary with `args`, its standard input empty, killed if it runs past `limit`.
fn run(args: &[&str], limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .env("SIPS_MERCHANT_ID", "011223344550000")
        .env("SIPS_KEY_VERSION", "1")
        .env("SIPS_SECRET_KEY", "a-key")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    (child.wait_with_output().unwrap(), started.elapsed())
}

#[cfg(unix)]
#[test]
fn file_options_read_regular_files_of_bounded_size_only() {
    let dir = common::scratch_dir("cli-guards-files");
    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = dir.join("big");
    std::fs::write(&big, vec![b'7'; 2 << 20]).unwrap();
    let url = "http://127.0.0.1:9";
    for bad in [Path::new("/dev/zero"), fifo.as_path(), big.as_path()] {
        let bad = bad.to_str().unwrap();
        let merchant = format!("M:1:{bad}");
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (
                vec![
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--tls",
                    "--tls-cert",
                    bad,
                    "--tls-key",
                    bad,
                ],
                "--tls-cert",
            ),
            (
                vec!["serve", "--listen", "127.0.0.1:0", "--merchant", &merchant],
                "--merchant",
            ),
            (
                vec![
                    "--url",
                    url,
                    "--secret-key-file",
                    bad,
                    "sign-off",
                    "--merchant-wallet-id",
                    "W",
                ],
                "secret key file",
            ),
            (
                vec![
                    "--url",
                    url,
                    "--root-certificate",
                    bad,
                    "sign-off",
                    "--merchant-wallet-id",
                    "W",
                ],
                "--root-certificate",
            ),
            (
                vec![
                    "--url",
                    url,
                    "add-card",
                    "--merchant-wallet-id",
                    "W",
                    "--card-number-file",
                    bad,
                    "--card-expiry-date",
                    "203012",
                ],
                "--card-number-file",
            ),
            (
                vec![
                    "--url",
                    url,
                    "add-direct-debit",
                    "--merchant-wallet-id",
                    "W",
                    "--iban-file",
                    bad,
                    "--mandate-id",
                    "M",
                ],
                "--iban-file",
            ),
            (vec!["seal", bad], "seal"),
        ];
        for (args, flag) in cases {
            let (output, took) = run(&args, Duration::from_secs(10));
            let err = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(flag), "{args:?} should name {flag}: {err}");
            assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `serve --tls --tls-cert-out FILE` until its banner is out, then stopped: its output.
fn serve_cert_out(extra: &[&str]) -> Output {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--tls"];
    args.extend(extra);
    let (output, _) = run(&args, Duration::from_secs(3));
    output
}

#[cfg(unix)]
#[test]
fn the_certificate_is_written_to_a_new_file_never_through_a_symlink() {
    let dir = common::scratch_dir("cli-guards-cert");
    let target = dir.join("precious.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.join("link.pem");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let existing = dir.join("existing.pem");
    std::fs::write(&existing, "old").unwrap();
    for path in [&link, &existing] {
        let output = serve_cert_out(&["--tls-cert-out", path.to_str().unwrap()]);
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(err.contains("--replace-cert-out"), "{err}");
        let out = text(&output.stdout);
        assert!(!out.contains("simulator on"), "a listener announced: {out}");
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "old");

    let fresh = dir.join("fresh.pem");
    let output = serve_cert_out(&["--tls-cert-out", fresh.to_str().unwrap()]);
    assert!(
        text(&output.stdout).contains("Certificate:"),
        "{}",
        text(&output.stderr)
    );
    assert!(std::fs::read_to_string(&fresh)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));

    for path in [&link, &existing] {
        let args = [
            "--tls-cert-out",
            path.to_str().unwrap(),
            "--replace-cert-out",
        ];
        let output = serve_cert_out(&args);
        assert!(
            text(&output.stdout).contains("Certificate:"),
            "{}",
            text(&output.stderr)
        );
        let written = std::fs::symlink_metadata(path).unwrap();
        assert!(
            written.is_file(),
            "the link itself is replaced by the certificate"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "keep me",
        "the target is untouched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn contract_check_of_a_file_keeps_its_timeout_and_says_what_ran_out() {
    let dir = common::scratch_dir("cli-guards-contract");
    let field = |i: usize| format!(r#"<element name="f{i}" type="string" minOccurs="0"/>"#);
    let types: String = (0..900)
        .map(|t| {
            let fields: String = (0..20).map(field).collect();
            format!(r#"<complexType name="T{t}"><sequence>{fields}</sequence></complexType>"#)
        })
        .collect();
    let wsdl =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/wallet.wsdl")).unwrap();
    let xsd = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wsdl/wallet.xsd"))
        .unwrap()
        .replacen(
            "<xs:complexType",
            &format!(
                "{}<xs:complexType",
                types
                    .replace("<complexType", "<xs:complexType")
                    .replace("</complexType", "</xs:complexType")
                    .replace("<sequence", "<xs:sequence")
                    .replace("</sequence", "</xs:sequence")
                    .replace("<element", "<xs:element")
                    .replace("type=\"string\"", "type=\"xs:string\"")
            ),
            1,
        );
    std::fs::write(dir.join("wallet.wsdl"), wsdl).unwrap();
    std::fs::write(dir.join("wallet.xsd"), xsd).unwrap();
    let file = dir.join("wallet.wsdl");
    let (output, took) = run(
        &[
            "contract",
            "check",
            "--file",
            file.to_str().unwrap(),
            "--timeout",
            "1",
        ],
        Duration::from_secs(20),
    );
    let err = text(&output.stderr);
    assert!(took < Duration::from_secs(3), "took {took:?}: {err}");
    assert_ne!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("--timeout") || err.contains("would exceed"),
        "the real cause, not a slow server: {err}"
    );
    assert!(!err.contains("server"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_state_file_missing_a_row_is_named() {
    let dir = common::scratch_dir("cli-guards-state");
    let file = dir.join("wallets.db");
    let (output, _) = run(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            file.to_str().unwrap(),
        ],
        Duration::from_secs(2),
    );
    assert!(
        text(&output.stdout).contains("State:"),
        "{}",
        text(&output.stderr)
    );
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection.execute("DELETE FROM meta", []).unwrap();
    drop(connection);
    let (output, _) = run(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            file.to_str().unwrap(),
        ],
        Duration::from_secs(5),
    );
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains(file.to_str().unwrap()), "{err}");
    assert!(err.contains("salt"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Card data typed anywhere, in any spelling, never comes out of the binary: a card number
/// written with two spaces, tabs, full-width digits or XML references in a wallet id, an IBAN in
/// lower case in an alias, the typed card number itself with letters between its digits; through
/// `--dry-run`, the call's text and JSON output, the `seal` command and the simulator's log.
#[test]
fn card_data_in_any_spelling_never_comes_out_of_the_binary() {
    use sips_wallet::fuzzing::{card_number_in, holds_by_value, iban_in};
    const CARD: &str = "4111111111111111";
    const TYPED: &str = "5555555555554444";
    let wallets = [
        "W 4111  1111  1111  1111".to_string(),
        "W 4111\t1111\t1111\t1111".into(),
        "W ４１１１１１１１１１１１１１１１".into(),
        "W &#52;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;".into(),
    ];
    let alias = "pay nl91 abna 0417 1643 00 or 5x5x5x5x5x5x5x5x5x5x5x5x4x4x4x4";
    let mut server = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .env_remove("SIPS_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap());
    while !banner.contains("State:") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut lines, &mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
    }
    let url = banner
        .split_whitespace()
        .find_map(|w| w.strip_suffix("/services/v2/wallet"))
        .unwrap()
        .to_string();
    let demo = |args: &[&str]| {
        let output = Command::new(BIN)
            .args(["--url", url.as_str()])
            .args(args)
            .env("SIPS_MERCHANT_ID", sips_wallet::simulator::DEMO_MERCHANT_ID)
            .env("SIPS_KEY_VERSION", sips_wallet::simulator::DEMO_KEY_VERSION)
            .env("SIPS_SECRET_KEY", sips_wallet::simulator::DEMO_SECRET_KEY)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        text(&output.stdout) + &text(&output.stderr)
    };
    let mut shown = Vec::new();
    for wallet in &wallets {
        let add = [
            "add-card",
            "--merchant-wallet-id",
            wallet,
            "--card-number",
            TYPED,
        ];
        let rest = [
            "--card-expiry-date",
            "203012",
            "--payment-mean-alias",
            alias,
        ];
        let args: Vec<&str> = add.iter().chain(&rest).copied().collect();
        shown.push(demo(&[&args[..], &["--dry-run"]].concat()));
        shown.push(demo(&args));
        for output in ["text", "json"] {
            shown.push(demo(&[
                "--output",
                output,
                "get-wallet-data",
                "--merchant-wallet-id",
                wallet,
            ]));
        }
    }
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let log = server.wait_with_output().unwrap();
    shown.push(text(&log.stderr));
    assert!(
        shown[0].contains("<urn:cardNumber>"),
        "the dry run: {}",
        shown[0]
    );
    for output in &shown {
        assert!(
            card_number_in(output).is_none(),
            "a card number came out: {output}"
        );
        assert!(iban_in(output).is_none(), "an IBAN came out: {output}");
        assert!(
            !holds_by_value(output, TYPED),
            "the typed card number came out: {output}"
        );
        assert!(!output.contains(CARD), "{output}");
    }
}
