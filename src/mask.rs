//! Masking card numbers the way the bank does (first 4 and last 2 digits in clear), for `Debug`
//! output, logs and error messages.

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

/// `4975000000000007` → `4975##########07`. Values too short to keep 6 characters in clear safely
/// (and anything that is not digits, such as an encrypted or tokenized PAN) are masked whole.
pub fn mask_pan(pan: &str) -> String {
    let chars: Vec<char> = pan.chars().collect();
    if chars.len() < 12 || !chars.iter().all(|c| c.is_ascii_digit()) {
        return "#".repeat(chars.len().min(19));
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 2 { *c } else { '#' })
        .collect()
}

/// Masks card data in a message body (XML or JSON) before it is logged or shown in an error:
/// the values of the contract's sensitive fields (`cardNumber`, whatever the prefix), and any run of
/// 13 to 19 digits that passes the Luhn check and starts like a card number (2 to 6).
pub fn mask_message<'a>(text: &'a str, sensitive_fields: &[&str]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for field in sensitive_fields {
        out = Cow::Owned(mask_field_values(&out, field));
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

/// Masks every card-like number: 13 to 19 digits, optionally grouped by single spaces or dashes
/// (`4111 1111 1111 1111`, `4111-1111-1111-1111`), starting with 2 to 6 and passing the Luhn check.
/// Digits are masked as in [`mask_pan`]; the separators stay.
fn mask_luhn_runs(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // A run: digits, where a single space or dash may stand between two digits.
        let start = i;
        let mut end = i;
        let mut digits = String::new();
        while end < bytes.len() {
            if bytes[end].is_ascii_digit() {
                digits.push(bytes[end] as char);
                end += 1;
            } else if matches!(bytes[end], b' ' | b'-')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                && end > start
            {
                end += 1;
            } else {
                break;
            }
        }
        // The card number may be only the start of a longer grouped run ("4111 1111 1111 1111 12:00").
        let card = (13..=19).rev().filter(|n| *n <= digits.len()).find(|n| {
            let candidate = &digits[..*n];
            (b'2'..=b'6').contains(&candidate.as_bytes()[0])
                && luhn_valid(candidate)
                && (digits.len() == *n || !run_continues(bytes, start, *n))
        });
        match card {
            Some(n) => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(&text[copied..start]);
                let mut seen = 0;
                let mut stop = start;
                for (at, b) in bytes[start..end].iter().enumerate() {
                    if seen == n {
                        break;
                    }
                    stop = start + at + 1;
                    if b.is_ascii_digit() {
                        o.push(if seen < 4 || seen >= n - 2 {
                            *b as char
                        } else {
                            '#'
                        });
                        seen += 1;
                    } else {
                        o.push(*b as char);
                    }
                }
                copied = stop;
                i = stop;
            }
            None => i = end,
        }
    }
    out.map(|mut o| {
        o.push_str(&text[copied..]);
        o
    })
}

/// Whether the `n` digits of the run starting at `start` are followed, without a separator, by
/// more digits (then they are not a card number on their own).
fn run_continues(bytes: &[u8], start: usize, n: usize) -> bool {
    let mut seen = 0;
    for (at, b) in bytes[start..].iter().enumerate() {
        if b.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return bytes.get(start + at + 1).is_some_and(u8::is_ascii_digit);
            }
        }
    }
    false
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
    fn luhn() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid(""));
    }
}
