//! [`XmlWriter`]: a message's elements written so that a conformant parser reads the same values
//! back, characters XML cannot carry refused, naming the field.

use std::borrow::Cow;

/// A request or response field holds a character XML cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {reason}")]
pub struct EncodeError {
    /// The field's XML name.
    pub field: String,
    /// What is wrong (never the value).
    pub reason: String,
}

/// Writes a message's elements, indented, with the contract's prefix.
pub struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// An empty document, with room for a request or a short answer: a block this small comes
    /// from glibc's per-thread cache, where a larger one takes the lock other threads contend for.
    pub fn new() -> Self {
        Self::with_capacity(1024)
    }

    /// An empty document with room for `bytes` before it grows.
    pub fn with_capacity(bytes: usize) -> Self {
        XmlWriter {
            out: String::with_capacity(bytes),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Writes raw markup (the XML declaration).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// `<name attributes>`: `attributes` is written as is (namespace declarations).
    pub fn open(&mut self, name: &str, attributes: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(attributes);
        self.out.push('>');
        self.depth += 1;
    }

    /// `<prefix:name xmlns:declared="namespace">`, from its parts (nothing built to join them).
    pub fn open_qualified(
        &mut self,
        prefix: Option<&str>,
        name: &str,
        declares: Option<(&str, &str)>,
    ) {
        self.indent();
        self.out.push('<');
        self.push_qualified(prefix, name);
        if let Some((declared, namespace)) = declares {
            self.out.push_str(" xmlns:");
            self.out.push_str(declared);
            self.out.push_str("=\"");
            self.out.push_str(namespace);
            self.out.push('"');
        }
        self.out.push('>');
        self.depth += 1;
    }

    /// `</prefix:name>`.
    pub fn close_qualified(&mut self, prefix: Option<&str>, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.push_qualified(prefix, name);
        self.out.push('>');
    }

    fn push_qualified(&mut self, prefix: Option<&str>, name: &str) {
        if let Some(prefix) = prefix {
            self.out.push_str(prefix);
            self.out.push(':');
        }
        self.out.push_str(name);
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name/>`.
    pub fn empty(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>");
    }

    /// `<name>value</name>`, `value` escaped; `field` names the field if the value cannot be written.
    pub fn text(&mut self, name: &str, field: &str, value: &str) -> Result<(), EncodeError> {
        let escaped = escape_text(value).map_err(|reason| EncodeError {
            field: field.to_string(),
            reason: reason.into(),
        })?;
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escaped);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        Ok(())
    }

    /// The document written so far.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Escapes text for element content so that an XML 1.0 parser reads back exactly `value`:
/// `&`, `<`, `>` as entities and CR as `&#13;` (a raw CR would be read as a line feed). Refuses the
/// characters XML 1.0 cannot carry at all.
pub fn escape_text(value: &str) -> Result<Cow<'_, str>, &'static str> {
    // One pass over the bytes finds the first place that may need work: a character to escape,
    // a control character, or 0xEF, the first byte of U+F000 to U+FFFF (where U+FFFE and U+FFFF
    // lie). Each is the first byte of a character, so the text splits there.
    let suspect = |b: u8| {
        matches!(b, b'&' | b'<' | b'>' | b'\r' | 0xEF) || (b < 0x20 && b != b'\t' && b != b'\n')
    };
    let Some(first) = value.bytes().position(suspect) else {
        return Ok(Cow::Borrowed(value));
    };
    let mut out = String::with_capacity(value.len() + 16);
    out.push_str(&value[..first]);
    for c in value[first..].chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => {
                return Err("holds a control character that XML cannot carry (U+0000 to U+001F other than tab, CR and LF, or U+FFFE/U+FFFF)")
            }
            c => out.push(c),
        }
    }
    Ok(match out.len() == value.len() {
        // Only characters that needed nothing (0xEF-led ones): the text as it was.
        true => Cow::Borrowed(value),
        false => Cow::Owned(out),
    })
}

/// XML 1.0 `Char` (Rust strings hold no surrogates).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}
