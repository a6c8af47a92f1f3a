//! `sips-wallet seal`: the documented examples, and card numbers from stdin or a file.

mod common;

use std::process::Command;

use common::binary::{
    add_card_dry_run, assert_holds, cli, output_with_stdin, run_with_stdin, text, BIN,
};

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
fn seal_prints_json_and_card_numbers_come_from_stdin_or_a_file() {
    let message = r#"{"merchantId":"011223344550000","interfaceVersion":"WR_WS_2.51","keyVersion":"1","merchantWalletId":"SIM01"}"#;
    let mut seal = cli(&["seal", "--output", "json"], "superSafeSecretKey");
    let (code, out) = run_with_stdin(std::mem::replace(&mut seal, Command::new(BIN)), message);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["sealedString"], "WR_WS_2.51011223344550000SIM01");
    assert_eq!(json["fields"][0]["path"], "interfaceVersion");
    assert_eq!(json["matches"], serde_json::Value::Null);

    // Card data fields show as the bank shows them: a card number and an IBAN each keep their
    // first 4 and last 2 characters.
    let mandate = r#"{"merchantId":"011223344550000","interfaceVersion":"WR_WS_2.55","merchantWalletId":"SIM01","cardNumber":"4111111111111111","iban":"FR7630006000011234567890189"}"#;
    let seal = cli(&["seal"], "superSafeSecretKey");
    let (code, out) = run_with_stdin(seal, mandate);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cardNumber = 4111##########11"), "{out}");
    assert!(out.contains("iban = FR76#####################89"), "{out}");
    assert!(
        !out.contains("4111111111111111") && !out.contains("FR763000600001"),
        "{out}"
    );

    // --card-number - reads standard input: the dry run holds it, no warning is printed.
    let output = output_with_stdin(
        add_card_dry_run(&["--card-number", "-"]),
        "4111111111111111\n",
    );
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
