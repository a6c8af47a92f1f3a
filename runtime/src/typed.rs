//! Typed readings of a message's text fields, beside the raw text (which stays exactly as sealed):
//! whole numbers (ids, counts), `YYYYMM` expiries, and, with the `chrono` feature, date-times with
//! their offset. Each returns `Ok(None)` for a field that is unset, and an error naming the field
//! when the bank's text does not read as asked.

use std::fmt;

use crate::message::Message;

/// A field whose text does not read as the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: `{value}` is not {expected}")]
pub struct ParseFieldError {
    /// The field's XML name.
    pub field: String,
    /// Its text (cut to 128 characters, card numbers masked).
    pub value: String,
    /// What it should have been.
    pub expected: &'static str,
}

/// A card's expiry, `YYYYMM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// The year, four digits.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}", self.year, self.month)
    }
}

/// Typed readings of any message's text fields, by XML name (`response.integer("paymentMeanId")`).
pub trait TypedFields: Message {
    /// A whole number (an id, a rank, a count).
    fn integer(&self, field: &str) -> Result<Option<u64>, ParseFieldError> {
        read(self, field, "a whole number", |text| text.parse().ok())
    }

    /// A `YYYYMM` month (a card's expiry).
    fn year_month(&self, field: &str) -> Result<Option<YearMonth>, ParseFieldError> {
        read(self, field, "a month as YYYYMM", |text| {
            if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let month: u8 = text[4..].parse().ok()?;
            (1..=12).contains(&month).then(|| YearMonth {
                year: text[..4].parse().unwrap_or_default(),
                month,
            })
        })
    }

    /// A date and time with its offset, as the platform writes them: RFC 3339
    /// (`2026-11-23T10:00:00+01:00`) or the JSON samples' `2022-10-19.12:58:01+0200`.
    #[cfg(feature = "chrono")]
    #[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
    fn date_time(
        &self,
        field: &str,
    ) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, ParseFieldError> {
        read(self, field, "a date-time with its offset", |text| {
            chrono::DateTime::parse_from_rfc3339(text)
                .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%d.%H:%M:%S%z"))
                .ok()
        })
    }
}

impl<M: Message> TypedFields for M {}

fn read<M: Message, T>(
    message: &M,
    field: &str,
    expected: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, ParseFieldError> {
    let Some(text) = message.text(field) else {
        return Ok(None);
    };
    parse(text).map(Some).ok_or_else(|| ParseFieldError {
        field: field.to_string(),
        value: crate::mask::from_outside(text),
        expected,
    })
}
