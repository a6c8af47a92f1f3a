//! [`Text`]: the text of a message field, kept inline when short.
//!
//! Nearly every field of a Sips message is short: ids, response codes, dates, masked numbers,
//! brands. A `String` per field was one allocation per field of every answer read (about 80 for a
//! wallet of 10 means); `Text` holds up to 24 bytes (on 64-bit targets) in place and only longer
//! text on the heap, with the same size as a `String`. It reads as a `&str` wherever one is
//! expected (`Deref`, `AsRef`, `Borrow`, comparisons with `str` and `String`).

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;

/// The text of a message field (see the [module documentation](self)).
///
/// ```
/// use sips_wallet_runtime::text::Text;
///
/// let id = Text::from("pm-1");
/// assert_eq!(id, "pm-1");
/// assert_eq!(id.len(), 4);
/// let owned: String = id.into();
/// assert_eq!(owned, "pm-1");
/// ```
#[derive(
    Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Text(CompactString);

impl Text {
    /// An empty text.
    pub const fn new() -> Text {
        Text(CompactString::const_new(""))
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the text is empty (a field the message leaves out, for a required one).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the text is held in place, with no allocation of its own (text of up to
    /// `size_of::<String>()` bytes: 24 on 64-bit targets).
    pub fn is_inline(&self) -> bool {
        !self.0.is_heap_allocated()
    }

    /// Appends a string slice.
    pub fn push_str(&mut self, text: &str) {
        self.0.push_str(text)
    }

    /// Appends one character.
    pub fn push(&mut self, c: char) {
        self.0.push(c)
    }

    /// The text as a `String` (no copy when it was already on the heap).
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As a `str` shows itself. The generated messages' `Debug` masks their fields before they get
/// here; a `Text` taken out of a message is the caller's to show.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(CompactString::from(text))
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Text {
        Text::from(text.as_str())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(CompactString::from(text))
    }
}

impl From<Cow<'_, str>> for Text {
    fn from(text: Cow<'_, str>) -> Text {
        Text(CompactString::from(text))
    }
}

impl From<&Text> for Text {
    fn from(text: &Text) -> Text {
        text.clone()
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.into_string()
    }
}

impl std::str::FromStr for Text {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Text, Self::Err> {
        Ok(Text::from(text))
    }
}

macro_rules! text_eq {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for Text {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == <$other as AsRef<str>>::as_ref(other)
            }
        }

        impl PartialEq<Text> for $other {
            fn eq(&self, other: &Text) -> bool {
                <$other as AsRef<str>>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

text_eq!(str, &str, String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_text_read_back_as_written() {
        for text in [
            "",
            "00",
            "4111##########11",
            &"x".repeat(24),
            &"é".repeat(100),
        ] {
            let mut built = Text::new();
            for c in text.chars() {
                built.push(c);
            }
            assert_eq!(built, *text);
            assert_eq!(Text::from(text.to_string()), text);
            assert_eq!(String::from(built.clone()), text);
            assert_eq!(format!("{built}"), text);
            assert_eq!(format!("{built:?}"), format!("{text:?}"));
        }
    }

    #[test]
    fn text_as_long_as_a_string_is_held_in_place_and_longer_text_on_the_heap() {
        let capacity = std::mem::size_of::<String>();
        assert_eq!(std::mem::size_of::<Text>(), capacity);
        assert!(Text::from("x".repeat(capacity)).is_inline());
        assert!(!Text::from("x".repeat(capacity + 1)).is_inline());
        let mut grown = Text::from("x".repeat(capacity));
        grown.push('y');
        assert!(!grown.is_inline());
    }

    #[test]
    fn serde_reads_and_writes_a_plain_string() {
        let text: Text = serde_json::from_str("\"pm-1\"").unwrap();
        assert_eq!(text, "pm-1");
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"pm-1\"");
    }
}
