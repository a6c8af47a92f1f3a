//! The sidecar (`wallet.versions.toml`): interface versions, operation effects and response-code
//! meanings that a WSDL without documentation keeps, and what it names that the contract lacks.

mod common;

use sips_wallet_codegen::{generate, model::*, Options, Sources};

use common::{bundled, bundled_dir};

/// The bundled contract with every `documentation` element removed, as the vendor's CXF WSDL is.
fn bundled_without_documentation() -> Vec<(String, String)> {
    let dir = bundled_dir();
    fn cut(text: &str, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let end = rest[start..].find(close).unwrap() + start + close.len();
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
    let strip = |text: String| {
        let text = cut(&text, "<xs:annotation>", "</xs:annotation>");
        cut(&text, "<wsdl:documentation>", "</wsdl:documentation>")
    };
    ["wallet.wsdl", "wallet.xsd"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            (name.to_string(), strip(text))
        })
        .collect()
}

/// (type, field, since) of every field newer than 2.0, and (operation, recommended) of every operation.
type Versions = (
    Vec<(String, String, Option<(u16, u16)>)>,
    Vec<(String, Option<String>)>,
);

fn versions(contract: &Contract) -> Versions {
    let fields = contract
        .types
        .iter()
        .flat_map(|t| {
            t.fields
                .iter()
                .map(move |f| (t.name.clone(), f.name.clone(), f.since))
        })
        .filter(|(_, _, since)| since.is_some_and(|s| s > (2, 0)))
        .collect();
    let operations = contract
        .operations
        .iter()
        .map(|o| (o.name.clone(), o.recommended_interface_version.clone()))
        .collect();
    (fields, operations)
}

#[test]
fn a_wsdl_without_documentation_keeps_every_version_through_the_sidecar() {
    let files = bundled_without_documentation();
    assert!(
        !files[1].1.contains("<xs:documentation>"),
        "documentation stripped"
    );
    let bare = generate(
        &Sources::new("wallet.wsdl", files.clone()),
        &Options::default(),
    )
    .unwrap();
    let (bare_fields, bare_operations) = versions(&bare.contract);
    assert!(
        bare_fields.is_empty(),
        "no documentation, no versions: {bare_fields:?}"
    );
    assert!(bare_operations.iter().all(|(_, v)| v.is_none()));

    let sidecar = std::fs::read_to_string(bundled_dir().join("wallet.versions.toml")).unwrap();
    let merged = generate(
        &Sources::new("wallet.wsdl", files).with_sidecar("wallet.versions.toml", sidecar),
        &Options::default(),
    )
    .unwrap();
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    let expected = versions(&bundled().contract);
    assert!(expected.0.len() >= 6 && expected.1.len() == 7);
    assert_eq!(versions(&merged.contract), expected);
}

#[test]
fn a_sidecar_naming_what_the_contract_lacks_is_reported() {
    let dir = bundled_dir();
    let files: Vec<(String, String)> = ["wallet.wsdl", "wallet.xsd"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read_to_string(dir.join(n)).unwrap()))
        .collect();
    let sidecar = "[operations]\naddKard = \"WR_WS_2.55\"\n[fields]\npanTipe = \"2.31\"\n[fields.Nowhere]\nseal = \"2.0\"\n";
    let generated = generate(
        &Sources::new("wallet.wsdl", files.clone()).with_sidecar("wallet.versions.toml", sidecar),
        &Options::default(),
    )
    .unwrap();
    let shown: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        shown,
        [
            "wallet.versions.toml: <operations.addKard>: no operation of that name in the contract",
            "wallet.versions.toml: <fields.panTipe>: no field of that name in the contract",
            "wallet.versions.toml: <fields.Nowhere>: no type of that name in the contract",
        ]
    );
    let bad = generate(
        &Sources::new("wallet.wsdl", files)
            .with_sidecar("wallet.versions.toml", "[fields]\npanType = \"two\"\n"),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "wallet.versions.toml: <panType>: `two` is not a version like 2.31"
    );
}

/// `[effects]` and `[shown-as]`: what each operation does to a wallet and how a reading shows a
/// change's fields reach the operation table; a typo in an effect or a way of showing fails the
/// build naming the key (it would silently turn settling off), a name the contract lacks warns.
#[test]
fn operation_effects_come_from_the_sidecar() {
    let dir = bundled_dir();
    let files: Vec<(String, String)> = ["wallet.wsdl", "wallet.xsd"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read_to_string(dir.join(n)).unwrap()))
        .collect();
    let with = |sidecar: &str| {
        generate(
            &Sources::new("wallet.wsdl", files.clone())
                .with_sidecar("wallet.versions.toml", sidecar),
            &Options::default(),
        )
    };
    use sips_wallet_runtime::effect::{Effect, Shown};
    let generated = with(
        "[effects]
addCard = \"adds-mean\"
addKard = \"adds-mean\"
         [shown-as]
cardNumber = { field = \"maskedPan\", as = \"masked-pan\" }
         paymentMeanAlias = \"paymentMeanAlias\"
nickname = \"paymentMeanAlias\"
",
    )
    .unwrap();
    let effect = |name: &str| {
        generated
            .contract
            .operations
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.effect)
    };
    assert_eq!(effect("addCard"), Some(Effect::AddsMean));
    assert_eq!(effect("signOff"), Some(Effect::Other), "not listed: other");
    let shown: Vec<(&str, &str, Shown)> = generated
        .contract
        .shown_as
        .iter()
        .map(|s| (s.request_field.as_str(), s.reading_field.as_str(), s.shown))
        .collect();
    assert_eq!(
        shown,
        [
            ("cardNumber", "maskedPan", Shown::MaskedPan),
            ("paymentMeanAlias", "paymentMeanAlias", Shown::Same),
        ]
    );
    let warnings: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "wallet.versions.toml: <effects.addKard>: no operation of that name in the contract",
            "wallet.versions.toml: <shown-as.nickname>: no field `nickname` in the contract",
        ]
    );
    let typo = with(
        "[effects]
addCard = \"adds\"
",
    )
    .unwrap_err()
    .to_string();
    assert!(
        typo.starts_with(
            "wallet.versions.toml: <effects.addCard>: `adds` is not an effect (reads-wallet,"
        ),
        "{typo}"
    );
    let way = with(
        "[shown-as]
cardNumber = { field = \"maskedPan\", as = \"hidden\" }
",
    )
    .unwrap_err()
    .to_string();
    assert!(
        way.contains("<shown-as.cardNumber>: `hidden` is not a way of showing"),
        "{way}"
    );
}

/// The vendor's WSDL declares walletResponseCode as plain text, with no list and no
/// documentation: the sidecar's values make it the same open enum, every code with its meaning.
#[test]
fn response_codes_keep_their_meanings_through_the_sidecar() {
    let dir = bundled_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let xsd = read("wallet.xsd");
    let start = xsd
        .find(r#"<xs:simpleType name="WalletResponseCode">"#)
        .unwrap();
    let end = start + xsd[start..].find("</xs:simpleType>").unwrap() + "</xs:simpleType>".len();
    let plain = format!("{}{}", &xsd[..start], &xsd[end..])
        .replace(r#"type="tns:WalletResponseCode""#, r#"type="xs:string""#);
    let files = vec![
        ("wallet.wsdl".to_string(), read("wallet.wsdl")),
        ("wallet.xsd".to_string(), plain),
    ];
    let bare = generate(
        &Sources::new("wallet.wsdl", files.clone()),
        &Options::default(),
    )
    .unwrap();
    let code_type = |contract: &Contract| {
        contract
            .complex_type("WalletResponse")
            .and_then(|t| t.fields.iter().find(|f| f.name == "walletResponseCode"))
            .map(|f| f.ty.clone())
    };
    assert_eq!(code_type(&bare.contract), Some(FieldType::Text));

    let merged = generate(
        &Sources::new("wallet.wsdl", files)
            .with_sidecar("wallet.versions.toml", read("wallet.versions.toml")),
        &Options::default(),
    )
    .unwrap();
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    assert_eq!(
        code_type(&merged.contract),
        Some(FieldType::Enum("WalletResponseCode".into()))
    );
    let codes = merged
        .contract
        .enums
        .iter()
        .find(|e| e.name == "WalletResponseCode")
        .unwrap();
    let ok = codes.values.iter().find(|v| v.value == "00").unwrap();
    assert_eq!(ok.documentation, "Successful operation.");
    assert_eq!(codes.values.len(), 9);
}
