//! JSON framing: a message read once from the JSON binding's body (the wallet's
//! `/rs-services/v2/wallet/<function>` and In-App), and written by serde.

/// Reads a JSON message once, by serde: the known fields by their types, any other field of the
/// message or of a nested object kept in that object's `unknown_fields` with its exact text (so it
/// is sealed as over SOAP). A UTF-8 byte order mark is skipped, as for XML. The error names what is
/// wrong, card numbers masked.
pub fn read_json<M: crate::message::Message>(text: &str) -> Result<M, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        crate::mask::mask_message(&e.to_string(), crate::protocol::SENSITIVE_FIELDS).into_owned()
    })
}
