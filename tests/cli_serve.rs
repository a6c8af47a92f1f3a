//! `sips-wallet serve`: the simulator as a process of its own, driven by the binary.

mod common;

use std::process::Command;

use common::binary::{assert_holds, cli, serve_with, stop, text, BIN};

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
    assert_holds(&untrusted.stderr, "does not trust");
    assert_holds(&untrusted.stderr, "--root-certificate");
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
