//! The protocol's constants (SIPS-FACTS §1, §2, §4): the bottom floor, read by the runtime, the
//! generator and the client alike, so each rule is written once.

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace: recognised only to say it is not SOAP 1.1.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Field names the seal never covers.
pub const UNSEALED_FIELDS: &[&str] = &["keyVersion", "sealAlgorithm", "seal"];

/// Field names whose values are card or bank account data: masked wherever a message is shown.
pub const SENSITIVE_FIELDS: &[&str] = &["cardNumber", "cardCSCValue", "cardSecurityCode", "iban"];

/// Field names holding an IBAN: sent in its electronic form (upper case, no spaces), as the bank
/// writes it, whatever form the caller typed.
pub const IBAN_FIELDS: &[&str] = &["iban"];

/// Names the response code field has in the platform's services (wallet, In-App).
pub const RESPONSE_CODE_FIELDS: &[&str] = &[
    "walletResponseCode",
    "redirectionStatusCode",
    "responseCode",
];

/// A response code as a label (metrics, observers): itself when it has the form of one (up to
/// four letters or digits), `invalid` otherwise, `none` when there is none. Never text from
/// outside, whatever a server writes there.
pub fn response_code_label(code: Option<&str>) -> &str {
    match code {
        Some(code)
            if (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            code
        }
        Some(_) => "invalid",
        None => "none",
    }
}

/// Path of the SOAP wallet service on every Sips 2.0 host.
pub const WALLET_PATH: &str = "/services/v2/wallet";
/// The wallet's JSON binding: the function's name follows (`/rs-services/v2/wallet/addCard`).
pub const WALLET_JSON_PATH: &str = "/rs-services/v2/wallet/";

/// The response code of a request whose seal the bank refused ("suspicion of fraud", SIPS-FACTS
/// §3): a wrong secret key or key version.
pub const REFUSED_SEAL_CODE: &str = "34";

/// Response codes saying that the wallet or payment mean a request names is unknown: `25` (the
/// data dictionary's list) and `01` (what the prose of two pages says an unknown wallet gives;
/// SIPS-FACTS §3, *inferred*).
pub const UNKNOWN_WALLET_CODES: &[&str] = &["25", "01"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_code_shaped_text_becomes_a_label() {
        assert_eq!(response_code_label(Some("00")), "00");
        assert_eq!(response_code_label(Some("A1")), "A1");
        assert_eq!(response_code_label(Some("4111111111111111")), "invalid");
        assert_eq!(response_code_label(Some("0 0")), "invalid");
        assert_eq!(response_code_label(Some("")), "invalid");
        assert_eq!(response_code_label(None), "none");
    }
}
