//! Entry points for the fuzz targets in `fuzz/`: each runs one real path of the crate over
//! arbitrary bytes, as the network or a user would hand them in. Not part of the API.
//!
//! The targets only need these not to panic, abort or stall; `fuzz/run.sh` runs them.

use std::sync::OnceLock;

use bytes::Bytes;

use crate::message::{Operation, OperationVisitor};
use crate::seal::{self, Algorithm, SecretKey};
use crate::{mask, simulator, Reply, WalletClient};

/// The client's reading of a response: the first byte picks the operation (wallet or In-App) and
/// the HTTP status, the rest is the body.
pub fn client_response(data: &[u8]) {
    static CLIENT: OnceLock<Option<WalletClient>> = OnceLock::new();
    // A target that cannot build its client reaches nothing: fail at once, loudly.
    let client = CLIENT.get_or_init(|| {
        let key = SecretKey::new(simulator::DEMO_SECRET_KEY);
        let client = WalletClient::builder()
            .base_url("http://127.0.0.1:9")
            .merchant_id(simulator::DEMO_MERCHANT_ID)
            .key_version(simulator::DEMO_KEY_VERSION)
            .secret_key(key.expect("the demo key is not empty"))
            .build();
        Some(client.expect("the fuzzing client builds (is a root-store feature on?)"))
    });
    let (Some(client), Some((&selector, body))) = (client, data.split_first()) else {
        return;
    };
    let status = if selector & 0x80 == 0 { 200 } else { 500 };
    let operations: Vec<_> = crate::contracts::operations().collect();
    let Some(operation) = operations
        .get(usize::from(selector & 0x7f) % operations.len().max(1))
        .map(|o| o.info())
    else {
        return;
    };
    let read = ReadAnswer {
        client,
        status,
        body: Bytes::copy_from_slice(body),
    };
    let _ = crate::contracts::visit(operation, read);
}

#[derive(Clone)]
struct ReadAnswer<'a> {
    client: &'a WalletClient,
    status: u16,
    body: Bytes,
}

impl OperationVisitor for ReadAnswer<'_> {
    type Output = ();

    fn visit<O: Operation>(self) {
        match self.client.read_raw::<O>(self.status, self.body) {
            Ok(reply) => shown(&reply),
            Err(error) => {
                let _ = format!("{error} {error:?}");
            }
        }
    }
}

/// Everything a caller might print of a reply.
fn shown<T: std::fmt::Debug>(reply: &Reply<T>) {
    let _ = format!("{reply:?}");
    let _ = reply.exchange.response();
}

/// The simulator's answer to a POSTed body: the first byte picks the path (SOAP, In-App JSON, or a
/// wallet function in JSON).
pub fn simulator_request(data: &[u8]) {
    let _ = simulator::answer_for_fuzzing(data);
}

/// The masker's promise over any text, checked by an oracle written apart from it: no card number
/// and no IBAN left in what it returns, and a text the oracle finds none in is returned as it is.
/// Panics (a finding) otherwise.
pub fn mask_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let masked = mask::mask_text(&text);
    if let Some(found) = card_number_in(&masked) {
        panic!("a card number survived the masker: {found}");
    }
    if let Some(found) = iban_in(&masked) {
        panic!("an IBAN survived the masker: {found}");
    }
    if card_number_in(&text).is_none() && iban_in(&text).is_none() && masked != text {
        panic!("the masker changed text that holds no card number nor IBAN: {text:?} → {masked:?}");
    }
}

/// The masker's promise by value over any text: the card number the first bytes make (their
/// digits, 13 to 19 of them) is masked wherever its digits stand in the rest in order, within
/// [`MAX_VALUE_GAP`](mask::MAX_VALUE_GAP) characters of each other. Panics (a finding) otherwise.
pub fn mask_by_value(data: &[u8]) {
    let Some((&length, rest)) = data.split_first() else {
        return;
    };
    let length = 13 + usize::from(length % 7);
    if rest.len() < length {
        return;
    }
    let (digits, text) = rest.split_at(length);
    // ASCII digits as they are (seeds stay readable), any other byte as a digit too.
    let digit = |b: &u8| {
        if b.is_ascii_digit() {
            *b
        } else {
            b'0' + b % 10
        }
    };
    let card: String = digits.iter().map(|b| char::from(digit(b))).collect();
    let text = String::from_utf8_lossy(text);
    let mut secrets = mask::Secrets::new();
    secrets.know(&card);
    let masked = secrets.mask(&text);
    if holds_by_value(&masked, &card) {
        panic!("a known card number survived the masker by value: {masked:?}");
    }
}

/// An oracle written apart from the masker: whether `value`'s characters stand in `shown` in
/// order, each within [`MAX_VALUE_GAP`](mask::MAX_VALUE_GAP) characters of the one before, with no
/// other digit between (as written: escapes are not decoded here).
pub fn holds_by_value(shown: &str, value: &str) -> bool {
    let chars: Vec<char> = shown.chars().collect();
    let wanted: Vec<char> = value.chars().collect();
    (0..chars.len()).any(|start| {
        let (mut at, mut found, mut gap) = (start, 0, 0);
        while at < chars.len() && found < wanted.len() {
            if chars[at] == wanted[found] {
                found += 1;
                gap = 0;
            } else if digit_value(chars[at]).is_some() || found == 0 || gap == mask::MAX_VALUE_GAP {
                break;
            } else {
                gap += 1;
            }
            at += 1;
        }
        found == wanted.len()
    })
}

/// What a character of `text` means to the oracle: a digit's value, an ASCII letter (as written),
/// another letter or number, or a separator. Escapes are read here with code of its own: XML
/// character references and the five named entities and `&nbsp;`, JSON escapes (and `\u{…}`),
/// percent-encoded UTF-8; CDATA markers and short comments read as nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meant {
    Digit(u8),
    Letter(u8),
    Alphanumeric,
    Separator,
}

fn meant(text: &str, escapes: bool) -> Vec<Meant> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if escapes {
            if let Some(used) = no_character(&chars[i..]) {
                i += used;
                continue;
            }
        }
        let escape = if escapes { escaped(&chars[i..]) } else { None };
        let (c, used) = escape.unwrap_or((chars[i], 1));
        out.push(if let Some(d) = digit_value(c) {
            Meant::Digit(d)
        } else if c.is_ascii_alphabetic() {
            Meant::Letter(c as u8)
        } else if c.is_alphanumeric() {
            Meant::Alphanumeric
        } else {
            Meant::Separator
        });
        i += used;
    }
    out
}

/// How many characters of XML markup at the start of `chars` stand for no character of the text
/// they split: a CDATA section's opening or closing, or a comment of up to 64 bytes.
fn no_character(chars: &[char]) -> Option<usize> {
    let mut head = String::new();
    for c in chars {
        if head.len() + c.len_utf8() > 64 {
            break;
        }
        head.push(*c);
    }
    for marker in ["<![CDATA[", "]]>"] {
        if head.starts_with(marker) {
            return Some(marker.len());
        }
    }
    let comment = head.strip_prefix("<!--")?;
    let end = comment.find("-->")?;
    Some(4 + comment[..end].chars().count() + 3)
}

/// A character an escape at the start of `chars` spells, and how many characters it takes.
fn escaped(chars: &[char]) -> Option<(char, usize)> {
    let text: String = chars.iter().take(29).collect();
    if let Some(after) = text.strip_prefix('&') {
        // A numeric reference escaped again (`&amp;#52;`), up to four times, reads as itself.
        let mut again = 0;
        while again < 4 && after[4 * again..].starts_with("amp;") {
            again += 1;
        }
        if !after[4 * again..].starts_with('#') {
            again = 0;
        }
        let rest: String = after[4 * again..].chars().take(12).collect();
        let end = rest.find(';')?;
        let name = &rest[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&name[2..], 16).ok()?)?
            }
            _ => char::from_u32(name.strip_prefix('#')?.parse().ok()?)?,
        };
        return Some((c, 4 * again + end + 2));
    }
    if let Some(rest) = text.strip_prefix('\\') {
        let first = rest.chars().next()?;
        let short = match first {
            't' => Some('\t'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            '/' | '\\' | '"' => Some(first),
            _ => None,
        };
        if let Some(c) = short {
            return Some((c, 2));
        }
        let unicode = rest.strip_prefix('u')?;
        if let Some(braced) = unicode.strip_prefix('{') {
            let end = braced.find('}')?;
            let c = char::from_u32(u32::from_str_radix(&braced[..end], 16).ok()?)?;
            return Some((c, end + 4));
        }
        let hex = unicode.get(..4)?;
        return Some((char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6));
    }
    if text.starts_with('%') {
        let mut bytes = Vec::new();
        for k in 0..4 {
            let Some(chunk) = chars.get(k * 3..k * 3 + 3) else {
                break;
            };
            let chunk: String = chunk.iter().collect();
            let Some(hex) = chunk.strip_prefix('%') else {
                break;
            };
            let Ok(byte) = u8::from_str_radix(hex, 16) else {
                break;
            };
            bytes.push(byte);
            if let Ok(decoded) = std::str::from_utf8(&bytes) {
                return decoded.chars().next().map(|c| (c, (k + 1) * 3));
            }
        }
        return (!bytes.is_empty()).then_some(('\u{fffd}', 3));
    }
    None
}

/// A decimal digit's value, in any script: the code point's distance from the zero of its set of
/// ten, found as the nearest code point below it whose own predecessor is no decimal digit, or
/// ten below the last zero found.
fn digit_value(c: char) -> Option<u8> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let is_digit = |c: u32| {
        char::from_u32(c).is_some_and(|c| c.general_category() == GeneralCategory::DecimalNumber)
    };
    let code = c as u32;
    if !is_digit(code) {
        return None;
    }
    let mut zero = code;
    while zero > 0 && is_digit(zero - 1) {
        zero -= 1;
    }
    Some(((code - zero) % 10) as u8)
}

/// An oracle written apart from the masker, for fuzzing and property tests: the first card number
/// in `text` as the masker's promise defines one, with escapes read as meant or as they stand
/// (`%4111…` shows the digits 4111…): 13 to 19 digits of any script passing the Luhn check, at most
/// three separators between two.
pub fn card_number_in(text: &str) -> Option<String> {
    let text = without_seals(text);
    card_number_read(&meant(&text, true)).or_else(|| card_number_read(&meant(&text, false)))
}

/// `text` with every seal-shaped token (64 or 128 lower-case hex digits, 8 letters or more among
/// them, between characters that are no ASCII letter or digit) written as `x`s: what the promise
/// leaves alone.
fn without_seals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let hex = token
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        let letters = token.chars().filter(char::is_ascii_alphabetic).count();
        if (token.len() == 64 || token.len() == 128) && hex && letters >= 8 {
            out.push_str(&"x".repeat(token.len()));
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn card_number_read(meant: &[Meant]) -> Option<String> {
    for start in 0..meant.len() {
        let mut digits = String::new();
        let mut separators = 0;
        for m in &meant[start..] {
            match *m {
                Meant::Digit(d) => {
                    digits.push(char::from(b'0' + d));
                    separators = 0;
                    if digits.len() >= 13 && mask::luhn_valid(&digits) {
                        return Some(digits);
                    }
                    if digits.len() == 19 {
                        break;
                    }
                }
                Meant::Separator if !digits.is_empty() && separators < 3 => separators += 1,
                _ => break,
            }
        }
    }
    None
}

/// The same for IBANs: letters and digits, at most three separators between two, 15 to 34 of them
/// from two letters and two digits, that `iban_validate` accepts (or, in capitals, whose country it
/// does not know).
pub fn iban_in(text: &str) -> Option<String> {
    let text = without_seals(text);
    iban_read(&meant(&text, true)).or_else(|| iban_read(&meant(&text, false)))
}

fn iban_read(meant: &[Meant]) -> Option<String> {
    for start in 0..meant.len() {
        let mut chars = String::new();
        let mut capitals = true;
        let mut separators = 0;
        for m in &meant[start..] {
            match *m {
                Meant::Digit(d) => chars.push(char::from(b'0' + d)),
                Meant::Letter(l) => {
                    capitals &= l.is_ascii_uppercase();
                    chars.push(char::from(l.to_ascii_uppercase()));
                }
                Meant::Separator if !chars.is_empty() && separators < 3 => {
                    separators += 1;
                    continue;
                }
                _ => break,
            }
            separators = 0;
            if chars.len() > 34 {
                break;
            }
            if chars.len() >= 15 {
                match iban::Iban::try_from(chars.as_str()) {
                    Ok(_) => return Some(chars),
                    Err(iban::ParseIbanError::UnknownCountry(_)) if capitals => return Some(chars),
                    Err(_) => {}
                }
            }
        }
    }
    None
}

/// The `seal` command's reading of its input, then the seal and the masked fields it prints.
pub fn seal_input(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(message) = crate::dynamic::read_message(text) else {
        return;
    };
    let Ok(key) = SecretKey::new("fuzz") else {
        return;
    };
    let _ = seal::compute(Algorithm::HmacSha256, &key, &message.seal_data());
    for (_, value) in message.sealed_fields() {
        let _ = mask::mask_pan(&value);
    }
}
