//! Card numbers and IBANs by value: the ones a call handles (sent by the client, received by the
//! simulator, typed into the command line) are masked wherever their characters appear in order
//! in output about that call, whatever stands between two of them (up to
//! [`MAX_VALUE_GAP`] characters: spaces, punctuation, letters, markup), on top of the patterns.

use std::fmt;

use super::decode::{Class, Logical};

/// How many characters may stand between two characters of a known value.
pub const MAX_VALUE_GAP: usize = 8;

/// Fewer significant characters than this are not kept: a short value would mask ordinary text,
/// and its masked middle (all but 4 and 2) would be too short to keep apart what stands around it.
const SHORTEST: usize = 12;

/// The card numbers and IBANs known to one call: what [`Secrets::mask`] masks by value. Never
/// shows them (its `Debug` says how many it holds).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets(Vec<Known>);

#[derive(Clone, PartialEq, Eq)]
struct Known {
    /// Digits as `b'0'..=b'9'`, letters upper-cased.
    chars: Vec<u8>,
    /// Whether letters count (an IBAN) or only digits (a card number).
    letters: bool,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} known)", self.0.len())
    }
}

impl Secrets {
    /// None known.
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Knows `value`, a card number or an IBAN as it was given (spaces and case do not matter):
    /// its digits, and its letters when it has some. Ignored when it has fewer than 12.
    pub fn know(&mut self, value: &str) {
        let letters = value.chars().any(|c| c.is_ascii_alphabetic());
        let chars: Vec<u8> = super::decode::decode(value)
            .into_iter()
            .filter_map(|l| match l.class {
                Class::Digit(d) => Some(b'0' + d),
                Class::Letter(c) if letters => Some(c.to_ascii_uppercase()),
                _ => None,
            })
            .collect();
        let known = Known { chars, letters };
        if known.chars.len() >= SHORTEST && !self.0.contains(&known) {
            self.0.push(known);
        }
    }

    /// Whether none is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every card number and IBAN in `text` masked, by pattern ([`mask_text`](super::mask_text))
    /// and by value.
    pub fn mask<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        super::masked(text, self, &[], true)
    }

    /// Only the known values masked in `text`: for text whose parts were each masked by pattern
    /// already (a sealed string, the values of its fields side by side), where digits of two parts
    /// meeting are no card number.
    pub fn mask_known<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        super::masked(text, self, &[], false)
    }

    /// Text from outside as the crate shows it (see [`from_outside`](super::from_outside)), masked
    /// by value too.
    pub fn shown(&self, text: &str) -> String {
        self.shown_up_to(text, super::SHOWN_CHARS)
    }

    /// The same, cut at `max_chars` characters.
    pub fn shown_up_to(&self, text: &str, max_chars: usize) -> String {
        // The part shown and a margin after it, longer than any spelling of a card number, so that
        // one written across the cut is masked as a whole: the rest is never read.
        let margin = text
            .char_indices()
            .nth(max_chars + 1024)
            .map_or(text.len(), |(at, _)| at);
        let masked = self.mask_message(&text[..margin], crate::protocol::SENSITIVE_FIELDS);
        let mut shown: String = masked.chars().take(max_chars).collect();
        if masked.chars().nth(max_chars).is_some() {
            shown.push('…');
        }
        shown
    }

    /// The values of the `sensitive_fields` in a message body (XML or JSON): what is masked by
    /// value in everything shown about the call.
    pub fn of_message(text: &str, sensitive_fields: &[&str]) -> Secrets {
        let mut secrets = Secrets::new();
        for field in sensitive_fields {
            for (start, end) in super::field_values(text, field) {
                secrets.know(&text[start..end]);
            }
        }
        secrets
    }

    /// A message body (XML or JSON) masked: the values of its `sensitive_fields` whole, then every
    /// value known by value and every card number and IBAN by pattern.
    pub fn mask_message<'a>(
        &self,
        text: &'a str,
        sensitive_fields: &[&str],
    ) -> std::borrow::Cow<'a, str> {
        let mut secrets = self.clone();
        let mut wholes = Vec::new();
        for field in sensitive_fields {
            for (start, end) in super::field_values(text, field) {
                secrets.know(&text[start..end]);
                wholes.push((start, end));
            }
        }
        super::masked(text, &secrets, &wholes, true)
    }

    /// The values of `sensitive_fields` in a message.
    pub fn of_fields<'a>(
        sensitive_fields: &[&str],
        value_of: impl Fn(&str) -> Option<&'a str>,
    ) -> Secrets {
        let mut secrets = Secrets::new();
        for field in sensitive_fields {
            if let Some(value) = value_of(field) {
                secrets.know(value);
            }
        }
        secrets
    }

    /// Marks every occurrence of a known value in `logical`: all but its first 4 and last 2
    /// characters, as the bank masks.
    pub(super) fn mark(&self, logical: &[Logical], masked: &mut [bool]) {
        for known in &self.0 {
            // The characters that count for this value, with their logical index.
            let stream: Vec<(usize, u8)> = logical
                .iter()
                .enumerate()
                .filter_map(|(at, l)| match l.class {
                    Class::Digit(d) => Some((at, b'0' + d)),
                    Class::Letter(c) if known.letters => Some((at, c.to_ascii_uppercase())),
                    _ => None,
                })
                .collect();
            let n = known.chars.len();
            for from in 0..stream.len().saturating_sub(n - 1) {
                let window = &stream[from..from + n];
                let spelled = window
                    .iter()
                    .map(|(_, c)| *c)
                    .eq(known.chars.iter().copied());
                let close = window
                    .windows(2)
                    .all(|pair| pair[1].0 - pair[0].0 <= MAX_VALUE_GAP + 1);
                if spelled && close {
                    for &(at, _) in &window[4.min(n)..n.saturating_sub(2)] {
                        masked[at] = true;
                    }
                }
            }
        }
    }
}
