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

/// Writes a copy of the bundled contract folder (WSDL, XSD and sidecar) with `edit` applied to
/// each document, checks it with `contract check --file`, and returns the exit code and report.
fn check_edited(name: &str, edit: impl Fn(&str, String) -> String) -> (Option<i32>, String) {
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl");
    let dir = common::scratch_dir(&format!("drift-{name}"));
    for file in ["wallet.wsdl", "wallet.xsd", "wallet.versions.toml"] {
        let text = std::fs::read_to_string(bundled.join(file)).unwrap();
        std::fs::write(dir.join(file), edit(file, text)).unwrap();
    }
    let output = Command::new(BIN)
        .args(["contract", "check", "--file"])
        .arg(dir.join("wallet.wsdl"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let report = format!("{}{}", text(&output.stdout), text(&output.stderr));
    (output.status.code(), report)
}

/// A folder holding the very documents the build was made from, sidecar included, is the same
/// contract: the sidecar's lists of values are ours too, not a change.
#[test]
fn contract_check_of_the_folder_the_build_came_from_is_the_same() {
    let (code, out) = check_edited("own-folder", |_, text| text);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("the same 7 operations"), "{out}");
    assert!(!out.contains("→"), "no difference at all: {out}");
}

/// Every element moving to another target namespace changes every message on the wire: named
/// once for the contract and per operation for its wrapper elements.
#[test]
fn contract_check_reports_a_target_namespace_change() {
    let (code, out) = check_edited("namespace", |_, text| {
        text.replace(
            "urn:sips:cn:contract:office:wallet:v2",
            "urn:sips:cn:contract:office:wallet:v3",
        )
    });
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains(
            "target namespace urn:sips:cn:contract:office:wallet:v2 → urn:sips:cn:contract:office:wallet:v3"
        ),
        "{out}"
    );
    assert!(
        out.contains("addCard: request element {urn:sips:cn:contract:office:wallet:v2}addCard → {urn:sips:cn:contract:office:wallet:v3}addCard"),
        "{out}"
    );
}

/// A SOAP action the service now routes by is a change a client feels: its requests carry the old one.
#[test]
fn contract_check_reports_a_soap_action_change() {
    let (code, out) = check_edited("soap-action", |file, text| {
        if file == "wallet.wsdl" {
            text.replacen(r#"soapAction="""#, r#"soapAction="urn:sips:wallet""#, 1)
        } else {
            text
        }
    });
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains(r#"soapAction "" → "urn:sips:wallet""#),
        "{out}"
    );
}

/// A facet added to a field (the service now refuses what it took) is a change. (The other way,
/// a facet left out of a published copy, is a note: `codegen`'s diff tests hold it.)
#[test]
fn contract_check_reports_facets_added_or_changed() {
    let (code, out) = check_edited("facet", |file, text| {
        if file == "wallet.xsd" {
            with_card_number_facets(&text)
        } else {
            text
        }
    });
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("addCard: request.cardNumber: facet maxLength added: 19"),
        "{out}"
    );
    assert!(out.contains("facet pattern added: [0-9]+"), "{out}");
}

fn with_card_number_facets(xsd: &str) -> String {
    let restricted = xsd.replace(
        r#"<xs:element name="cardNumber" type="xs:string"><xs:annotation><xs:documentation>Card number (N19, or ANS128 when the card number is a token). Interface version: 2.0.</xs:documentation></xs:annotation></xs:element>"#,
        r#"<xs:element name="cardNumber"><xs:annotation><xs:documentation>Card number. Interface version: 2.0.</xs:documentation></xs:annotation><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="19"/><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType></xs:element>"#,
    );
    assert_ne!(
        restricted, xsd,
        "the fixture's anchor is in the bundled XSD"
    );
    restricted
}

/// A `--file` that is missing or no regular file is named with the reason, whatever its name ends
/// with; a WSDL saved under another extension is read as the WSDL it is.
#[test]
fn contract_check_names_a_file_it_cannot_read_and_reads_any_extension() {
    let dir = common::scratch_dir("cli-contract-file");
    let missing = dir.join("missing.wsdl");
    let folder = dir.join("a-folder.wsdl");
    std::fs::create_dir_all(&folder).unwrap();
    for (path, why) in [(&missing, "No such file"), (&folder, "not a regular file")] {
        let output = run(&["contract", "check", "--file", path.to_str().unwrap()]);
        // Bad input, as a usage mistake: exit 2.
        assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
        let err = text(&output.stderr);
        assert!(
            err.contains(path.to_str().unwrap()) && err.contains(why),
            "{err}"
        );
        assert!(!err.contains("<>"), "{err}");
    }

    let wsdl_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl");
    for name in ["wallet.xsd", "wallet.versions.toml"] {
        std::fs::copy(wsdl_dir.join(name), dir.join(name)).unwrap();
    }
    let saved = dir.join("wallet.wsdl.txt");
    std::fs::copy(wsdl_dir.join("wallet.wsdl"), &saved).unwrap();
    let output = run(&["contract", "check", "--file", saved.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_holds(&output.stdout, "the same 7 operations");
    let _ = std::fs::remove_dir_all(&dir);
}
