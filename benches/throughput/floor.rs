//! The floor the client's cost per call is held to: the least a correct client of getWalletData
//! does, written by hand on the same crates. It writes the sealed request with `format!` (the same
//! bytes as the client, checked), posts it with a pooled hyper-util client, and reads the answer
//! and verifies its seal with `common::floor_read` (bare quick-xml borrowing from the body, `hmac`
//! and `sha2`). No checks beyond those, no typed message, no masking, no exchange kept: what the
//! client adds on top is what the bench measures.

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use sha2::Sha256;
use sips_wallet::simulator::{DEMO_KEY_VERSION, DEMO_MERCHANT_ID, DEMO_SECRET_KEY};

use crate::calls::Bare;
use crate::WALLET;

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
        let mut mac = DEMO_MAC.with(Hmac::clone);
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

thread_local! {
    /// The demo key's HMAC state, keyed once per thread.
    static DEMO_MAC: Hmac<Sha256> = crate::common::floor_read::keyed(DEMO_SECRET_KEY.as_bytes());
}

/// The number of payment means of a getWalletData answer whose code is 00 and whose seal
/// verifies under the demo key; `None` otherwise.
pub(crate) fn verified_means(body: &[u8]) -> Option<usize> {
    let xml = std::str::from_utf8(body).ok()?;
    let answer = DEMO_MAC.with(|mac| crate::common::floor_read::floor_read(xml, mac))?;
    (answer.code.as_deref() == Some("00")).then_some(answer.items)
}
