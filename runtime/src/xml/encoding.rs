//! [`decode_document`]: the bytes of a document read as text in the encoding its sender names, once,
//! so that the fields, and the seal over them, are the characters the sender meant (the seal is
//! computed over their UTF-8 bytes whatever encoding carried them).
//!
//! The encoding is named by a byte-order mark, by the HTTP header's `charset` and by the XML
//! declaration. A byte-order mark decides; otherwise the header and the declaration, when both
//! name one, must name the same encoding (labels as the WHATWG Encoding Standard reads them:
//! `latin1` and `ISO-8859-1` are one encoding). Nothing named means UTF-8.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::DecodeError;
use crate::mask::from_outside as shown;

/// The text of `bytes`, read in the encoding named by its byte-order mark, `charset` (the HTTP
/// header's, see [`charset_of`]) or its XML declaration. UTF-8 is borrowed, never copied.
pub fn decode_document<'b>(
    bytes: &'b [u8],
    charset: Option<&str>,
) -> Result<Cow<'b, str>, DecodeError> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        return decode_as(encoding, &bytes[bom_length..]);
    }
    let known = |label: &str| {
        // The label nearly every answer names, without the table lookup.
        if label.eq_ignore_ascii_case("utf-8") {
            return Ok(encoding_rs::UTF_8);
        }
        Encoding::for_label_no_replacement(label.trim().as_bytes()).ok_or_else(|| {
            DecodeError::Encoding {
                encoding: shown(label),
            }
        })
    };
    let from_header = charset.map(known).transpose()?;
    let declared = declared_encoding(bytes);
    let from_declaration = match declared {
        Some(label) => {
            let encoding = known(label)?;
            // Read from ASCII bytes, a declaration cannot name UTF-16: the document says two things.
            if !encoding.is_ascii_compatible() {
                return Err(DecodeError::Encoding {
                    encoding: shown(label),
                });
            }
            Some(encoding)
        }
        None => None,
    };
    let encoding = match (from_header, from_declaration) {
        (Some(header), Some(declaration)) if header != declaration => {
            return Err(DecodeError::EncodingMismatch {
                header: shown(charset.unwrap_or_default()),
                declaration: shown(declared.unwrap_or_default()),
            })
        }
        (Some(named), _) | (None, Some(named)) => named,
        (None, None) => encoding_rs::UTF_8,
    };
    decode_as(encoding, bytes)
}

fn decode_as<'b>(
    encoding: &'static Encoding,
    bytes: &'b [u8],
) -> Result<Cow<'b, str>, DecodeError> {
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| {
            DecodeError::NotInEncoding {
                encoding: encoding.name().into(),
            }
        });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| DecodeError::NotInEncoding {
            encoding: encoding.name().into(),
        })
}

/// The `charset` parameter of a `Content-Type` value (`text/xml; charset="ISO-8859-1"`), if any.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The `encoding` of a leading XML declaration (`<?xml version="1.0" encoding="…"?>`), if any.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let head = bytes.strip_prefix(b"<?xml")?;
    let end = head.windows(2).take(256).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&head[..end]).ok()?;
    let value = declaration.split("encoding").nth(1)?.trim_start();
    let value = value.strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_decoded_as_its_declaration_says() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\xe9</a>";
        assert_eq!(
            decode_document(latin1, None).unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\u{e9}</a>"
        );
        let cp1252 = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80 \xe9</a>";
        assert!(decode_document(cp1252, None)
            .unwrap()
            .contains("\u{20ac} \u{e9}"));
        let utf8 = "<?xml version='1.0' encoding='utf-8'?><a>Caf\u{e9}</a>";
        assert!(matches!(
            decode_document(utf8.as_bytes(), None),
            Ok(Cow::Borrowed(text)) if text == utf8
        ));
        assert_eq!(decode_document(b"<a/>", None).unwrap(), "<a/>");
        assert!(matches!(
            decode_document(b"<?xml version=\"1.0\" encoding=\"EBCDIC-X\"?><a/>", None),
            Err(DecodeError::Encoding { encoding }) if encoding == "EBCDIC-X"
        ));
        assert!(
            matches!(
                decode_document(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", None),
                Err(DecodeError::Encoding { .. })
            ),
            "UTF-16 cannot be declared in ASCII bytes"
        );
        assert!(
            matches!(
                decode_document(b"<a>\xe9</a>", None),
                Err(DecodeError::NotInEncoding { .. })
            ),
            "undeclared, so UTF-8"
        );
    }

    #[test]
    fn the_header_names_the_encoding_and_must_agree_with_the_declaration() {
        let plain = b"<a>Caf\xe9</a>";
        assert_eq!(
            decode_document(plain, Some("ISO-8859-1")).unwrap(),
            "<a>Caf\u{e9}</a>"
        );
        let declared = b"<?xml version=\"1.0\" encoding=\"latin1\"?><a>Caf\xe9</a>";
        assert!(
            decode_document(declared, Some("iso-8859-1")).is_ok(),
            "one encoding, two labels"
        );
        assert!(matches!(
            decode_document(declared, Some("UTF-8")),
            Err(DecodeError::EncodingMismatch { header, declaration })
                if header == "UTF-8" && declaration == "latin1"
        ));
        assert!(matches!(
            decode_document(plain, Some("klingon")),
            Err(DecodeError::Encoding { .. })
        ));
    }

    #[test]
    fn a_byte_order_mark_decides() {
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<a>\u{e9}</a>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_document(&utf16, None).unwrap(), "<a>\u{e9}</a>");
        let utf8 = "\u{feff}<a>\u{e9}</a>";
        assert_eq!(
            decode_document(utf8.as_bytes(), None).unwrap(),
            "<a>\u{e9}</a>"
        );
    }

    #[test]
    fn the_charset_is_read_from_a_content_type() {
        assert_eq!(
            charset_of("text/xml; charset=ISO-8859-1"),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_of("text/xml;Charset=\"utf-8\""), Some("utf-8"));
        assert_eq!(charset_of("text/xml"), None);
        assert_eq!(charset_of("text/xml; action=\"x\""), None);
    }
}
