//! The floor the client's cost per call is held to: the least a correct client of getWalletData
//! does, written by hand on the same crates. It writes the sealed request with `format!` (the same
//! bytes as the client, checked), posts it with a pooled hyper-util client, reads the answer with
//! bare quick-xml borrowing from the body, and verifies its seal (fields sorted by name, list items
//! in order, each item's fields sorted) with `hmac` and `sha2`. No checks beyond those, no typed
//! message, no masking, no exchange kept: what the client adds on top is what the bench measures.

use std::borrow::Cow;

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use quick_xml::events::Event;
use sha2::Sha256;
use sips_wallet::simulator::{DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};

use crate::calls::Bare;
use crate::WALLET;

/// Fields the seal never covers.
const UNSEALED: [&str; 3] = ["keyVersion", "sealAlgorithm", "seal"];

/// The hand-written client: its pooled connections and what it sends.
#[derive(Clone)]
pub(crate) struct Floor {
    bare: Bare,
    uri: http::Uri,
}

impl Floor {
    pub(crate) fn new(bare: Bare, uri: http::Uri) -> Floor {
        Floor { bare, uri }
    }

    /// The sealed getWalletData request of the bench's wallet, written by hand.
    pub(crate) fn request_body() -> String {
        const INTERFACE_VERSION: &str = "WR_WS_2.49";
        // Sealed fields by name: interfaceVersion, merchantId, merchantWalletId.
        let mut mac = Hmac::<Sha256>::new_from_slice(DEMO_SECRET_KEY.as_bytes()).expect("key");
        for value in [INTERFACE_VERSION, DEMO_MERCHANT_ID, WALLET] {
            mac.update(value.as_bytes());
        }
        let seal = hex::encode(mac.finalize().into_bytes());
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\n  \
             <soapenv:Header/>\n  <soapenv:Body>\n    \
             <urn:getWalletData xmlns:urn=\"urn:sips:cn:contract:office:wallet:v2\">\n      \
             <urn:input>\n        \
             <urn:merchantId>{DEMO_MERCHANT_ID}</urn:merchantId>\n        \
             <urn:interfaceVersion>{INTERFACE_VERSION}</urn:interfaceVersion>\n        \
             <urn:keyVersion>{DEMO_KEY_VERSION}</urn:keyVersion>\n        \
             <urn:seal>{seal}</urn:seal>\n        \
             <urn:merchantWalletId>{WALLET}</urn:merchantWalletId>\n      \
             </urn:input>\n    </urn:getWalletData>\n  </soapenv:Body>\n</soapenv:Envelope>\n"
        )
    }

    /// One call: write, seal, post, read, verify; whether the answer is a verified 00 with 10
    /// payment means.
    pub(crate) async fn call(self) -> bool {
        let request = http::Request::post(self.uri)
            .header("content-type", "text/xml; charset=utf-8")
            .header("soapaction", "\"\"")
            .body(Full::new(Bytes::from(Floor::request_body())))
            .expect("request");
        let Ok(response) = self.bare.request(request).await else {
            return false;
        };
        let Ok(body) = response.into_body().collect().await else {
            return false;
        };
        verified_means(&body.to_bytes()) == Some(10)
    }
}

/// One top-level field of the output: a text, or a list item's fields.
enum Piece<'a> {
    Text(Cow<'a, str>),
    Item(Vec<(&'a str, Cow<'a, str>)>),
}

/// The number of payment means of a getWalletData answer whose code is 00 and whose seal
/// verifies under the demo key; `None` otherwise.
pub(crate) fn verified_means(body: &[u8]) -> Option<usize> {
    let xml = std::str::from_utf8(body).ok()?;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut depth = 0;
    let mut fields: Vec<(&str, Piece<'_>)> = Vec::with_capacity(16);
    let mut item: Option<Vec<(&str, Cow<'_, str>)>> = None;
    let mut open: Option<&str> = None;
    let (mut seal, mut code) = (None, None);
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                depth += 1;
                // Envelope 1, Body 2, wrapper 3, output 4, fields 5, item fields 6.
                let name = local(xml, start.local_name().as_ref())?;
                match depth {
                    5 if name == "walletPaymentMeanDataList" => item = Some(Vec::with_capacity(8)),
                    5 | 6 => open = Some(name),
                    _ => {}
                }
            }
            Event::End(_) => {
                if depth == 5 {
                    if let Some(fields_of_item) = item.take() {
                        fields.push(("walletPaymentMeanDataList", Piece::Item(fields_of_item)));
                    }
                }
                depth -= 1;
                open = None;
            }
            Event::Text(text) => {
                let Some(name) = open else { continue };
                let value = text.xml10_content().ok()?;
                match (&mut item, depth) {
                    (Some(item), 6) => item.push((name, value)),
                    (None, 5) if name == "seal" => seal = Some(value),
                    (None, 5) => {
                        if name == "walletResponseCode" {
                            code = Some(value.clone());
                        }
                        fields.push((name, Piece::Text(value)));
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            // No entity references in the bank's answers; a floor refuses what it does not read.
            Event::GeneralRef(_) => return None,
            _ => {}
        }
    }
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut mac = Hmac::<Sha256>::new_from_slice(DEMO_SECRET_KEY.as_bytes()).ok()?;
    let mut means = 0;
    for (name, piece) in &mut fields {
        if UNSEALED.contains(name) {
            continue;
        }
        match piece {
            Piece::Text(text) => mac.update(text.as_bytes()),
            Piece::Item(item) => {
                means += 1;
                item.sort_by(|a, b| a.0.cmp(b.0));
                for (name, text) in item.iter() {
                    if !UNSEALED.contains(name) {
                        mac.update(text.as_bytes());
                    }
                }
            }
        }
    }
    let seal = hex::decode(seal?.as_bytes()).ok()?;
    mac.verify_slice(&seal).ok()?;
    (code.as_deref() == Some("00")).then_some(means)
}

/// An element's local name as a slice of the document itself (the reader borrows from it, so the
/// name's bytes lie inside it): kept without a copy after the event is gone.
fn local<'a>(xml: &'a str, name: &[u8]) -> Option<&'a str> {
    let start = (name.as_ptr() as usize).checked_sub(xml.as_ptr() as usize)?;
    xml.get(start..start + name.len())
}
