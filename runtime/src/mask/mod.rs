//! Masking card numbers and IBANs the way the bank does (first 4 and last 2 characters in clear):
//! the one mechanism behind every place text leaves the crate (`Debug`, error messages, exchanges,
//! logs, the CLI's output, the simulator's log and call list).
//!
//! Masking recognises values, not spellings:
//!
//! - **by pattern** ([`mask_text`]), for any text: the text is read as meant (`decode`: XML
//!   character references (also escaped again, `&amp;#52;`), JSON escapes and percent-encoding
//!   decoded, CDATA markers and short comments read as nothing, digits of any script by value),
//!   then every run of 13 to 19 digits passing the Luhn check and every IBAN (any case, grouped or
//!   not, country length and format checked) is masked, whatever short run of spaces or
//!   punctuation (at most three characters) stands between two of its characters;
//! - **by value** ([`Secrets`]): the card numbers and IBANs a call handles are masked wherever
//!   their characters appear in order in output about that call, whatever stands between them;
//! - **by field** ([`mask_message`]): in a message body, the contract's card fields are masked
//!   whole, and their values are then masked by value everywhere else in the body.
//!
//! What is known not to be card data stays as it is: a token of exactly 64 or 128 lower-case hex
//! digits with at least 8 letters among them (a seal, a digest) is never masked, and values printed
//! by the crate itself (the simulator's seed) never go through the masker. Linear in the text.

mod cards;
mod decode;
mod ibans;
mod secrets;

use std::borrow::Cow;
use std::fmt;

pub use secrets::{Secrets, MAX_VALUE_GAP};

/// How many characters of a text from outside the crate shows ([`from_outside`]).
pub const SHOWN_CHARS: usize = 128;

/// Text from outside (a server's fault, a body, a user's field, a name in a file) as the crate
/// shows it: masked by pattern, then cut to [`SHOWN_CHARS`] characters, `…` marking the cut. Only
/// the part shown and a margin after it are read, so a megabyte costs what a kilobyte does: the
/// one function every error and log line quoting outside text goes through.
pub fn from_outside(text: &str) -> String {
    Secrets::default().shown(text)
}

/// Every card number and IBAN in `text` masked by pattern (see the [module](self)): first 4 and
/// last 2 characters in clear, `#` for each character masked, whatever it was spelled as; what
/// stands between them stays. Borrowed when there is nothing to mask.
///
/// The promise, tested for any text: once read as meant, no output holds 13 to 19 digits passing
/// the Luhn check with at most three separating characters between two, nor an IBAN so written.
/// The price: a long digit string that merely passes Luhn (an order number, one time in ten) is
/// masked too, and so are digits next to a card number that form a Luhn-valid run with some of it.
pub fn mask_text(text: &str) -> Cow<'_, str> {
    masked(text, &Secrets::default(), &[], true)
}

/// Masks card data in a message body (XML or JSON) before it is shown: the values of the
/// contract's sensitive fields (`cardNumber`, `iban`, whatever the prefix) whole, then those values
/// by value and every card number and IBAN by pattern anywhere in it.
pub fn mask_message<'a>(text: &'a str, sensitive_fields: &[&str]) -> Cow<'a, str> {
    Secrets::default().mask_message(text, sensitive_fields)
}

/// Passes of the masker over its own output at most, before every digit left is masked.
const MAX_PASSES: usize = 8;

/// The masker, run again over its own output until nothing more is masked: a value's first 4 and
/// last 2 characters, left in clear, may spell a known value again with what stands around them
/// (`0000000T` before `0000#######32`). Each pass masks at least one more character; after
/// [`MAX_PASSES`], every digit left is masked.
fn masked<'a>(
    text: &'a str,
    secrets: &Secrets,
    wholes: &[(usize, usize)],
    patterns: bool,
) -> Cow<'a, str> {
    let mut out = match masked_once(text, secrets, wholes, patterns) {
        Cow::Borrowed(_) => return Cow::Borrowed(text),
        Cow::Owned(out) => out,
    };
    for _ in 1..MAX_PASSES {
        match masked_once(&out, secrets, &[], patterns) {
            Cow::Borrowed(_) => return Cow::Owned(out),
            Cow::Owned(again) => out = again,
        }
    }
    let every_digit: Vec<(usize, usize)> = decode::decode(&out)
        .into_iter()
        .filter(|l| matches!(l.class, decode::Class::Digit(_)))
        .map(|l| (l.start, l.end))
        .collect();
    Cow::Owned(overwrite(&out, every_digit))
}

/// One pass of the masker: `text` read as meant (escapes decoded) and as written (escapes as they
/// stand: the digits of `%4111…` are seen either way), each reading masked by pattern (when
/// `patterns`), by the values `secrets` knows, and whole in the byte ranges `wholes` (a sensitive
/// field's value).
fn masked_once<'a>(
    text: &'a str,
    secrets: &Secrets,
    wholes: &[(usize, usize)],
    patterns: bool,
) -> Cow<'a, str> {
    let escapes = |b: &u8| matches!(b, b'&' | b'%' | b'\\');
    // Nothing in it can spell a digit: no ASCII digit, no escape, nothing outside ASCII.
    let quiet = |b: &u8| !(b.is_ascii_digit() || escapes(b) || !b.is_ascii());
    if wholes.is_empty() && text.as_bytes().iter().all(quiet) {
        return Cow::Borrowed(text);
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    // The two readings differ only where an escape or markup read as nothing (`<![CDATA[`, `]]>`,
    // a comment) stands.
    let reads_apart = text.as_bytes().iter().any(escapes) || decode::may_hold_markup(text);
    let readings = if reads_apart { 2 } else { 1 };
    // The spellings as meant: a character masked as written inside an escape masks the whole
    // escape (half an escape left would spell something else, a digit maybe).
    let mut meant: Vec<(usize, usize)> = Vec::new();
    // Seal-shaped tokens read as letters by the patterns: never part of a card number or an IBAN.
    // Written over byte for byte, so every position stays where it is.
    let tokens = seal_shaped_tokens(text);
    let for_patterns: Cow<'_, str> = if tokens.is_empty() {
        Cow::Borrowed(text)
    } else {
        let mut bytes = text.as_bytes().to_vec();
        for &(start, end) in &tokens {
            bytes[start..end].fill(b'x');
        }
        Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
    };
    for reading in 0..readings {
        let read = |t: &str| {
            if reading == 0 {
                decode::decode(t)
            } else {
                decode::as_written(t)
            }
        };
        let logical = read(text);
        if reading == 0 && readings == 2 {
            meant = logical.iter().map(|l| (l.start, l.end)).collect();
        }
        let mut mask = vec![false; logical.len()];
        secrets.mark(&logical, &mut mask);
        if reading == 0 {
            for &(start, end) in wholes {
                mask_whole(&text[start..end], &logical, start, end, &mut mask);
            }
        }
        let mut marked: Vec<(usize, usize)> = marked_spans(&logical, &mask).collect();
        if patterns {
            let by_pattern = if tokens.is_empty() {
                None
            } else {
                Some(read(&for_patterns))
            };
            let scanned = by_pattern.as_deref().unwrap_or(&logical);
            let mut mask = vec![false; scanned.len()];
            cards::mark(scanned, &mut mask);
            ibans::mark(scanned, &mut mask);
            marked.extend(marked_spans(scanned, &mask));
        }
        spans.extend(marked.into_iter().map(|(from, to)| {
            let within = meant.partition_point(|(start, _)| *start <= from);
            match within.checked_sub(1).map(|at| meant[at]) {
                Some((start, end)) if start <= from && to <= end => (start, end),
                _ => (from, to),
            }
        }));
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(overwrite(text, spans))
}

/// `text` with each span (bytes) written as one `#`.
fn overwrite(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    // One `#` per masked character; where the two readings mark overlapping spellings (an escape
    // and a digit inside it), one for the whole.
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in merged {
        out.push_str(&text[copied..start]);
        // `&` then `#` could spell a character reference with what follows: `*` then.
        out.push(if out.ends_with('&') { '*' } else { '#' });
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Marks a card field's value (bytes `start..end`) as [`mask_pan`] and [`mask_iban`] show one:
/// a card number or an IBAN keeps its first 4 and last 2 characters, anything else (a token, an
/// encrypted number) is masked whole.
fn mask_whole(
    value: &str,
    logical: &[decode::Logical],
    start: usize,
    end: usize,
    mask: &mut [bool],
) {
    let first = logical.partition_point(|l| l.start < start);
    let inside: Vec<usize> = (first..logical.len())
        .take_while(|&at| logical[at].end <= end)
        .filter(|&at| logical[at].class != decode::Class::Other)
        .collect();
    let digits = value.trim().bytes().all(|b| b.is_ascii_digit());
    let shown_ends = (digits && inside.len() >= 12) || iban_valid(value);
    let kept = if shown_ends {
        4..inside.len().saturating_sub(2)
    } else {
        0..inside.len()
    };
    for &at in inside.get(kept).unwrap_or_default() {
        mask[at] = true;
    }
}

/// The byte spans of the marked characters.
fn marked_spans<'l>(
    logical: &'l [decode::Logical],
    mask: &'l [bool],
) -> impl Iterator<Item = (usize, usize)> + 'l {
    logical
        .iter()
        .zip(mask)
        .filter(|(_, m)| **m)
        .map(|(l, _)| (l.start, l.end))
}

/// The byte spans of every token (a run of ASCII letters and digits) shaped like a seal or a
/// digest: exactly 64 or 128 lower-case hex digits, at least 8 of them letters.
fn seal_shaped_tokens(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let end = bytes[at..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |n| at + n);
        let token = &bytes[at..end];
        let hex = token
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
        let letters = token.iter().filter(|b| b.is_ascii_alphabetic()).count();
        if matches!(token.len(), 64 | 128) && hex && letters >= 8 {
            found.push((at, end));
        }
        at = end;
    }
    found
}

/// Whether `iban` (spaces allowed, any case) is an IBAN: the ISO 13616 check (mod 97) and the
/// country's length and BBAN format (`iban_validate`).
pub fn iban_valid(iban: &str) -> bool {
    let electronic: String = iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    iban::Iban::try_from(electronic.as_str()).is_ok()
}

/// A sensitive field's value as the crate shows it: a card number as [`mask_pan`], an IBAN as
/// [`mask_iban`] (the bank's own forms), anything else (a token, an encrypted number, a value
/// that is neither) masked whole.
pub fn mask_sensitive(value: &str) -> String {
    if iban_valid(value) {
        mask_iban(value)
    } else {
        mask_pan(value)
    }
}

/// A sensitive field's value (a card number, an IBAN) that prints masked ([`mask_sensitive`]).
pub struct Masked<'a>(pub &'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", mask_sensitive(self.0))
    }
}

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_sensitive(self.0))
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

/// The byte ranges of the values of `field` in a body: `<p:field>value</p:field>` and
/// `"field": "value"`.
fn field_values(text: &str, field: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(field) {
        let at = from + pos;
        let (head, after) = (&text[..at], &text[at + field.len()..]);
        let value_at = at + field.len();
        match xml_value(head, after).or_else(|| json_value(head, after)) {
            Some((lead, len)) => {
                found.push((value_at + lead, value_at + lead + len));
                from = value_at + lead + len;
            }
            None => from = value_at,
        }
    }
    found
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
mod tests;
