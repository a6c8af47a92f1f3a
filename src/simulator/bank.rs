//! Switches for behaviours real Sips banks have and a client must survive, set in a scenario
//! file's `[bank]` table (or [`SimulatorConfig::bank`](super::SimulatorConfig::bank)):
//!
//! ```toml
//! [bank]
//! mask = "walletpage"        # PANs shown `############1111` (default "sips": `4111##########11`)
//! mean_ids = "rank"          # payment means numbered by rank: the next one moves up after a delete
//! unknown_code = "01"        # an unknown wallet or mean answered 01, as two pages' prose says (default 25)
//! trim_alias = true          # aliases stored without surrounding spaces
//! omit_newer_fields = true   # answers leave out fields newer than the request's interfaceVersion
//! ```
//!
//! A commit the bank finishes late (the client gave up meanwhile) is a rule's `commit_delay_ms`.

use serde::Deserialize;

use crate::contracts::field_since;
use crate::mask::mask_pan;
use crate::message::Version;

/// How the simulated bank stores and shows what it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Bank {
    /// How a stored card number is masked.
    #[serde(default)]
    pub mask: MaskStyle,
    /// How payment means are numbered.
    #[serde(default)]
    pub mean_ids: MeanIds,
    /// The code for an unknown wallet or payment mean.
    #[serde(default)]
    pub unknown_code: UnknownCode,
    /// Whether an alias is stored without its surrounding spaces.
    #[serde(default)]
    pub trim_alias: bool,
    /// Whether answers leave out fields newer than the request's interfaceVersion.
    #[serde(default)]
    pub omit_newer_fields: bool,
}

/// How a stored card number is masked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MaskStyle {
    /// First 4 and last 2 digits in clear (`4111##########11`), as the addCard page shows.
    #[default]
    Sips,
    /// Last 4 digits only (`############1111`), as a Walletpage sample shows.
    Walletpage,
}

/// How payment means are numbered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MeanIds {
    /// A mean keeps its number for its life.
    #[default]
    Stable,
    /// A mean's number is its rank in the wallet: after a delete, the ones after it move up.
    Rank,
}

/// The code for an unknown wallet or payment mean.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub enum UnknownCode {
    /// `25`, the data dictionary's.
    #[default]
    #[serde(rename = "25")]
    TwentyFive,
    /// `01`, what the prose of two pages says.
    #[serde(rename = "01")]
    One,
}

impl Bank {
    /// Masks stored card numbers this way.
    pub fn mask(mut self, style: MaskStyle) -> Bank {
        self.mask = style;
        self
    }

    /// Numbers payment means this way.
    pub fn mean_ids(mut self, ids: MeanIds) -> Bank {
        self.mean_ids = ids;
        self
    }

    /// Answers this code for an unknown wallet or payment mean.
    pub fn unknown_code(mut self, code: UnknownCode) -> Bank {
        self.unknown_code = code;
        self
    }

    /// Stores aliases without their surrounding spaces.
    pub fn trim_alias(mut self, on: bool) -> Bank {
        self.trim_alias = on;
        self
    }

    /// Leaves out of answers the fields newer than the request's interfaceVersion.
    pub fn omit_newer_fields(mut self, on: bool) -> Bank {
        self.omit_newer_fields = on;
        self
    }

    /// A card number as this bank stores and shows it.
    pub(super) fn mask_pan(&self, card_number: &str) -> String {
        match self.mask {
            MaskStyle::Sips => mask_pan(card_number),
            MaskStyle::Walletpage => {
                let digits = card_number.chars().count();
                let kept: String = card_number.chars().skip(digits.saturating_sub(4)).collect();
                format!("{}{kept}", "#".repeat(digits.saturating_sub(4)))
            }
        }
    }

    /// An alias as this bank stores it.
    pub(super) fn stored_alias<'a>(&self, alias: Option<&'a str>) -> Option<&'a str> {
        if self.trim_alias {
            alias.map(str::trim)
        } else {
            alias
        }
    }

    /// The response code for an unknown wallet or payment mean.
    pub(super) fn code_for_unknown(&self) -> &'static str {
        match self.unknown_code {
            UnknownCode::TwentyFive => "25",
            UnknownCode::One => "01",
        }
    }

    /// Whether numbers are ranks.
    pub(super) fn numbers_by_rank(&self) -> bool {
        self.mean_ids == MeanIds::Rank
    }

    /// Whether an answer to a request of `interface_version` shows `field`.
    pub(super) fn shows(&self, field: &str, interface_version: Option<Version>) -> bool {
        if !self.omit_newer_fields {
            return true;
        }
        match (field_since(field), interface_version) {
            (Some(since), Some(version)) => since <= version,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switches_read_from_toml() {
        let bank: Bank = toml::from_str(
            "mask = \"walletpage\"\nmean_ids = \"rank\"\nunknown_code = \"01\"\ntrim_alias = true\nomit_newer_fields = true\n",
        )
        .unwrap();
        assert_eq!(bank.mask_pan("4111111111111111"), "############1111");
        assert_eq!(bank.stored_alias(Some(" mine ")), Some("mine"));
        assert_eq!(bank.code_for_unknown(), "01");
        assert!(bank.numbers_by_rank());
        assert!(!bank.shows("mandateId", Version::of_interface_version("WR_WS_2.49")));
        assert!(bank.shows("mandateId", Version::of_interface_version("WR_WS_2.55")));
        assert!(bank.shows("maskedPan", Version::of_interface_version("WR_WS_2.49")));
        let default = Bank::default();
        assert_eq!(default.mask_pan("4111111111111111"), "4111##########11");
        assert!(default.shows("mandateId", Version::of_interface_version("WR_WS_2.0")));
        assert!(toml::from_str::<Bank>("mask = \"other\"").is_err());
    }
}
