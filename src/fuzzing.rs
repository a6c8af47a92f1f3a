//! Entry points for the fuzz targets in `fuzz/`: each runs one real path of the crate over
//! arbitrary bytes, as the network or a user would hand them in. Not part of the API.
//!
//! The targets only need these not to panic, abort or stall; `fuzz/run.sh` runs them.

use std::sync::OnceLock;

use bytes::Bytes;

use crate::message::{Operation, OperationVisitor};
use crate::seal::{self, Algorithm, SecretKey};
use crate::{contract, inapp, mask, simulator, Reply, WalletClient};

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
    let operations = contract::OPERATIONS.iter().chain(inapp::OPERATIONS);
    let Some(operation) = operations
        .cycle()
        .nth(usize::from(selector & 0x7f))
        .map(|o| o.info())
    else {
        return;
    };
    let read = ReadAnswer {
        client,
        status,
        body: Bytes::copy_from_slice(body),
    };
    // Wallet operations first, then In-App: the request element names the operation in either.
    let _ = contract::with_request_element(operation.request_element, read.clone())
        .or_else(|| inapp::with_request_element(operation.request_element, read));
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

/// The masker's promise over any text: no card number and no IBAN left in what it returns. Panics (a
/// finding) when [`card_number_in`] finds one.
pub fn mask_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let masked = mask::mask_text(&text);
    if let Some(found) = card_number_in(&masked) {
        panic!("a card number survived the masker: {found}");
    }
    if let Some(found) = iban_in(&masked) {
        panic!("an IBAN survived the masker: {found}");
    }
}

/// An oracle written apart from the masker: the first IBAN the text holds (capital letters and
/// digits, one space allowed between two, 15 to 34 of them passing the mod 97 check).
pub fn iban_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let is_part = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    for start in 0..bytes.len() {
        let mut chars = String::new();
        let mut at = start;
        while at < bytes.len() && chars.len() < 34 {
            let b = bytes[at];
            if is_part(b) {
                chars.push(char::from(b));
                if chars.len() >= 15 && mask::iban_valid(&chars) {
                    return Some(chars);
                }
            } else if chars.is_empty()
                || b != b' '
                || !bytes.get(at + 1).copied().is_some_and(is_part)
            {
                break;
            }
            at += 1;
        }
    }
    None
}

/// An oracle written apart from the masker, for fuzzing and property tests: the first run of 13
/// to 19 digits (one space, dash or dot allowed between two digits) that passes the Luhn check.
pub fn card_number_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for start in 0..bytes.len() {
        let mut digits = String::new();
        let mut at = start;
        while at < bytes.len() && digits.len() < 19 {
            let b = bytes[at];
            if b.is_ascii_digit() {
                digits.push(char::from(b));
                if digits.len() >= 13 && mask::luhn_valid(&digits) {
                    return Some(digits);
                }
            } else if digits.is_empty()
                || !matches!(b, b' ' | b'-' | b'.')
                || !bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            {
                break;
            }
            at += 1;
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
