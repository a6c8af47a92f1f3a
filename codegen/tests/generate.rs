//! The generator against the bundled contract (pinned by a snapshot) and against WSDLs it has never seen.

mod common;

use std::path::Path;

use sips_wallet_codegen::{generate, generate_dir, model::*, Options, Sources};

use common::bundled;

#[test]
fn bundled_contract_source_is_pinned() {
    let generated = bundled();
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    insta::assert_snapshot!("wallet_rs", generated.source);
}

/// A contract in the same CXF style that the generator has never seen: inline schema, `tns` prefix,
/// a default namespace on the schema, no documentation at all.
const FOREIGN_WSDL: &str = r#"<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:s="http://schemas.xmlsoap.org/wsdl/soap/"
             xmlns:tns="urn:example:loyalty:v1" targetNamespace="urn:example:loyalty:v1">
  <types>
    <schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:loyalty:v1" elementFormDefault="qualified">
      <simpleType name="Tier"><restriction base="string"><enumeration value="GOLD"/><enumeration value="SILVER"/></restriction></simpleType>
      <simpleType name="Points"><restriction base="int"/></simpleType>
      <complexType name="Base"><sequence><element name="merchantId" type="string"/></sequence></complexType>
      <complexType name="GetPointsRequest"><complexContent><extension base="tns:Base"><sequence>
        <element name="customerId" type="string"/><element name="type" type="string" minOccurs="0"/>
      </sequence></extension></complexContent></complexType>
      <complexType name="Entry"><sequence><element name="points" type="tns:Points"/></sequence></complexType>
      <complexType name="GetPointsResponse"><sequence>
        <element name="tier" type="tns:Tier" minOccurs="0"/>
        <element name="history" type="tns:Entry" minOccurs="0" maxOccurs="unbounded"/>
      </sequence></complexType>
      <element name="getPoints"><complexType><sequence><element name="input" type="tns:GetPointsRequest"/></sequence></complexType></element>
      <element name="getPointsResponse"><complexType><sequence><element name="output" type="tns:GetPointsResponse"/></sequence></complexType></element>
    </schema>
  </types>
  <message name="getPoints"><part name="parameters" element="tns:getPoints"/></message>
  <message name="getPointsResponse"><part name="parameters" element="tns:getPointsResponse"/></message>
  <portType name="Loyalty"><operation name="getPoints"><input message="tns:getPoints"/><output message="tns:getPointsResponse"/></operation></portType>
  <binding name="LoyaltyBinding" type="tns:Loyalty">
    <s:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="getPoints"><s:operation soapAction="urn:getPoints"/><input><s:body use="literal"/></input><output><s:body use="literal"/></output></operation>
  </binding>
  <service name="LoyaltyService"><port name="p" binding="tns:LoyaltyBinding"><s:address location="https://loyalty.example/ws"/></port></service>
</definitions>"#;

fn one(wsdl: &str) -> Sources {
    Sources::new("x.wsdl", vec![("x.wsdl".into(), wsdl.into())])
}

#[test]
fn a_foreign_cxf_wsdl_is_understood() {
    let generated = generate(&one(FOREIGN_WSDL), &Options::default()).expect("generates");
    let contract = &generated.contract;
    assert_eq!(contract.namespace, "urn:example:loyalty:v1");
    assert_eq!(
        contract.service_address.as_deref(),
        Some("https://loyalty.example/ws")
    );
    let op = &contract.operations[0];
    assert_eq!(
        (op.name.as_str(), op.soap_action.as_str()),
        ("getPoints", "urn:getPoints")
    );
    assert_eq!(op.recommended_interface_version, None);

    let request = contract.complex_type("GetPointsRequest").unwrap();
    let names: Vec<&str> = request.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["merchantId", "customerId", "type"],
        "base fields first"
    );
    assert_eq!(request.fields[2].occurs, Occurs::Optional);
    let response = contract.complex_type("GetPointsResponse").unwrap();
    assert_eq!(response.fields[0].ty, FieldType::Enum("Tier".into()));
    assert_eq!(response.fields[1].ty, FieldType::Complex("Entry".into()));
    assert_eq!(response.fields[1].occurs, Occurs::Repeated);
    let entry = contract.complex_type("Entry").unwrap();
    assert_eq!(
        entry.fields[0].ty,
        FieldType::Text,
        "a restriction without values is text"
    );

    let src = &generated.source;
    assert!(
        src.contains("pub type_: Option<runtime::text::Text>"),
        "keyword field renamed"
    );
    assert!(src.contains("pub history: Vec<Entry>"));
    assert!(src.contains("pub enum Tier"));
    assert!(src.contains("Other(String)"));
    syn::parse_file(src).expect("the output is valid Rust");
}

#[test]
fn unsupported_constructs_warn_with_file_and_element() {
    let wsdl = FOREIGN_WSDL.replace(
        r#"<complexType name="Entry"><sequence>"#,
        r#"<complexType name="Entry"><attribute name="id" type="string"/><sequence><any/>"#,
    );
    let generated = generate(&one(&wsdl), &Options::default()).expect("generates");
    let text: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|w| w.starts_with("x.wsdl: <Entry/@id>: attributes")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|w| w.starts_with("x.wsdl: <Entry/any>")),
        "{text:?}"
    );
}

#[test]
fn a_broken_wsdl_fails_naming_file_and_element() {
    let unknown_type = FOREIGN_WSDL.replace(
        r#"name="customerId" type="string""#,
        r#"name="customerId" type="tns:Nope""#,
    );
    let error = generate(&one(&unknown_type), &Options::default()).unwrap_err();
    assert_eq!(
        (error.file.as_str(), error.element.as_str()),
        ("x.wsdl", "GetPointsRequest/customerId")
    );
    assert!(error.message.contains("tns:Nope"), "{error}");

    let malformed = FOREIGN_WSDL.replace("</portType>", "");
    let error = generate(&one(&malformed), &Options::default()).unwrap_err();
    assert_eq!(error.file, "x.wsdl");
    assert!(error.message.contains("malformed"), "{error}");

    let missing_import = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><types>
        <schema xmlns="http://www.w3.org/2001/XMLSchema"><import namespace="urn:x" schemaLocation="gone.xsd"/></schema>
        </types></definitions>"#;
    let error = generate(&one(missing_import), &Options::default()).unwrap_err();
    assert_eq!(error.element, "import");
    assert!(error.message.contains("gone.xsd"), "{error}");
}

#[test]
fn a_changed_field_changes_the_generated_type() {
    let dir = common::bundled_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let xsd = read("wallet.xsd").replace(
        r#"<xs:element name="paymentMeanAlias" type="xs:string" minOccurs="0"><xs:annotation><xs:documentation>Payment mean alias defined by the buyer. Never"#,
        r#"<xs:element name="paymentMeanLabel" type="xs:string" minOccurs="0"><xs:annotation><xs:documentation>Payment mean alias defined by the buyer. Never"#,
    );
    let sources = Sources::new(
        "wallet.wsdl",
        vec![
            ("wallet.wsdl".into(), read("wallet.wsdl")),
            ("wallet.xsd".into(), xsd),
        ],
    );
    let changed = generate(&sources, &Options::default()).unwrap().source;
    let original = bundled().source;
    assert!(original.contains("pub payment_mean_alias: Option<runtime::text::Text>"));
    assert!(changed.contains("pub payment_mean_label: Option<runtime::text::Text>"));
    assert!(changed.contains(r#"name: "paymentMeanLabel""#));
}

#[test]
fn bundled_contract_has_the_seven_wallet_functions() {
    let contract = bundled().contract;
    let names: Vec<(&str, Option<&str>)> = contract
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.recommended_interface_version.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("addCard", Some("WR_WS_2.55")),
            ("updatePaymentMean", Some("WR_WS_2.49")),
            ("deletePaymentMean", Some("WR_WS_2.49")),
            ("signOff", Some("WR_WS_2.51")),
            ("getWalletData", Some("WR_WS_2.49")),
            ("getPaymentMeanData", Some("WR_WS_2.49")),
            ("addDirectDebit", Some("WR_WS_2.55")),
        ]
    );
    let add_card = contract.complex_type("AddCardRequest").unwrap();
    let pan_type = add_card
        .fields
        .iter()
        .find(|f| f.name == "panType")
        .unwrap();
    assert_eq!(pan_type.since, Some((2, 31)));
    assert!(
        add_card.fields.iter().all(|f| f.since.is_some()),
        "every field documents its version"
    );
}

#[test]
fn a_cxf_shaped_contract_with_named_wrappers_anonymous_types_and_a_wrapped_list() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cxf-wallet");
    let generated = generate_dir(&dir, "wallet.wsdl", &Options::default()).unwrap();
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let contract = &generated.contract;
    // Every operation, with its recommended version from the sidecar (the WSDL has no documentation).
    let operations: Vec<(&str, Option<&str>)> = contract
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.recommended_interface_version.as_deref()))
        .collect();
    assert_eq!(operations.len(), 6);
    assert!(operations.contains(&("addCard", Some("WR_WS_2.55"))));
    // Named wrapper types became wrappers, not messages.
    let wrapper = contract.wrapper("addCardResponse").unwrap();
    assert_eq!(
        (wrapper.child.as_str(), wrapper.child_type.as_str()),
        ("output", "addCardOutput")
    );
    assert!(contract.complex_type("addCard").is_none());
    // The three-level chain: walletMessage <- walletRequest <- addCardInput.
    let input = contract.complex_type("addCardInput").unwrap();
    let names: Vec<&str> = input.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        &names[..6],
        [
            "merchantId",
            "interfaceVersion",
            "keyVersion",
            "intermediateServiceProviderId",
            "sealAlgorithm",
            "seal"
        ]
    );
    let pan_type = input.fields.iter().find(|f| f.name == "panType").unwrap();
    assert_eq!(pan_type.since, Some((2, 31)), "from the sidecar");
    // The wrapped list: an anonymous type of its own holding the repeated items.
    let output = contract.complex_type("getWalletDataOutput").unwrap();
    let list = output
        .fields
        .iter()
        .find(|f| f.name == "walletPaymentMeanDataList")
        .unwrap();
    assert_eq!(
        list.ty,
        FieldType::Complex("WalletPaymentMeanDataList".into())
    );
    let items = contract.complex_type("WalletPaymentMeanDataList").unwrap();
    assert_eq!(items.fields[0].occurs, Occurs::Repeated);
    // An anonymous nested type whose natural name is taken gets its owner's prefix.
    let one = contract.complex_type("getPaymentMeanDataOutput").unwrap();
    let mean = one
        .fields
        .iter()
        .find(|f| f.name == "walletPaymentMeanData")
        .unwrap();
    assert_eq!(
        mean.ty,
        FieldType::Complex("GetPaymentMeanDataOutputWalletPaymentMeanData".into())
    );
    syn::parse_file(&generated.source).expect("the generated source parses");
}

#[test]
fn an_absolute_schema_location_must_match_a_local_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cxf-wallet");
    let wsdl = std::fs::read_to_string(dir.join("wallet.wsdl")).unwrap();
    let sources = Sources::new("wallet.wsdl", vec![("wallet.wsdl".into(), wsdl)]);
    let error = generate(&sources, &Options::default()).unwrap_err();
    assert_eq!(error.element, "import");
    assert!(error.message.contains("looked for"), "{error}");
    assert!(error.message.contains("wallet-types.xsd"), "{error}");
}

#[test]
fn the_diff_of_two_contracts_names_each_change() {
    use sips_wallet_codegen::diff::diff;
    let dir = common::bundled_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let ours = bundled().contract;
    assert_eq!(diff(&ours, &ours), []);
    let xsd = read("wallet.xsd")
        // cardNumber becomes optional, paymentToken disappears, a brand value appears.
        .replace(
            r#"<xs:element name="cardNumber" type="xs:string">"#,
            r#"<xs:element name="cardNumber" type="xs:string" minOccurs="0">"#,
        )
        .replace(
            r#"<xs:element name="paymentToken" "#,
            r#"<xs:element name="paymentTokenRef" "#,
        )
        .replace(
            r#"<xs:enumeration value="VISA">"#,
            r#"<xs:enumeration value="WERO"/><xs:enumeration value="VISA">"#,
        );
    let theirs = generate(
        &Sources::new(
            "wallet.wsdl",
            vec![
                ("wallet.wsdl".into(), read("wallet.wsdl")),
                ("wallet.xsd".into(), xsd),
            ],
        ),
        &Options::default(),
    )
    .unwrap()
    .contract;
    let changes = diff(&ours, &theirs);
    let shown: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    // Required → optional is how publishing tools write a field: a note, not a change.
    let optional = changes
        .iter()
        .find(|c| c.path == "request.cardNumber")
        .unwrap();
    assert_eq!(
        optional.to_string(),
        "addCard: request.cardNumber: occurrence required → optional (as publishing tools write it)"
    );
    assert_eq!(optional.severity, sips_wallet_codegen::diff::Severity::Note);
    assert!(
        shown.contains(&"addCard: request.paymentToken: removed".to_string()),
        "{shown:#?}"
    );
    assert!(
        shown.contains(&"addCard: request.paymentTokenRef: added (text, optional)".to_string()),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|c| c.contains("paymentMeanBrand: values added: WERO")),
        "{shown:#?}"
    );
}

/// Facets travel through a named simple type as well as an anonymous one; one added or changed is
/// a change, one a published copy leaves out is a note.
#[test]
fn the_diff_compares_facets_by_name() {
    use sips_wallet_codegen::diff::{diff, Severity};
    let dir = common::bundled_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let with_xsd = |xsd: String| {
        generate(
            &Sources::new(
                "wallet.wsdl",
                vec![
                    ("wallet.wsdl".into(), read("wallet.wsdl")),
                    ("wallet.xsd".into(), xsd),
                ],
            ),
            &Options::default(),
        )
        .unwrap()
        .contract
    };
    let restrict = |max: &str| {
        read("wallet.xsd")
            .replacen(
                r#"<xs:element name="merchantWalletId" type="xs:string">"#,
                r#"<xs:element name="merchantWalletId" type="tns:WalletId">"#,
                1,
            )
            .replacen(
                "<xs:complexType ",
                &format!(
                    r#"<xs:simpleType name="WalletId"><xs:restriction base="xs:string"><xs:maxLength value="{max}"/></xs:restriction></xs:simpleType><xs:complexType "#
                ),
                1,
            )
    };
    let plain = bundled().contract;
    let (short, long) = (with_xsd(restrict("21")), with_xsd(restrict("50")));
    let added = diff(&plain, &short);
    assert!(
        added
            .iter()
            .any(|c| c.severity == Severity::Change && c.what == "facet maxLength added: 21"),
        "{added:#?}"
    );
    let changed = diff(&short, &long);
    assert!(
        changed
            .iter()
            .any(|c| c.severity == Severity::Change && c.what == "facet maxLength 21 → 50"),
        "{changed:#?}"
    );
    let dropped = diff(&short, &plain);
    assert!(!dropped.is_empty());
    assert!(
        dropped.iter().all(|c| c.severity == Severity::Note),
        "a facet left out is a note: {dropped:#?}"
    );
}

/// FOREIGN_WSDL with `types` (complexType and simpleType definitions) added to its schema.
fn foreign_with(types: &str) -> Sources {
    one(&FOREIGN_WSDL.replace(
        r#"<complexType name="Base">"#,
        &format!(r#"{types}<complexType name="Base">"#),
    ))
}

#[test]
fn an_extension_chain_of_five_thousand_types_is_refused_naming_the_element() {
    let chain: String = (1..5_000)
        .map(|i| {
            format!(
                r#"<complexType name="T{i}"><complexContent><extension base="tns:T{}"><sequence><element name="f{i}" type="string"/></sequence></extension></complexContent></complexType>"#,
                i - 1
            )
        })
        .collect();
    let types = format!(
        r#"<complexType name="T0"><sequence><element name="f0" type="string"/></sequence></complexType>{chain}"#
    );
    let error = generate(&foreign_with(&types), &Options::default()).unwrap_err();
    assert!(error.message.contains("more than the 1000"), "{error}");
    // Within the type count, the chain is refused at the extension depth.
    let error = generate(
        &foreign_with(&types[..types.find(r#"<complexType name="T40""#).unwrap()]),
        &Options::default(),
    )
    .unwrap_err();
    assert!(error.message.contains("levels of xs:extension"), "{error}");
    assert!(error.element.starts_with('T'), "{error}");
}

#[test]
fn documents_too_deep_or_too_large_are_refused_not_walked() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let error = generate(&one(&deep), &Options::default()).unwrap_err();
    assert!(error.message.contains("nested deeper than"), "{error}");
    let wide = format!("<a>{}</a>", "<b/>".repeat(300_000));
    let error = generate(&one(&wide), &Options::default()).unwrap_err();
    assert!(
        error.message.contains("more than 200000 elements"),
        "{error}"
    );
}

#[test]
fn names_that_collide_in_rust_are_refused_naming_the_wsdl_element() {
    let fields = FOREIGN_WSDL.replace(
        r#"<element name="customerId" type="string"/>"#,
        r#"<element name="maskedPan" type="string"/><element name="masked_pan" type="string"/>"#,
    );
    let error = generate(&one(&fields), &Options::default()).unwrap_err();
    assert_eq!(error.element, "masked_pan", "{error}");
    assert!(error.message.contains("maskedPan"), "{error}");

    let reserved = FOREIGN_WSDL.replace(
        r#"<element name="customerId" type="string"/>"#,
        r#"<element name="unknownFields" type="string"/>"#,
    );
    let error = generate(&one(&reserved), &Options::default()).unwrap_err();
    assert_eq!(error.element, "unknownFields", "{error}");

    let types = foreign_with(r#"<complexType name="entry"><sequence/></complexType>"#);
    let error = generate(&types, &Options::default()).unwrap_err();
    assert!(error.message.contains("both become `Entry`"), "{error}");

    // Keywords are renamed, predictably, and the code parses.
    let keywords = FOREIGN_WSDL
        .replace(
            r#"<element name="customerId" type="string"/>"#,
            r#"<element name="self" type="string"/><element name="Self" type="string" minOccurs="0"/>"#,
        )
        .replace(
            r#"<enumeration value="SILVER"/>"#,
            r#"<enumeration value="self"/><enumeration value="a-b"/><enumeration value="a_b"/>"#,
        );
    let error = generate(&one(&keywords), &Options::default()).unwrap_err();
    assert!(error.message.contains("both become `self_`"), "{error}");
    let keywords = keywords.replace(r#"<element name="Self" type="string" minOccurs="0"/>"#, "");
    let generated = generate(&one(&keywords), &Options::default()).unwrap();
    syn::parse_file(&generated.source).expect("the generated code parses");
    assert!(
        generated.source.contains("pub self_: runtime::text::Text"),
        "a keyword field"
    );
    assert!(generated.source.contains("SelfValue,"), "a keyword variant");
    assert!(
        generated.source.contains("AB2,"),
        "colliding values numbered"
    );
}
