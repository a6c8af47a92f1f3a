//! A field's metadata as the generator fills it in, and the interface versions fields are tied to.

use std::fmt;
use std::str::FromStr;

impl FieldInfo {
    /// The documented meaning of one of this field's values (`"00"` → `"Successful operation."`).
    pub fn describe(&self, value: &str) -> Option<&'static str> {
        match self.kind {
            FieldKind::Enum {
                values,
                descriptions,
            } => values
                .iter()
                .position(|v| *v == value)
                .and_then(|i| descriptions.get(i).copied()),
            _ => None,
        }
    }
}

/// One field of a message type, as the schema describes it.
///
/// Not `#[non_exhaustive]`: generated code in another crate builds it field by field, which keeps
/// that code readable; the generator and this crate change together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// XML (and JSON) name: `merchantWalletId`.
    pub name: &'static str,
    /// Rust field name: `merchant_wallet_id`.
    pub rust_name: &'static str,
    /// What the field holds.
    pub kind: FieldKind,
    /// How many times it may appear.
    pub occurs: Occurs,
    /// The interface version that introduced the field.
    pub since: Option<Version>,
    /// Card data: masked in `Debug` output and logs.
    pub sensitive: bool,
    /// The schema's documentation.
    pub documentation: &'static str,
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text, kept as it travels.
    Text,
    /// One of a list of values (other values are kept, not rejected).
    Enum {
        /// The values the contract lists.
        values: &'static [&'static str],
        /// Their meanings, in the same order.
        descriptions: &'static [&'static str],
    },
    /// A nested message.
    Object {
        /// The schema type's name.
        type_name: &'static str,
    },
}

/// `minOccurs`/`maxOccurs` of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    /// Exactly once.
    Required,
    /// At most once.
    Optional,
    /// Any number of times, order kept.
    Repeated,
}

/// An interface version number: the `2.55` of `WR_WS_2.55`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// `2` in `2.55`.
    pub major: u16,
    /// `55` in `2.55`.
    pub minor: u16,
}

impl Version {
    /// `Version::new(2, 55)` is `2.55`.
    pub const fn new(major: u16, minor: u16) -> Self {
        Version { major, minor }
    }

    /// Reads the number at the end of an `interfaceVersion` (`WR_WS_2.55` → `2.55`).
    pub fn of_interface_version(interface_version: &str) -> Option<Version> {
        let number = interface_version.rsplit('_').next()?;
        number.parse().ok()
    }
}

impl FromStr for Version {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
        Ok(Version::new(
            major.parse().map_err(|_| ())?,
            minor.parse().map_err(|_| ())?,
        ))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(
            Version::of_interface_version("WR_WS_2.55"),
            Some(Version::new(2, 55))
        );
        assert_eq!(
            Version::of_interface_version("IR_MB_2.5"),
            Some(Version::new(2, 5))
        );
        assert!(Version::new(2, 9) < Version::new(2, 12));
        assert_eq!(Version::of_interface_version("garbage"), None);
    }
}
