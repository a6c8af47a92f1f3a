use super::*;

fn key(k: &str) -> SecretKey {
    SecretKey::new(k).unwrap()
}

#[test]
fn hmac_sha256_primitive_matches_the_published_example() {
    assert_eq!(
        compute(
            Algorithm::HmacSha256,
            &key("superSafeSecretKey"),
            "This is a test!"
        ),
        "198e5f278e3f8548e174e84492953c4871732278b7e2aa2cbf20bb1ab85914ea"
    );
}

#[test]
fn sign_off_example_seals_the_documented_string() {
    let message = Value::Object(vec![
        ("merchantId".into(), Value::Text("011223344550000".into())),
        ("interfaceVersion".into(), Value::Text("WR_WS_2.51".into())),
        ("keyVersion".into(), Value::Text("1".into())),
        ("merchantWalletId".into(), Value::Text("SIM01".into())),
        ("seal".into(), Value::Text("ignored".into())),
    ]);
    assert_eq!(message.seal_data(), "WR_WS_2.51011223344550000SIM01");
}

#[test]
fn nested_objects_and_lists_are_flattened_in_place() {
    let item = |id: &str, pan: &str| {
        Value::Object(vec![
            ("paymentMeanId".into(), Value::Text(id.into())),
            ("maskedPan".into(), Value::Text(pan.into())),
        ])
    };
    let message = Value::Object(vec![
        ("walletResponseCode".into(), Value::Text("00".into())),
        (
            "walletPaymentMeanDataList".into(),
            Value::List(vec![item("1", "A"), item("2", "B")]),
        ),
        ("errorFieldName".into(), Value::Text(String::new())),
    ]);
    // walletPaymentMeanDataList < walletResponseCode; inside each item maskedPan < paymentMeanId.
    assert_eq!(message.seal_data(), "A1B200");
    assert_eq!(
        message.sealed_fields()[2].0,
        "walletPaymentMeanDataList[1].maskedPan"
    );
}

#[test]
fn verify_is_case_insensitive_and_rejects_wrong_or_garbage() {
    let k = key("k");
    for algorithm in [
        Algorithm::HmacSha256,
        Algorithm::HmacSha512,
        Algorithm::Sha256,
    ] {
        let seal = compute(algorithm, &k, "data");
        assert!(verify(algorithm, &k, "data", &seal));
        assert!(verify(algorithm, &k, "data", &seal.to_uppercase()));
        assert!(!verify(algorithm, &k, "datA", &seal));
        assert!(!verify(algorithm, &key("other"), "data", &seal));
        assert!(!verify(algorithm, &k, "data", "not hex"));
        assert!(!verify(algorithm, &k, "data", ""));
    }
    assert_eq!(compute(Algorithm::HmacSha512, &k, "data").len(), 128);
}

#[test]
fn hmac_seals_match_rfc_4231_whatever_was_sealed_before() {
    // Test cases 2 (a short key) and 6 (a key longer than the block, hashed first).
    let short = key("Jefe");
    let long = SecretKey::new(vec![0xaa; 131]).unwrap();
    let cases = [
        (&short, Algorithm::HmacSha256, "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (&short, Algorithm::HmacSha512, "what do ya want for nothing?",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
        (&long, Algorithm::HmacSha256, "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (&long, Algorithm::HmacSha512, "Test Using Larger Than Block-Size Key - Hash Key First",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
    ];
    // Twice round, and with other data sealed in between: the key's HMAC state is reused,
    // so a seal must never carry anything over from the one before.
    for _ in 0..2 {
        for (k, algorithm, data, expected) in cases {
            assert_eq!(compute(algorithm, k, data), expected);
            assert!(verify(algorithm, k, data, expected));
            compute(algorithm, k, "something else");
        }
    }
}

#[test]
fn keyed_states_are_wiped_on_drop() {
    // Compiles only with sha2's `zeroize` feature, which makes HMAC's inner and outer
    // states (all `SecretKey` keeps besides the key) zero themselves on drop.
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<<Sha256 as hmac::EagerHash>::Core>();
    wiped_on_drop::<<Sha512 as hmac::EagerHash>::Core>();
}

#[test]
fn legacy_sha256_is_data_then_key() {
    let expected = hex::encode(Sha256::digest(b"datakey"));
    assert_eq!(compute(Algorithm::Sha256, &key("key"), "data"), expected);
}

#[test]
fn secret_key_never_prints() {
    let k = key("superSafeSecretKey");
    assert!(!format!("{k:?}").contains("superSafe"));
    assert!(matches!(SecretKey::new("  "), Err(EmptyKey)));
}
