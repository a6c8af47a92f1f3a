//! Text as the masker reads it: one logical character per character *meant*, whatever spelling
//! carries it. XML character references (`&#52;`, `&#x34;`, and escaped again, `&amp;#52;`) and
//! the named entities, JSON escapes (`\u0034`, `\t`), percent-encoding (`%34`, `%EF%BC%94`) are
//! decoded; XML markup that adds no character to the text it splits (a CDATA section's
//! `<![CDATA[` and `]]>`, a short comment) reads as nothing. Each logical character keeps the byte
//! span of its spelling in the source, so that masking replaces the spelling.

/// One character as meant, and where its spelling stands in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Logical {
    /// What it means: a digit's value, a letter, or anything else.
    pub class: Class,
    /// Its byte span in the source.
    pub start: usize,
    pub end: usize,
}

/// What a logical character is, for the masker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// A decimal digit of any script, by value.
    Digit(u8),
    /// An ASCII letter, as written (IBANs are read in any case, but capitals tell them from hex).
    Letter(u8),
    /// Any other letter or number: it ends a card number or an IBAN as a letter does.
    OtherAlphanumeric,
    /// Anything else: spaces of every kind, punctuation, symbols, controls.
    Other,
}

impl Class {
    fn of(c: char) -> Class {
        if let Some(value) = decimal_value(c) {
            Class::Digit(value)
        } else if c.is_ascii_alphabetic() {
            Class::Letter(c as u8)
        } else if c.is_alphanumeric() {
            Class::OtherAlphanumeric
        } else {
            Class::Other
        }
    }

    /// Whether it separates (rather than ends) a run of digits or IBAN characters.
    pub fn separates(self) -> bool {
        self == Class::Other
    }
}

/// The value of a decimal digit of any script (Unicode category Nd). Unicode encodes every such
/// script's digits as ten consecutive code points, 0 to 9: the value is the distance from the start
/// of the run of Nd characters, modulo ten (some blocks hold several sets of ten in a row).
pub(super) fn decimal_value(c: char) -> Option<u8> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    if let Some(d) = c.to_digit(10) {
        return Some(d as u8);
    }
    if c.is_ascii() || c.general_category() != GeneralCategory::DecimalNumber {
        return None;
    }
    let mut start = c as u32;
    // At most a few sets of ten in a row (the mathematical digits have five).
    for _ in 0..64 {
        match start.checked_sub(1).and_then(char::from_u32) {
            Some(before) if before.general_category() == GeneralCategory::DecimalNumber => {
                start -= 1
            }
            _ => break,
        }
    }
    Some(((c as u32 - start) % 10) as u8)
}

/// The logical characters of `text`, in order, escapes decoded. Linear: each spelling is
/// recognised by looking at most 12 bytes ahead.
pub(super) fn decode(text: &str) -> Vec<Logical> {
    read(text, true)
}

/// The characters of `text` as they stand, escapes left as written: the other way a reader sees
/// it (`%4111…` shows the digits 4111… although `%41` spells `A`).
pub(super) fn as_written(text: &str) -> Vec<Logical> {
    read(text, false)
}

fn read(text: &str, escapes: bool) -> Vec<Logical> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if escapes {
            if let Some(len) = markup_at(&bytes[at..]) {
                at += len;
                continue;
            }
        }
        let escape = if escapes { spelled_at(text, at) } else { None };
        let (c, len) = escape.unwrap_or_else(|| {
            let c = text[at..].chars().next().unwrap_or('\u{fffd}');
            (c, c.len_utf8())
        });
        out.push(Logical {
            class: Class::of(c),
            start: at,
            end: at + len,
        });
        at += len;
    }
    out
}

/// The longest comment read as nothing: longer ones read as written (the scan stays linear).
const LONGEST_COMMENT: usize = 64;

/// How XML markup that means no character starts: a CDATA section's opening and closing, and a
/// comment.
const CDATA_OPEN: &str = "<![CDATA[";
const CDATA_CLOSE: &str = "]]>";
const COMMENT_OPEN: &str = "<!--";

/// Whether `text` may hold markup that [`decode`] reads as nothing (and [`as_written`] does not).
pub(super) fn may_hold_markup(text: &str) -> bool {
    [CDATA_OPEN, CDATA_CLOSE, COMMENT_OPEN]
        .iter()
        .any(|start| text.contains(start))
}

/// The length of XML markup at the start of `rest` that means no character in the text around it
/// (`4111<![CDATA[1111]]>…` is the text `41111111…` to an XML reader), if there is one.
fn markup_at(rest: &[u8]) -> Option<usize> {
    if let Some(marker) = [CDATA_OPEN, CDATA_CLOSE]
        .into_iter()
        .find(|marker| rest.starts_with(marker.as_bytes()))
    {
        Some(marker.len())
    } else if rest.starts_with(COMMENT_OPEN.as_bytes()) {
        let body = &rest[4..rest.len().min(LONGEST_COMMENT)];
        body.windows(3)
            .position(|w| w == b"-->")
            .map(|end| 4 + end + 3)
    } else {
        None
    }
}

/// A character spelled as an escape at byte `at`, and the spelling's length.
fn spelled_at(text: &str, at: usize) -> Option<(char, usize)> {
    let rest = &text.as_bytes()[at..];
    match rest.first()? {
        b'&' => xml_reference(rest),
        b'\\' => json_escape(rest),
        b'%' => percent_encoded(rest),
        _ => None,
    }
}

/// `&#52;`, `&#x34;`, `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`; and a numeric
/// reference escaped again, up to four times (`&amp;#52;`: how an XML writer writes a reference
/// typed as text), as the reference it spells.
fn xml_reference(rest: &[u8]) -> Option<(char, usize)> {
    let name_at = 1 + escaped_again(rest);
    let end = rest[name_at..].iter().take(12).position(|b| *b == b';')?;
    let name = std::str::from_utf8(&rest[name_at..name_at + end]).ok()?;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = name.strip_prefix('#')?;
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(value)?
        }
    };
    Some((c, name_at + end + 1))
}

/// The bytes of the `amp;` that escape a numeric reference again after its `&` (4 per level, up
/// to four levels); 0 if what follows them is no numeric reference.
fn escaped_again(rest: &[u8]) -> usize {
    let mut at = 1;
    while at < 17 && rest[at..].starts_with(b"amp;") {
        at += 4;
    }
    if rest.get(at) == Some(&b'#') {
        at - 1
    } else {
        0
    }
}

/// `\u0034` and the short escapes (`\t`, `\n`…): a JSON string's spellings; `\u{34}`, as
/// Rust's and JavaScript's `Debug` and source text write a character.
fn json_escape(rest: &[u8]) -> Option<(char, usize)> {
    match rest.get(1)? {
        b'u' if rest.get(2) == Some(&b'{') => {
            let end = rest.iter().take(13).position(|b| *b == b'}')?;
            let hex = std::str::from_utf8(&rest[3..end]).ok()?;
            Some((char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, end + 1))
        }
        b'u' => {
            let hex = std::str::from_utf8(rest.get(2..6)?).ok()?;
            let value = u32::from_str_radix(hex, 16).ok()?;
            Some((char::from_u32(value)?, 6))
        }
        b't' => Some(('\t', 2)),
        b'n' => Some(('\n', 2)),
        b'r' => Some(('\r', 2)),
        b'b' => Some(('\u{8}', 2)),
        b'f' => Some(('\u{c}', 2)),
        b'/' => Some(('/', 2)),
        b'\\' => Some(('\\', 2)),
        b'"' => Some(('"', 2)),
        _ => None,
    }
}

/// `%34`, or the two to four `%XX` of one UTF-8 character (`%EF%BC%94`, a full-width 4). A `%XX`
/// that starts no whole character reads as one character that is no digit (as a lenient URL
/// decoder reads it), and only its three bytes are taken.
fn percent_encoded(rest: &[u8]) -> Option<(char, usize)> {
    let byte_at = |i: usize| -> Option<u8> {
        let chunk = rest.get(i * 3..i * 3 + 3)?;
        if chunk[0] != b'%' {
            return None;
        }
        u8::from_str_radix(std::str::from_utf8(&chunk[1..]).ok()?, 16).ok()
    };
    const NOT_A_CHARACTER: (char, usize) = ('\u{fffd}', 3);
    let first = byte_at(0)?;
    let width = match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return Some(NOT_A_CHARACTER),
    };
    let mut utf8 = [0u8; 4];
    for (i, slot) in utf8.iter_mut().enumerate().take(width) {
        match byte_at(i) {
            Some(byte) => *slot = byte,
            None => return Some(NOT_A_CHARACTER),
        }
    }
    match std::str::from_utf8(&utf8[..width])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => Some((c, width * 3)),
        None => Some(NOT_A_CHARACTER),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(text: &str) -> Vec<Class> {
        decode(text).into_iter().map(|l| l.class).collect()
    }

    #[test]
    fn every_spelling_of_a_digit_reads_as_that_digit() {
        for spelled in [
            "4",
            "&#52;",
            "&#x34;",
            "\\u0034",
            "%34",
            "４",
            "%EF%BC%94",
            "٤",
            "४",
            "𝟒",
            "𝟺",
            "&amp;#52;",
            "&amp;amp;#x34;",
        ] {
            assert_eq!(classes(spelled), [Class::Digit(4)], "{spelled}");
        }
        assert_eq!(classes("&#x39;&#48;"), [Class::Digit(9), Class::Digit(0)]);
    }

    #[test]
    fn markup_that_adds_no_character_reads_as_nothing() {
        let digits = |text: &str| -> String {
            decode(text)
                .into_iter()
                .map(|l| match l.class {
                    Class::Digit(d) => char::from(b'0' + d),
                    _ => '.',
                })
                .collect()
        };
        assert_eq!(digits("41<![CDATA[11]]>1"), "41111");
        assert_eq!(digits("41]]><![CDATA[11"), "4111");
        assert_eq!(digits("41<!-- a card -->11"), "4111");
        // A comment longer than the bound, or never closed, reads as written.
        let long = format!("4<!--{}-->1", "x".repeat(LONGEST_COMMENT));
        assert_eq!(digits(&long).matches('.').count(), long.len() - 2);
        assert_eq!(digits("4<!--1"), "4....1");
        // As written, markup is text.
        assert_eq!(as_written("1<![CDATA[2").len(), 11);
    }

    #[test]
    fn letters_and_separators() {
        assert_eq!(
            classes("a\u{a0}&nbsp;\\t%20\u{200b}–é"),
            [
                Class::Letter(b'a'),
                Class::Other,
                Class::Other,
                Class::Other,
                Class::Other,
                Class::Other,
                Class::Other,
                Class::OtherAlphanumeric,
            ]
        );
        // Not an escape: read as it stands.
        assert_eq!(classes("&#zz;").len(), 5);
        // `&amp;` escaping no numeric reference is the `&` it spells, and what follows stands.
        assert_eq!(classes("&amp;amp;").len(), 5);
        assert_eq!(classes("%g1").len(), 3);
        // A byte that starts no whole character: one character, no digit, three bytes taken.
        assert_eq!(
            classes("%ea31"),
            [Class::Other, Class::Digit(3), Class::Digit(1)]
        );
    }

    #[test]
    fn spans_point_at_the_spelling() {
        let text = "x&#52;y";
        let logical = decode(text);
        assert_eq!(logical.len(), 3);
        assert_eq!(&text[logical[1].start..logical[1].end], "&#52;");
    }
}
