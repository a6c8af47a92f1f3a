//! What the binary refuses to do with what it is pointed at: a file option that names a FIFO or a
//! device, or a file over its size, is refused at once naming the flag (never a start blocked
//! forever, never gigabytes read); `--tls-cert-out` never writes through a symlink nor replaces a
//! file unless told; `contract check --file` keeps its `--timeout` and says what ran out; a state
//! file missing a row is named in the error.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sips-wallet");

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
