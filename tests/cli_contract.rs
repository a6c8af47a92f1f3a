//! `sips-wallet contract check`: a served contract against the bundled one.

mod common;

use std::process::Command;

use common::binary::{assert_holds, run, serve_with, stop, text, BIN};

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
