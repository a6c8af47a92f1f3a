//! Masking card numbers the way the bank does (first 4 and last 2 digits in clear): the one
//! mechanism behind every place text leaves the crate (`Debug`, error messages, logs, the CLI's
//! output, the simulator's request log).
//!
//! - [`mask_pan`] masks a value known to be card data whole (the contract's card fields).
//! - [`mask_text`] finds and masks every card number and IBAN in free text (bodies, faults, wallet
//!   ids, aliases, anything that came from outside); [`FreeText`] shows a value through it.
//! - [`mask_iban`] writes an IBAN as the bank answers it (first 4 and last 2 characters in clear).
//! - [`mask_message`] does both for a message body: the contract's card fields, then free text.

use std::borrow::Cow;
use std::fmt;

/// A card number that prints masked.
pub struct Masked<'a>(pub &'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", mask_pan(self.0))
    }
}

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_pan(self.0))
    }
}

/// Free text shown with every card number in it masked ([`mask_text`]): for wallet ids, aliases
/// and anything else a user or a server may fill with a card number.
pub struct FreeText<'a>(pub &'a str);

impl fmt::Debug for FreeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*mask_text(self.0), f)
    }
}

impl fmt::Display for FreeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_text(self.0))
    }
}

/// Every card number in `text` masked: any 13 to 19 digits that pass the Luhn check, wherever
/// they start, written plain or with single spaces, dashes or dots between digits. Digits before
/// or after do not hide one (`order 1234 4111111111111111` is caught although the 20 digits as a
/// whole fail Luhn). Each is masked as [`mask_pan`] does; separators and length stay. Borrowed when
/// there is nothing to mask.
///
/// The promise, tested for any text: no output holds 13 to 19 digits in a row (separators allowed)
/// that pass the Luhn check. The price: a long digit string that merely passes Luhn (an order
/// number, one time in ten) is masked too, and so are digits next to a card number that happen to
/// form a Luhn-valid run with some of its digits.
///
/// IBANs are found the same way: two capital letters, two digits, then capital letters or
/// digits, 15 to 34 characters in all, plain or in groups separated by single spaces, wherever
/// they start, passing the ISO 13616 check (mod 97); the first 4 and last 2 characters stay.
/// Lower-case text is left alone (an IBAN is written in capitals; hex seals are not).
pub fn mask_text(text: &str) -> Cow<'_, str> {
    // IBANs first: their digits may hold a Luhn-valid run, whose masking would split the IBAN.
    // Each pass only turns characters into `#`, so the second cannot bring back what the first
    // masked.
    let ibans = mask_iban_runs(text);
    let source = ibans.as_deref().unwrap_or(text);
    match (mask_luhn_runs(source), ibans) {
        (Some(masked), _) | (None, Some(masked)) => Cow::Owned(masked),
        (None, None) => Cow::Borrowed(text),
    }
}

/// `FR7630006000011234567890189` → `FR76#####################89`: the first 4 and the last 2
/// characters in clear, spaces left out. A value too short to be an IBAN is masked whole.
pub fn mask_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 15 {
        return "#".repeat(chars.len());
    }
    first_four_last_two(&chars)
}

/// The bank's mask: the first 4 and the last 2 characters in clear, `#` between.
fn first_four_last_two(chars: &[char]) -> String {
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 2 { *c } else { '#' })
        .collect()
}

/// Whether `iban` (spaces allowed) passes the ISO 13616 check: two letters, two digits, 15 to 34
/// letters and digits in all, and mod 97 of the rearranged number is 1.
pub fn iban_valid(iban: &str) -> bool {
    let chars: Vec<u8> = iban
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    (15..=34).contains(&chars.len())
        && chars[..2].iter().all(u8::is_ascii_uppercase)
        && chars[2..4].iter().all(u8::is_ascii_digit)
        && chars.iter().all(u8::is_ascii_alphanumeric)
        && iban_remainder(&chars[4..], &chars[..4]) == 1
}

/// The ISO 13616 remainder of `bban` followed by `head` (country and check digits), letters
/// counting as 10 to 35.
fn iban_remainder(bban: &[u8], head: &[u8]) -> u32 {
    bban.iter()
        .chain(head)
        .fold(0, |acc, b| iban_digit_step(acc, *b))
}

fn iban_digit_step(acc: u32, b: u8) -> u32 {
    if b.is_ascii_digit() {
        (acc * 10 + u32::from(b - b'0')) % 97
    } else {
        (acc * 100 + u32::from(b - b'A') + 10) % 97
    }
}

/// [`mask_text`]'s IBAN work: every window of a run of capital letters and digits (one space
/// allowed between two) that is an IBAN has all but its first 4 and last 2 characters masked.
fn mask_iban_runs(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let is_part = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !is_part(bytes[i]) {
            i += 1;
            continue;
        }
        let mut positions = Vec::new();
        let mut end = i;
        while end < bytes.len() {
            if is_part(bytes[end]) {
                positions.push(end);
                end += 1;
            } else if bytes[end] == b' ' && bytes.get(end + 1).copied().is_some_and(is_part) {
                end += 1;
            } else {
                break;
            }
        }
        let chars: Vec<u8> = positions.iter().map(|&at| bytes[at]).collect();
        for from in 0..chars.len().saturating_sub(14) {
            let head = &chars[from..from + 4];
            if !(head[..2].iter().all(u8::is_ascii_uppercase)
                && head[2..].iter().all(u8::is_ascii_digit))
            {
                continue;
            }
            // The head (country and check digits, 6 decimal digits once letters are numbers)
            // comes after the BBAN: its remainder is folded in at each length.
            let head_value = head.iter().fold(0, |acc, b| iban_digit_step(acc, *b));
            let mut bban = 0u32;
            let bban_chars = &chars[from + 4..chars.len().min(from + 34)];
            for (len, &c) in (5..).zip(bban_chars) {
                bban = iban_digit_step(bban, c);
                if len >= 15 && (bban * 1_000_000 % 97 + head_value) % 97 == 1 {
                    let o = out.get_or_insert_with(|| bytes.to_vec());
                    for &at in &positions[from + 4..from + len - 2] {
                        o[at] = b'#';
                    }
                }
            }
        }
        i = end;
    }
    // Only ASCII letters and digits were replaced by an ASCII character: still UTF-8.
    out.map(|o| String::from_utf8(o).unwrap_or_else(|_| "#".repeat(text.len())))
}

/// Formats `body` (a `Debug` implementation) and writes it with every card number masked: what
/// generated messages' `Debug` goes through, so a card number in any field (a wallet id, an
/// alias, an unknown field) never prints. `{:#?}` stays pretty.
pub fn debug_masked(
    f: &mut fmt::Formatter<'_>,
    body: impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
) -> fmt::Result {
    struct Body<F>(F);
    impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Debug for Body<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            (self.0)(f)
        }
    }
    let raw = if f.alternate() {
        format!("{:#?}", Body(body))
    } else {
        format!("{:?}", Body(body))
    };
    f.write_str(&mask_text(&raw))
}

/// `Name("value")` on one line, the value shown as free text: an open enum keeps values it does
/// not know, and a server or a user may put anything there.
pub fn debug_open_enum(f: &mut fmt::Formatter<'_>, name: &str, value: &str) -> fmt::Result {
    write!(f, "{name}({:?})", FreeText(value))
}

/// `4975000000000007` → `4975##########07`. Values too short to keep 6 characters in clear safely
/// (and anything that is not digits, such as an encrypted or tokenized PAN) are masked whole.
pub fn mask_pan(pan: &str) -> String {
    let chars: Vec<char> = pan.chars().collect();
    if chars.len() < 12 || !chars.iter().all(|c| c.is_ascii_digit()) {
        return "#".repeat(chars.len().min(19));
    }
    first_four_last_two(&chars)
}

/// Masks card data in a message body (XML or JSON) before it is logged or shown in an error:
/// the values of the contract's sensitive fields (`cardNumber`, whatever the prefix) whole, then
/// every card number anywhere ([`mask_text`]).
pub fn mask_message<'a>(text: &'a str, sensitive_fields: &[&str]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for field in sensitive_fields {
        if out.contains(field) {
            out = Cow::Owned(mask_field_values(&out, field));
        }
    }
    match mask_luhn_runs(&out) {
        Some(masked) => Cow::Owned(masked),
        None => out,
    }
}

/// `<p:cardNumber>4975…</p:cardNumber>` and `"cardNumber": "4975…"`.
fn mask_field_values(text: &str, field: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(field) {
        let (head, tail) = rest.split_at(pos);
        let after = &tail[field.len()..];
        out.push_str(head);
        out.push_str(field);
        match xml_value(head, after).or_else(|| json_value(head, after)) {
            Some((lead, len)) => {
                out.push_str(&after[..lead]);
                out.push_str(&mask_pan(&after[lead..lead + len]));
                rest = &after[lead + len..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// After a start tag `<field>` or `<prefix:field>`: (offset, length) of the text up to the next tag.
fn xml_value(head: &str, after: &str) -> Option<(usize, usize)> {
    let tag = &head[head.rfind('<')? + 1..];
    let is_start_tag_name = tag.is_empty()
        || (tag.ends_with(':')
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.:".contains(c)));
    if !is_start_tag_name {
        return None;
    }
    let value = after.strip_prefix('>')?;
    Some((1, value.find('<').unwrap_or(value.len())))
}

/// After `"field"`, `: "value"`: (offset, length) of the value.
fn json_value(head: &str, after: &str) -> Option<(usize, usize)> {
    if !head.ends_with('"') {
        return None;
    }
    let value = after
        .strip_prefix('"')?
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some((
        after.len() - value.len(),
        value.find('"').unwrap_or(value.len()),
    ))
}

/// [`mask_text`]'s work: every window of 13 to 19 digits of each run (digits with one space, dash
/// or dot allowed between two) that passes Luhn has its middle masked. `None` when there is none.
fn mask_luhn_runs(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run: digits, where one separator may stand between two digits.
        let mut positions = Vec::new();
        let mut end = i;
        while end < bytes.len() {
            if bytes[end].is_ascii_digit() {
                positions.push(end);
                end += 1;
            } else if matches!(bytes[end], b' ' | b'-' | b'.')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        for (from, to) in card_windows(bytes, &positions) {
            let o = out.get_or_insert_with(|| bytes.to_vec());
            for &at in &positions[from + 4..to - 2] {
                o[at] = b'#';
            }
        }
        i = end;
    }
    // Only ASCII digits were replaced by an ASCII character: still UTF-8.
    out.map(|o| String::from_utf8(o).unwrap_or_else(|_| "#".repeat(text.len())))
}

/// Every window `[from, to)` of the run's digits (given by their byte positions) that is 13 to 19
/// digits long and passes the Luhn check. Linear: each end is walked back at most 19 digits.
fn card_windows<'a>(
    bytes: &'a [u8],
    positions: &'a [usize],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    (13..=positions.len()).flat_map(move |to| {
        let mut sum = 0u32;
        let mut found = Vec::new();
        for (k, from) in (to.saturating_sub(19)..to).rev().enumerate() {
            let d = u32::from(bytes[positions[from]] - b'0');
            sum += if k % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            };
            if k + 1 >= 13 && sum.is_multiple_of(10) {
                found.push((from, to));
            }
        }
        found
    })
}

/// The Luhn check digit test.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_keeps_first_four_and_last_two() {
        assert_eq!(mask_pan("4975000000000007"), "4975##########07");
        assert_eq!(mask_pan("1234"), "####");
        assert_eq!(mask_pan("enc:abcdef0123456789"), "###################");
    }

    #[test]
    fn masks_xml_elements_with_any_prefix_and_json() {
        let xml = "<urn:cardNumber>4975000000000007</urn:cardNumber><cardNumber>1234567890123</cardNumber>";
        let masked = mask_message(xml, &["cardNumber"]);
        assert_eq!(masked, "<urn:cardNumber>4975##########07</urn:cardNumber><cardNumber>1234#######23</cardNumber>");
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
        // Dates, amounts and merchant ids stay as they are.
        let plain = "2026-11-23 12:00, 011223344550000, 1234 5678";
        assert_eq!(mask_message(plain, &[]), plain);
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
            ("at 10:00 4111111111111111", "at 10:00 41############11"),
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
        // Lower case (a hex seal) and codes that fail the check stay.
        let plain = "seal ab12cd34ef56ab12cd34ef56ab12cd34, WR_WS_2.55, GB82WEST1234, FR76 invalid";
        assert_eq!(mask_text(plain), plain);
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid(""));
    }
}
