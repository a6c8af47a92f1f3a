//! The Sips seal: an HMAC over the values of a message's fields, sorted by name.
//!
//! The rules (SIPS-FACTS §4): every field but `keyVersion`, `sealAlgorithm` and `seal`; absent and empty
//! ones skipped; sorted by name in byte order; values concatenated with no separator; a nested object
//! stands at its own position, replaced by its own fields sorted the same way; a list keeps its order.
//! Generated messages walk their fields in an order fixed at build time
//! ([`Message::write_seal_data`](crate::message::Message::write_seal_data)); [`Value::seal_data`] does
//! the same for a message read at run time (JSON, or an envelope in the `seal` command).

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use crate::protocol::UNSEALED_FIELDS;

/// How a seal is computed (`sealAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// `HMAC-SHA-256`, the platform's default.
    #[default]
    HmacSha256,
    /// `HMAC-SHA-512`.
    HmacSha512,
    /// `SHA-256`: SHA-256 of the data followed by the key (legacy).
    Sha256,
}

impl Algorithm {
    /// The `sealAlgorithm` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "HMAC-SHA-256",
            Algorithm::HmacSha512 => "HMAC-SHA-512",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// Reads a `sealAlgorithm` value; `None` for a value the platform does not define.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "HMAC-SHA-256" => Some(Algorithm::HmacSha256),
            "HMAC-SHA-512" => Some(Algorithm::HmacSha512),
            "SHA-256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A merchant's secret key. Never printed; wiped from memory when dropped.
#[derive(Clone)]
pub struct SecretKey {
    bytes: Zeroizing<Vec<u8>>,
    // HMAC's key schedule, run once: the key already absorbed into the inner and outer pads, which
    // is half the work of sealing a short message. Each is worth the key, and is wiped on drop
    // like it (sha2's `zeroize` feature; `keyed_states_are_wiped_on_drop` holds it).
    hmac_sha256: Hmac<Sha256>,
    hmac_sha512: Hmac<Sha512>,
}

impl SecretKey {
    /// Wraps a key. The key is the UTF-8 text the bank gave, used as bytes.
    pub fn new(key: impl Into<Vec<u8>>) -> Result<SecretKey, EmptyKey> {
        let key = Zeroizing::new(key.into());
        if key.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(EmptyKey);
        }
        Ok(SecretKey {
            hmac_sha256: keyed(&key),
            hmac_sha512: keyed(&key),
            bytes: key,
        })
    }

    /// Reads a key file (a regular file of at most [`MAX_KEY_FILE_BYTES`]); one trailing line
    /// break is not part of the key.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<SecretKey> {
        let read = crate::files::read_regular(path, MAX_KEY_FILE_BYTES).map_err(|e| match e {
            crate::files::FileError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other),
        })?;
        let mut bytes = Zeroizing::new(read);
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        SecretKey::new(bytes.to_vec())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The largest key file read: a key is a few dozen bytes.
pub const MAX_KEY_FILE_BYTES: u64 = 4096;

/// A secret key must not be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the secret key is empty")]
pub struct EmptyKey;

/// The seal of `data`: lowercase hex.
pub fn compute(algorithm: Algorithm, key: &SecretKey, data: &str) -> String {
    let seal = RawSeal::of(algorithm, key, data.as_bytes());
    let mut hex = [0; 2 * RawSeal::MAX_LEN];
    let hex = &mut hex[..2 * seal.len];
    match hex::encode_to_slice(seal.as_bytes(), hex) {
        // Hex digits are ASCII: nothing is ever replaced.
        Ok(()) => String::from_utf8_lossy(hex).into_owned(),
        Err(_) => unreachable!("the buffer holds twice the seal's length"),
    }
}

/// Whether `seal` (hex, either case) is the seal of `data`. Compares in constant time.
pub fn verify(algorithm: Algorithm, key: &SecretKey, data: &str, seal: &str) -> bool {
    let expected = RawSeal::of(algorithm, key, data.as_bytes());
    let mut received = [0; RawSeal::MAX_LEN];
    let received = &mut received[..expected.len];
    // A seal of the wrong length or with a character that is not hex is refused here.
    if hex::decode_to_slice(seal.trim(), received).is_err() {
        return false;
    }
    expected.as_bytes().ct_eq(received).into()
}

/// A seal's bytes, on the stack.
struct RawSeal {
    bytes: [u8; RawSeal::MAX_LEN],
    len: usize,
}

impl RawSeal {
    /// HMAC-SHA-512's 64 bytes, the longest.
    const MAX_LEN: usize = 64;

    fn of(algorithm: Algorithm, key: &SecretKey, data: &[u8]) -> RawSeal {
        match algorithm {
            Algorithm::HmacSha256 => RawSeal::copied(
                &key.hmac_sha256
                    .clone()
                    .chain_update(data)
                    .finalize()
                    .into_bytes(),
            ),
            Algorithm::HmacSha512 => RawSeal::copied(
                &key.hmac_sha512
                    .clone()
                    .chain_update(data)
                    .finalize()
                    .into_bytes(),
            ),
            Algorithm::Sha256 => RawSeal::copied(
                &Sha256::new()
                    .chain_update(data)
                    .chain_update(key.bytes())
                    .finalize(),
            ),
        }
    }

    fn copied(digest: &[u8]) -> RawSeal {
        let mut bytes = [0; RawSeal::MAX_LEN];
        bytes[..digest.len()].copy_from_slice(digest);
        RawSeal {
            bytes,
            len: digest.len(),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn keyed<M: KeyInit>(key: &[u8]) -> M {
    match M::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// Most items one list of a message may hold (a wallet's payment means): a longer list is refused
/// ([`ShapeError::TooManyItems`]). Real wallets hold a handful.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// A part of a message that the seal cannot vouch for, or more of it than the crate reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// A list item or nested object adds nothing to the sealed string (it is empty, or all its
    /// fields are): the seal is the same with or without it, so anyone could have added it.
    #[error("`{field}` adds nothing to the sealed string (an empty item or object), so the seal cannot vouch for it")]
    EmptyPart {
        /// Its path (`walletPaymentMeanDataList[1]`).
        field: String,
    },
    /// A list longer than [`MAX_LIST_ITEMS`].
    #[error("`{field}` holds more than {limit} items")]
    TooManyItems {
        /// The list's name.
        field: String,
        /// The bound.
        limit: usize,
    },
}

impl ShapeError {
    /// The same error, its path under `parent` (`walletPaymentMeanDataList[1]` + `x` →
    /// `walletPaymentMeanDataList[1].x`).
    pub fn under(self, parent: &str) -> ShapeError {
        match self {
            ShapeError::EmptyPart { field } => ShapeError::EmptyPart {
                field: child_path(parent, &field),
            },
            ShapeError::TooManyItems { field, limit } => ShapeError::TooManyItems {
                field: child_path(parent, &field),
                limit,
            },
        }
    }
}

/// A message as a tree of named values: what a seal is computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A field's text, as sent (unescaped).
    Text(String),
    /// Named fields, in the order they were read.
    Object(Vec<(String, Value)>),
    /// A repeated field's items, in order.
    List(Vec<Value>),
}

impl Value {
    /// A field of an object, by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a field of an object.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The string a seal is computed over, fields sorted at run time.
    pub fn seal_data(&self) -> String {
        self.sealed_fields().into_iter().map(|(_, v)| v).collect()
    }

    /// The sealed values in seal order, each with its path (`walletPaymentMeanDataList[1].maskedPan`):
    /// what the `seal` command shows to explain a seal.
    pub fn sealed_fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        collect(self, "", &mut out);
        out
    }

    /// Checks that every part of a message is vouched for by its seal: each list item and nested
    /// object adds something to the sealed string, and no list is longer than
    /// [`MAX_LIST_ITEMS`]. An empty simple field is fine (the bank answers `<errorFieldName/>`).
    ///
    /// Sips seals the concatenation of the values, so a part whose values are all empty is
    /// invisible to it: accepting one would show the caller data the bank never sealed.
    pub fn check_shape(&self) -> Result<(), ShapeError> {
        check_parts(self, "")
    }

    /// Reads a JSON document (strings, numbers and booleans are taken as their text).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::String(s) => Value::Text(s.clone()),
            serde_json::Value::Null => Value::Text(String::new()),
            other => Value::Text(other.to_string()),
        }
    }

    /// The value as JSON (text stays text).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn check_parts(value: &Value, path: &str) -> Result<(), ShapeError> {
    match value {
        Value::Text(_) => Ok(()),
        Value::Object(fields) => fields.iter().try_for_each(|(name, field)| match field {
            Value::Text(_) => Ok(()),
            Value::Object(_) => check_part(field, &child_path(path, name)),
            Value::List(_) => check_parts(field, &child_path(path, name)),
        }),
        Value::List(items) => {
            check_list_length(items.len(), path)?;
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check_part(item, &format!("{path}[{i}]")))
        }
    }
}

/// A list may hold at most [`MAX_LIST_ITEMS`] items; `field` names it in the error.
pub fn check_list_length(length: usize, field: &str) -> Result<(), ShapeError> {
    if length > MAX_LIST_ITEMS {
        return Err(ShapeError::TooManyItems {
            field: field.into(),
            limit: MAX_LIST_ITEMS,
        });
    }
    Ok(())
}

/// A list item or nested object: it must add to the seal, and so must its own parts.
fn check_part(part: &Value, path: &str) -> Result<(), ShapeError> {
    if part.adds_to_seal() {
        check_parts(part, path)
    } else {
        Err(ShapeError::EmptyPart { field: path.into() })
    }
}

impl Value {
    /// Whether any value under it is sealed (not empty, not an unsealed field).
    fn adds_to_seal(&self) -> bool {
        match self {
            Value::Text(text) => !text.is_empty(),
            Value::List(items) => items.iter().any(Value::adds_to_seal),
            Value::Object(fields) => fields.iter().any(|(name, field)| {
                !UNSEALED_FIELDS.contains(&name.as_str()) && field.adds_to_seal()
            }),
        }
    }
}

fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn collect(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Text(text) => {
            if !text.is_empty() {
                out.push((path.to_string(), text.clone()));
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            let mut sorted: Vec<&(String, Value)> = fields
                .iter()
                .filter(|(name, _)| !UNSEALED_FIELDS.contains(&name.as_str()))
                .collect();
            // Stable: a name repeated in XML keeps its document order.
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (name, field) in sorted {
                collect(field, &child_path(path, name), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> SecretKey {
        SecretKey::new(k).unwrap()
    }

    #[test]
    fn hmac_sha256_primitive_matches_the_published_example() {
        assert_eq!(
            compute(
                Algorithm::HmacSha256,
                &key("superSafeSecretKey"),
                "This is a test!"
            ),
            "198e5f278e3f8548e174e84492953c4871732278b7e2aa2cbf20bb1ab85914ea"
        );
    }

    #[test]
    fn sign_off_example_seals_the_documented_string() {
        let message = Value::Object(vec![
            ("merchantId".into(), Value::Text("011223344550000".into())),
            ("interfaceVersion".into(), Value::Text("WR_WS_2.51".into())),
            ("keyVersion".into(), Value::Text("1".into())),
            ("merchantWalletId".into(), Value::Text("SIM01".into())),
            ("seal".into(), Value::Text("ignored".into())),
        ]);
        assert_eq!(message.seal_data(), "WR_WS_2.51011223344550000SIM01");
    }

    #[test]
    fn nested_objects_and_lists_are_flattened_in_place() {
        let item = |id: &str, pan: &str| {
            Value::Object(vec![
                ("paymentMeanId".into(), Value::Text(id.into())),
                ("maskedPan".into(), Value::Text(pan.into())),
            ])
        };
        let message = Value::Object(vec![
            ("walletResponseCode".into(), Value::Text("00".into())),
            (
                "walletPaymentMeanDataList".into(),
                Value::List(vec![item("1", "A"), item("2", "B")]),
            ),
            ("errorFieldName".into(), Value::Text(String::new())),
        ]);
        // walletPaymentMeanDataList < walletResponseCode; inside each item maskedPan < paymentMeanId.
        assert_eq!(message.seal_data(), "A1B200");
        assert_eq!(
            message.sealed_fields()[2].0,
            "walletPaymentMeanDataList[1].maskedPan"
        );
    }

    #[test]
    fn verify_is_case_insensitive_and_rejects_wrong_or_garbage() {
        let k = key("k");
        for algorithm in [
            Algorithm::HmacSha256,
            Algorithm::HmacSha512,
            Algorithm::Sha256,
        ] {
            let seal = compute(algorithm, &k, "data");
            assert!(verify(algorithm, &k, "data", &seal));
            assert!(verify(algorithm, &k, "data", &seal.to_uppercase()));
            assert!(!verify(algorithm, &k, "datA", &seal));
            assert!(!verify(algorithm, &key("other"), "data", &seal));
            assert!(!verify(algorithm, &k, "data", "not hex"));
            assert!(!verify(algorithm, &k, "data", ""));
        }
        assert_eq!(compute(Algorithm::HmacSha512, &k, "data").len(), 128);
    }

    #[test]
    fn hmac_seals_match_rfc_4231_whatever_was_sealed_before() {
        // Test cases 2 (a short key) and 6 (a key longer than the block, hashed first).
        let short = key("Jefe");
        let long = SecretKey::new(vec![0xaa; 131]).unwrap();
        let cases = [
            (&short, Algorithm::HmacSha256, "what do ya want for nothing?",
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (&short, Algorithm::HmacSha512, "what do ya want for nothing?",
             "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
            (&long, Algorithm::HmacSha256, "Test Using Larger Than Block-Size Key - Hash Key First",
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            (&long, Algorithm::HmacSha512, "Test Using Larger Than Block-Size Key - Hash Key First",
             "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
        ];
        // Twice round, and with other data sealed in between: the key's HMAC state is reused,
        // so a seal must never carry anything over from the one before.
        for _ in 0..2 {
            for (k, algorithm, data, expected) in cases {
                assert_eq!(compute(algorithm, k, data), expected);
                assert!(verify(algorithm, k, data, expected));
                compute(algorithm, k, "something else");
            }
        }
    }

    #[test]
    fn keyed_states_are_wiped_on_drop() {
        // Compiles only with sha2's `zeroize` feature, which makes HMAC's inner and outer
        // states (all `SecretKey` keeps besides the key) zero themselves on drop.
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<<Sha256 as hmac::EagerHash>::Core>();
        wiped_on_drop::<<Sha512 as hmac::EagerHash>::Core>();
    }

    #[test]
    fn legacy_sha256_is_data_then_key() {
        let expected = hex::encode(Sha256::digest(b"datakey"));
        assert_eq!(compute(Algorithm::Sha256, &key("key"), "data"), expected);
    }

    #[test]
    fn secret_key_never_prints() {
        let k = key("superSafeSecretKey");
        assert!(!format!("{k:?}").contains("superSafe"));
        assert!(matches!(SecretKey::new("  "), Err(EmptyKey)));
    }
}
