//! The Sips seal: an HMAC over the values of a message's fields, sorted by name.
//!
//! The rules (SIPS-FACTS §4): every field but `keyVersion`, `sealAlgorithm` and `seal`; absent and empty
//! ones skipped; sorted by name in byte order; values concatenated with no separator; a nested object
//! stands at its own position, replaced by its own fields sorted the same way; a list keeps its order.
//! Generated messages walk their fields in an order fixed at build time
//! ([`Message::write_seal_data`](crate::message::Message::write_seal_data)); [`Value::seal_data`] does
//! the same for a message read at run time (JSON, or an envelope in the `seal` command).
//!
//! `value` holds the sealed string's rules over a message read at run time and the shapes a seal
//! cannot vouch for; this file the algorithms and the key.

#[cfg(test)]
mod tests;
mod value;

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use crate::protocol::UNSEALED_FIELDS;
pub use value::{check_list_length, ShapeError, Value, MAX_LIST_ITEMS};

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
