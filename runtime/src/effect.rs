//! What each operation does to the wallets, and how a reading shows what a change sent: the facts
//! settling an unknown outcome rests on, read from the contract's sidecar (`[effects]`,
//! `[shown-as]`) so that no hand-written code keeps them as lists of names.
//!
//! A bank shows what it stored in its own way: a card number masked in one of several styles
//! (`4111##########11`, `############1111`), an IBAN masked, an alias trimmed, a date in another
//! shape. [`Shown::matches`] says whether a shown value *can* be what was sent: false only when the
//! shown value contradicts it, true when it agrees or cannot tell.

/// What an operation does to the wallets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Effect {
    /// Reads a whole wallet (getWalletData): the reading that settles the changes below.
    ReadsWallet,
    /// Reads without changing anything (getPaymentMeanData).
    Reads,
    /// Adds a payment mean to a wallet, created if needed (addCard, addDirectDebit).
    AddsMean,
    /// Changes fields of one payment mean (updatePaymentMean).
    UpdatesMean,
    /// Removes one payment mean (deletePaymentMean).
    RemovesMean,
    /// Removes a wallet and its payment means (signOff).
    RemovesWallet,
    /// Not described by the sidecar, or nothing a wallet reading shows (In-App): treated as a
    /// change that is sent once and cannot be settled by reading.
    Other,
}

impl Effect {
    /// The sidecar's name for it (`adds-mean`).
    pub const fn name(self) -> &'static str {
        match self {
            Effect::ReadsWallet => "reads-wallet",
            Effect::Reads => "reads",
            Effect::AddsMean => "adds-mean",
            Effect::UpdatesMean => "updates-mean",
            Effect::RemovesMean => "removes-mean",
            Effect::RemovesWallet => "removes-wallet",
            Effect::Other => "other",
        }
    }

    /// Every effect, for whoever reads the names.
    pub const ALL: &'static [Effect] = &[
        Effect::ReadsWallet,
        Effect::Reads,
        Effect::AddsMean,
        Effect::UpdatesMean,
        Effect::RemovesMean,
        Effect::RemovesWallet,
        Effect::Other,
    ];

    /// The effect named `name` in a sidecar.
    pub fn from_name(name: &str) -> Option<Effect> {
        Effect::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// Whether it changes nothing at the bank: the only kind a retry may repeat.
    pub const fn is_read(self) -> bool {
        matches!(self, Effect::ReadsWallet | Effect::Reads)
    }

    /// Whether a wallet reading can show what it did: the changes an unknown outcome can be
    /// settled for.
    pub const fn is_settled_by_reading(self) -> bool {
        matches!(
            self,
            Effect::AddsMean | Effect::UpdatesMean | Effect::RemovesMean | Effect::RemovesWallet
        )
    }
}

/// How a reading's payment-mean entry shows one request field: the sidecar's `[shown-as]` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownAs {
    /// The request field (`cardNumber`).
    pub request_field: &'static str,
    /// The payment-mean entry's field that shows it (`maskedPan`).
    pub reading_field: &'static str,
    /// How the shown value relates to the sent one.
    pub shown: Shown,
}

/// How a bank shows a value it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shown {
    /// As sent, give or take surrounding spaces and letter case (a bank may trim or normalise).
    Same,
    /// A card number with some digits hidden, in any style: same length with mask characters
    /// (`4111##########11`, `############1111`), or a shorter form keeping a prefix and a suffix
    /// (`4111…1111`, `XXXX1111`). Spaces and dashes are ignored.
    MaskedPan,
    /// An IBAN with some characters hidden, the same way; case and spaces are ignored.
    MaskedIban,
    /// A year and month sent as `YYYYMM`, shown as `YYYYMM`, `YYYY-MM`, `MM/YY`, `MMYY` or
    /// `YYMM`.
    YearMonth,
}

impl Shown {
    /// The sidecar's name for it (`masked-pan`).
    pub const fn name(self) -> &'static str {
        match self {
            Shown::Same => "same",
            Shown::MaskedPan => "masked-pan",
            Shown::MaskedIban => "masked-iban",
            Shown::YearMonth => "year-month",
        }
    }

    /// The way named `name` in a sidecar.
    pub fn from_name(name: &str) -> Option<Shown> {
        [
            Shown::Same,
            Shown::MaskedPan,
            Shown::MaskedIban,
            Shown::YearMonth,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// Whether `shown` can be how the bank shows `sent`: false only when it contradicts it. An
    /// empty `sent` (nothing was sent) agrees with anything the bank may have filled in itself.
    pub fn matches(self, sent: &str, shown: &str) -> bool {
        if sent.trim().is_empty() {
            return true;
        }
        match self {
            Shown::Same => same(sent, shown),
            Shown::MaskedPan => {
                let pan: Vec<char> = sent.chars().filter(|c| !is_spacing(*c)).collect();
                // A token or an encrypted number: its masked form is the bank's secret.
                if !pan.iter().all(char::is_ascii_digit) {
                    return true;
                }
                masked_matches(&pan, shown, |c| c.is_ascii_digit())
            }
            Shown::MaskedIban => {
                let iban: Vec<char> = sent
                    .chars()
                    .filter(|c| !is_spacing(*c))
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                let upper = shown.to_ascii_uppercase();
                // `X` masks an IBAN as often as `#` does; an IBAN's own X is then unknown.
                masked_matches(&iban, &upper, |c| c.is_ascii_alphanumeric() && c != 'X')
            }
            Shown::YearMonth => year_month(sent, shown),
        }
    }
}

/// Spaces of any kind and dashes: how people and banks group long numbers.
fn is_spacing(c: char) -> bool {
    c.is_whitespace() || c == '-'
}

fn same(sent: &str, shown: &str) -> bool {
    let (sent, shown) = (sent.trim(), shown.trim());
    sent == shown || sent.to_lowercase() == shown.to_lowercase()
}

/// Whether `shown` (clear characters where `clear` says so, anything else a mask character) can
/// be `value` masked.
fn masked_matches(value: &[char], shown: &str, clear: impl Fn(char) -> bool) -> bool {
    let shown: Vec<char> = shown.chars().filter(|c| !is_spacing(*c)).collect();
    if shown.len() == value.len() {
        // Position by position: a clear character must be the one sent.
        return shown.iter().zip(value).all(|(s, v)| !clear(*s) || s == v);
    }
    let prefix = shown.iter().take_while(|c| clear(**c)).count();
    if prefix == shown.len() {
        // All clear, but not the same length: a part of the value (the last four digits, say).
        let part: String = shown.iter().collect();
        let whole: String = value.iter().collect();
        return whole.starts_with(&part) || whole.ends_with(&part);
    }
    let suffix = shown.iter().rev().take_while(|c| clear(**c)).count();
    if prefix + suffix > value.len() {
        return false;
    }
    // Clear characters between mask characters, in a form of another length: their place is
    // unknown, so only the ends are compared.
    value[..prefix] == shown[..prefix]
        && value[value.len() - suffix..] == shown[shown.len() - suffix..]
}

/// `YYYYMM` sent; shown in any of the usual shapes.
fn year_month(sent: &str, shown: &str) -> bool {
    let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
    let (sent, shown_digits) = (digits(sent), digits(shown));
    if sent.len() != 6 || shown_digits.is_empty() {
        return same(&sent, shown);
    }
    let (year, month) = sent.split_at(4);
    let short_year = &year[2..];
    [
        sent.clone(),
        format!("{month}{year}"),
        format!("{month}{short_year}"),
        format!("{short_year}{month}"),
    ]
    .contains(&shown_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_number_matches_every_usual_mask_and_no_other_card() {
        let pan = "4111111111111111";
        for shown in [
            "4111##########11",
            "############1111",
            "4111 XXXX XXXX 1111",
            "**** **** **** 1111",
            "411111******1111",
            "4111…1111",
            "XXXX1111",
            "1111",
            "################",
        ] {
            assert!(Shown::MaskedPan.matches(pan, shown), "{shown}");
        }
        for shown in [
            "4111##########12",
            "5111##########11",
            "############1112",
            "4112…1111",
            "XXXX1112",
            "41111111111111111111",
        ] {
            assert!(!Shown::MaskedPan.matches(pan, shown), "{shown}");
        }
        // A token's masked form cannot be known: nothing contradicts it.
        assert!(Shown::MaskedPan.matches("tok_abc", "4111##########11"));
    }

    #[test]
    fn an_iban_matches_its_masks_in_any_case_and_spacing() {
        let iban = "fr76 3000 6000 0112 3456 7890 189";
        for shown in [
            "FR76#####################89",
            "FR76XXXXXXXXXXXXXXXXXXXXX89",
            "fr76*********************89",
            "FR76 **** **** **** **** ***8 9",
        ] {
            assert!(Shown::MaskedIban.matches(iban, shown), "{shown}");
        }
        assert!(!Shown::MaskedIban.matches(iban, "FR76#####################88"));
        assert!(!Shown::MaskedIban.matches(iban, "DE76#####################89"));
    }

    #[test]
    fn plain_values_match_trimmed_and_in_any_case() {
        assert!(Shown::Same.matches("  my card ", "my card"));
        assert!(Shown::Same.matches("VISA", "Visa"));
        assert!(!Shown::Same.matches("my card", "my other card"));
        assert!(
            Shown::Same.matches("", "anything"),
            "nothing sent: the bank's own"
        );
    }

    #[test]
    fn a_year_month_matches_its_usual_shapes() {
        for shown in ["202812", "2028-12", "12/28", "1228", "2812", "12/2028"] {
            assert!(Shown::YearMonth.matches("202812", shown), "{shown}");
        }
        for shown in ["202811", "11/28", "2029-12"] {
            assert!(!Shown::YearMonth.matches("202812", shown), "{shown}");
        }
    }

    #[test]
    fn names_read_back() {
        for effect in Effect::ALL {
            assert_eq!(Effect::from_name(effect.name()), Some(*effect));
        }
        assert_eq!(Shown::from_name("masked-pan"), Some(Shown::MaskedPan));
        assert_eq!(Effect::from_name("deletes"), None);
    }
}
