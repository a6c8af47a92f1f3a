use super::*;

#[test]
fn pan_keeps_first_four_and_last_two() {
    assert_eq!(mask_pan("4975000000000007"), "4975##########07");
    assert_eq!(mask_pan("1234"), "####");
    assert_eq!(mask_pan("enc:abcdef0123456789"), "###################");
}

#[test]
fn masks_xml_elements_with_any_prefix_and_json() {
    let xml =
        "<urn:cardNumber>4975000000000007</urn:cardNumber><cardNumber>1234567890123</cardNumber>";
    let masked = mask_message(xml, &["cardNumber"]);
    assert_eq!(
        masked,
        "<urn:cardNumber>4975##########07</urn:cardNumber><cardNumber>1234#######23</cardNumber>"
    );
    let json = r#"{"cardNumber" : "4975000000000007","x":"1"}"#;
    assert_eq!(
        mask_message(json, &["cardNumber"]),
        r#"{"cardNumber" : "4975##########07","x":"1"}"#
    );
}

#[test]
fn masks_card_like_digit_runs_anywhere() {
    let text = "alias 4111111111111111 merchant 011223344550000";
    assert_eq!(
        mask_message(text, &[]),
        "alias 4111##########11 merchant 011223344550000"
    );
}

#[test]
fn masks_card_numbers_written_with_spaces_or_dashes() {
    assert_eq!(
        mask_message("card 4111 1111 1111 1111 refused", &[]),
        "card 4111 #### #### ##11 refused"
    );
    assert_eq!(
        mask_message("4111-1111-1111-1111", &[]),
        "4111-####-####-##11"
    );
    // Dates, times, amounts and merchant ids stay as they are where letters stand between
    // them, or where no window of their digits passes Luhn.
    let plain = "2026-11-23T12:00:01+01:00, merchant 011223344550000, amount 1234 5678";
    assert_eq!(mask_message(plain, &[]), plain);
}

#[test]
fn any_spelling_of_a_card_number_is_masked() {
    for spelled in [
        "4111  1111  1111  1111",
        "4111\t1111\t1111\t1111",
        "4111\n1111\n1111\n1111",
        "4111\u{a0}1111\u{202f}1111\u{2009}1111",
        "4111\u{200b}1111\u{200b}1111\u{200b}1111",
        "4111/1111/1111/1111",
        "4111_1111_1111_1111",
        "4111,1111,1111,1111",
        "4111+1111+1111+1111",
        "4111:1111:1111:1111",
        "4111 - 1111 - 1111 - 1111",
        "4111–1111–1111–1111",
        "４１１１１１１１１１１１１１１１",
        "٤١١١١١١١١١١١١١١١",
        "%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31",
        "&#52;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;",
        "\\u0034\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031",
    ] {
        let masked = mask_text(&format!("card {spelled} here")).into_owned();
        assert!(masked.contains('#'), "{spelled:?} → {masked}");
        let digits = decode::decode(&masked)
            .iter()
            .filter(|l| matches!(l.class, decode::Class::Digit(_)))
            .count();
        assert!(digits <= 6, "{spelled:?} → {masked}");
    }
}

#[test]
fn seals_and_digests_are_never_masked() {
    // 64 lower-case hex digits holding a Luhn-valid run of 16 digits.
    let seal = "ab4111111111111111cdef0123456789abcdef0123456789abcdef0123456789";
    assert_eq!(seal.len(), 64);
    let text = format!("<seal>{seal}</seal> seal: {seal}");
    assert_eq!(mask_text(&text), text);
    // The same digits in a token of another length are masked.
    assert!(mask_text("ab4111111111111111cd").contains('#'));
}

#[test]
fn ibans_in_any_case_and_grouping_are_masked() {
    for spelled in [
        "fr7630006000011234567890189",
        "Fr76 3000 6000 0112 3456 7890 189",
        "NL91ABNA0417164300",
        "nl91 abna 0417 1643 00",
        "GB82WEST12345698765432",
        "gb82-west-1234-5698-7654-32",
    ] {
        let masked = mask_text(&format!("pay to {spelled}.")).into_owned();
        assert!(masked.contains("####"), "{spelled} → {masked}");
    }
}

#[test]
fn known_values_are_masked_whatever_stands_between_their_digits() {
    let mut secrets = Secrets::new();
    secrets.know("4111 1111 1111 1111");
    secrets.know("nl91abna0417164300");
    let text = "4a1b1c1 1x1y1z1 1.1.1.1 1-1-1-1 then NL91 ABNA 0417 1643 00";
    let masked = secrets.mask(text);
    assert!(masked.matches('#').count() >= 10 + 12, "{masked}");
    assert!(!masked.contains("0417"), "{masked}");
    assert!(format!("{secrets:?}").contains("2 known"));
    // Too far apart: other text.
    assert_eq!(
        secrets.mask("4 and then 111 1111 1111 111"),
        "4 and then 111 1111 1111 111"
    );
}

#[test]
fn digits_or_dates_before_a_card_number_do_not_hide_it() {
    // Windows overlapping the card number that pass Luhn too are masked as well: a digit
    // more or less in clear, never the card number.
    for (text, masked) in [
        ("order 1234 4111111111111111", "order 1234 4#############11"),
        (
            "on 2026-12-01 4111111111111111",
            "on 2026-##-## ##############11",
        ),
        ("at 10:00 4111111111111111", "at 10:00 ##############11"),
        ("ref 5017-378282246310005", "ref 5017-378##########05"),
        (
            "order 99 4111 1111 1111 1111",
            "order 99 41## #### #### ##11",
        ),
        ("4111.1111.1111.1111 x", "4111.####.####.##11 x"),
        ("99994111111111111111", "9999##############11"),
    ] {
        assert_eq!(mask_text(text), masked, "{text}");
    }
}

#[test]
fn free_text_prints_masked() {
    let wallet = "W-4111111111111111";
    assert_eq!(format!("{}", FreeText(wallet)), "W-4111##########11");
    assert_eq!(format!("{:?}", FreeText(wallet)), "\"W-4111##########11\"");
}

#[test]
fn ibans_in_free_text_are_masked_wherever_they_start() {
    let iban = "FR7630006000011234567890189";
    assert!(iban_valid(iban));
    assert!(iban_valid("FR76 3000 6000 0112 3456 7890 189"));
    assert!(!iban_valid("FR7630006000011234567890188"));
    assert_eq!(mask_iban(iban), "FR76#####################89");
    assert_eq!(
        mask_text(&format!("mandate REF42 {iban}, thanks")),
        "mandate REF42 FR76#####################89, thanks"
    );
    assert_eq!(
        mask_text("iban FR76 3000 6000 0112 3456 7890 189."),
        "iban FR76 #### #### #### #### #### #89."
    );
    // Hex and codes that fail the check stay.
    let plain = "seal ab12cd34ef56ab12cd34ef56ab12cd34, WR_WS_2.55, GB82WEST1234, FR76 invalid";
    assert_eq!(mask_text(plain), plain);
}

#[test]
fn luhn() {
    assert!(luhn_valid("4111111111111111"));
    assert!(!luhn_valid("4111111111111112"));
    assert!(!luhn_valid(""));
}
