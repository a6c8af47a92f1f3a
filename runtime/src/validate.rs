//! Checks on a request before it is sealed and sent: required fields, fields newer than the
//! request's interfaceVersion, and the formats the data dictionary states (a card number's Luhn
//! check, an IBAN's country, length and mod 97, `YYYYMM`, listed values). Errors name the field and
//! never quote card data. Before them, [`normalize_request`] writes IBANs as the bank writes them.

use std::borrow::Cow;

use crate::mask::luhn_valid;
use crate::message::{FieldKind, Message, Occurs, Version};
use crate::protocol::IBAN_FIELDS;

/// What is wrong with a request field: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A field is missing or badly formatted.
    #[error("field `{field}`: {reason}")]
    Invalid {
        /// The field's XML name.
        field: String,
        /// What is wrong with it (never its value when it is card data).
        reason: String,
    },
    /// A field is newer than the request's interfaceVersion.
    #[error("field `{field}` needs interface version {since} or later, but the request declares {interface_version}: raise interfaceVersion or leave the field out")]
    TooNew {
        /// The field's XML name.
        field: String,
        /// The version that introduced it.
        since: Version,
        /// The interfaceVersion of the request.
        interface_version: String,
    },
}

/// Fields the client fills itself: never reported missing by the caller's validation.
const FILLED_BY_CLIENT: &[&str] = &["seal"];

/// An IBAN in its electronic form: no spaces (of any kind), letters in upper case. Borrowed when
/// it already is.
pub fn electronic_iban(iban: &str) -> Cow<'_, str> {
    if iban
        .chars()
        .any(|c| c.is_whitespace() || c.is_ascii_lowercase())
    {
        Cow::Owned(
            iban.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        )
    } else {
        Cow::Borrowed(iban)
    }
}

/// Writes every IBAN field of `request` in its electronic form, before it is checked and sealed
/// (the seal covers what is sent). Returns the fields it rewrote.
pub fn normalize_request<M: Message>(request: &mut M) -> Vec<&'static str> {
    let mut rewritten = Vec::new();
    for field in M::FIELDS.iter().filter(|f| IBAN_FIELDS.contains(&f.name)) {
        let Some(iban) = request.text(field.name) else {
            continue;
        };
        if let Cow::Owned(electronic) = electronic_iban(iban) {
            if request.set_text(field.name, &electronic).is_ok() {
                rewritten.push(field.name);
            }
        }
    }
    rewritten
}

/// Runs every check on a request whose common fields are already filled in.
pub fn check_request<M: Message>(request: &M) -> Result<(), FieldError> {
    check_required(request)?;
    check_interface_version(request)?;
    check_formats(request)
}

/// Every required field the caller must fill is set.
pub fn check_required<M: Message>(request: &M) -> Result<(), FieldError> {
    for field in M::FIELDS {
        if field.occurs == Occurs::Required
            && !FILLED_BY_CLIENT.contains(&field.name)
            && !request.is_set(field.name)
        {
            return Err(FieldError::Invalid {
                field: field.name.to_string(),
                reason: "required, but missing or empty".into(),
            });
        }
    }
    Ok(())
}

/// A field newer than the request's interfaceVersion is rejected by the server: say so before sending.
pub fn check_interface_version<M: Message>(request: &M) -> Result<(), FieldError> {
    let declared = request.text("interfaceVersion").unwrap_or_default();
    let Some(version) = Version::of_interface_version(declared) else {
        return Err(FieldError::Invalid {
            field: "interfaceVersion".into(),
            reason: format!(
                "`{declared}` does not end with a version number (expected e.g. WR_WS_2.55)"
            ),
        });
    };
    for field in M::FIELDS {
        if let Some(since) = field.since {
            if since > version && request.is_set(field.name) {
                return Err(FieldError::TooNew {
                    field: field.name.to_string(),
                    since,
                    interface_version: declared.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// The formats the data dictionary states (card number digits and Luhn, `YYYYMM` expiry, listed values).
pub fn check_formats<M: Message>(request: &M) -> Result<(), FieldError> {
    let invalid = |field: &str, reason: &str| FieldError::Invalid {
        field: field.into(),
        reason: reason.into(),
    };
    if let Some(expiry) = request.text("cardExpiryDate") {
        if !is_year_month(expiry) {
            return Err(invalid(
                "cardExpiryDate",
                "expected YYYYMM with a month from 01 to 12",
            ));
        }
    }
    let pan_type = request.text("panType").unwrap_or("PAN");
    if let Some(card_number) = request.text("cardNumber") {
        if pan_type == "PAN" {
            if !(12..=19).contains(&card_number.len())
                || !card_number.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid("cardNumber", "a clear PAN is 12 to 19 digits"));
            }
            if !luhn_valid(card_number) {
                return Err(invalid(
                    "cardNumber",
                    "fails the Luhn check (mistyped card number?)",
                ));
            }
        }
    }
    for field in IBAN_FIELDS {
        let Some(iban) = request.text(field) else {
            continue;
        };
        if electronic_iban(iban) != iban {
            return Err(invalid(
                field,
                "not in the electronic form the bank writes: upper case, no spaces",
            ));
        }
        if iban.parse::<iban::Iban>().is_err() {
            return Err(invalid(
                field,
                "not an IBAN (ISO 13616: a country the standard knows, that country's length and \
                 account format, check digits by mod 97): mistyped?",
            ));
        }
    }
    for field in M::FIELDS {
        if let FieldKind::Enum { values, .. } = field.kind {
            if let Some(value) = request.text(field.name) {
                if !values.contains(&value) {
                    return Err(FieldError::Invalid {
                        field: field.name.into(),
                        // The value came from a user, who may have typed anything: shown masked.
                        reason: format!(
                            "`{}` is not one of: {}",
                            crate::mask::from_outside(value),
                            values.join(", ")
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// `YYYYMM`.
pub fn is_year_month(text: &str) -> bool {
    text.len() == 6
        && text.bytes().all(|b| b.is_ascii_digit())
        && matches!(text[4..].parse::<u8>(), Ok(1..=12))
}
