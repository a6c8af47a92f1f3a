//! The binary's wallet calls: dry runs that validate and reseal, and card data that never comes out.

mod common;

use common::binary::{
    assert_holds, cli, output_with_stdin, run_with_stdin, serve_with, stop, text,
};

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

/// `add-direct-debit` against `serve`: the IBAN from standard input (as card numbers are), masked
/// in every output and in the simulator's log; 94 for the same mandate; a wrong IBAN is a usage
/// error naming `--iban`, before anything is sent.
#[test]
fn add_direct_debit_from_the_command_line_never_shows_the_iban() {
    const IBAN: &str = "FR7630006000011234567890189";
    let (server, _, url) = serve_with(&[], &[]);
    let demo_key = sips_wallet::simulator::DEMO_SECRET_KEY;
    let call = |mandate: &str, iban: &str| {
        let command = cli(
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
        );
        output_with_stdin(command, &format!("{iban}\n"))
    };
    let first = call("M-1", IBAN);
    let again = call("M-1", IBAN);
    let wrong = call("M-2", "FR7630006000011234567890188");
    let printed = "fr76 3000 6000 0112 3456 7890 189";
    let spaced = call("M-3", printed);
    let log = stop(server);

    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_holds(&first.stdout, "addDirectDebit: 00");
    assert_holds(&first.stdout, "FR76#####################89");
    assert_eq!(again.status.code(), Some(3), "the same mandate: 94");
    assert_holds(&again.stdout, "94");
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong.stderr));
    assert_holds(&wrong.stderr, "--iban");
    assert_eq!(spaced.status.code(), Some(0), "{}", text(&spaced.stderr));
    assert_holds(
        &spaced.stderr,
        "--iban written as the bank writes it: upper case, no spaces",
    );
    assert_holds(&spaced.stdout, "FR76#####################89");
    for output in [&first, &again, &wrong, &spaced, &log] {
        for shown in [text(&output.stdout), text(&output.stderr)] {
            assert!(!shown.contains(IBAN), "the IBAN in clear: {shown}");
            assert!(!shown.contains(printed), "the IBAN in clear: {shown}");
            assert!(!shown.contains("FR7630006000011234567890188"), "{shown}");
        }
    }
}
