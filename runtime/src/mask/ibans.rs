//! IBANs by pattern, in any case, grouped or not: two letters, two digits, then letters and digits,
//! 15 to 34 in all, at most [`MAX_GAP`] separating characters between two, passing the ISO 13616
//! check (mod 97). Written in capitals, that is enough; in lower or mixed case (as hex seals and
//! digests are written) the country must be one `iban_validate` knows, with its length and BBAN
//! format.

use super::cards::MAX_GAP;
use super::decode::{Class, Logical};

/// Marks the middle of every IBAN in `logical` (all but its first 4 and last 2 characters).
pub(super) fn mark(logical: &[Logical], masked: &mut [bool]) {
    // (logical index, the character upper-cased, whether it was written in capitals or a digit)
    let mut run: Vec<(usize, u8, bool)> = Vec::new();
    let mut gap = 0;
    for (at, l) in logical.iter().enumerate() {
        let part = match l.class {
            Class::Digit(value) => Some((b'0' + value, true)),
            Class::Letter(letter) => {
                Some((letter.to_ascii_uppercase(), letter.is_ascii_uppercase()))
            }
            _ => None,
        };
        match part {
            Some((c, capital)) => {
                run.push((at, c, capital));
                gap = 0;
            }
            None if l.class.separates() && gap < MAX_GAP && !run.is_empty() => gap += 1,
            None => {
                mark_run(&run, masked);
                run.clear();
                gap = 0;
            }
        }
    }
    mark_run(&run, masked);
}

fn mark_run(run: &[(usize, u8, bool)], masked: &mut [bool]) {
    // An IBAN starts with two letters: a run of digits alone, or a short one, holds none.
    if run.len() < 15 || !run.iter().any(|(_, c, _)| c.is_ascii_uppercase()) {
        return;
    }
    let chars: Vec<u8> = run.iter().map(|(_, c, _)| *c).collect();
    for from in 0..chars.len().saturating_sub(14) {
        let head = &chars[from..from + 4];
        if !(head[..2].iter().all(u8::is_ascii_uppercase)
            && head[2..].iter().all(u8::is_ascii_digit))
        {
            continue;
        }
        // The head (country and check digits) counts after the BBAN: its remainder is folded in at
        // each length (6 decimal digits once its letters are numbers).
        let head_value = head.iter().fold(0, |acc, b| step(acc, *b));
        let mut bban = 0u32;
        let end = chars.len().min(from + 34);
        for (len, &c) in (5..).zip(&chars[from + 4..end]) {
            bban = step(bban, c);
            if len < 15 || (bban * 1_000_000 % 97 + head_value) % 97 != 1 {
                continue;
            }
            let window = &run[from..from + len];
            if is_iban(
                &chars[from..from + len],
                window.iter().all(|(_, _, capital)| *capital),
            ) {
                for &(at, _, _) in &window[4..len - 2] {
                    masked[at] = true;
                }
            }
        }
    }
}

/// A window passing mod 97: an IBAN when `iban_validate` accepts it, or, written in capitals, when
/// its country is one the crate does not know (a country may join the registry after it).
fn is_iban(chars: &[u8], capitals: bool) -> bool {
    let Ok(text) = std::str::from_utf8(chars) else {
        return false;
    };
    match iban::Iban::try_from(text) {
        Ok(_) => true,
        Err(iban::ParseIbanError::UnknownCountry(_)) => capitals,
        Err(_) => false,
    }
}

/// One more character of the ISO 13616 number: a digit, or a letter counting as 10 to 35.
pub(super) fn step(acc: u32, c: u8) -> u32 {
    if c.is_ascii_digit() {
        (acc * 10 + u32::from(c - b'0')) % 97
    } else {
        (acc * 100 + u32::from(c - b'A') + 10) % 97
    }
}
