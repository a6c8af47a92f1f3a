//! The simulator's wallets: what each wallet function does to them.
//!
//! Card numbers are never stored, not even here: a wallet keeps the masked PAN and a SHA-256 of the
//! card number to answer 94 for a card already in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mask::mask_pan;

/// One payment mean in a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMean {
    /// Its rank in the wallet.
    pub id: u32,
    /// First 4 and last 2 digits in clear.
    pub masked_pan: String,
    /// SHA-256 of the card number, hex: to recognise a card added twice.
    pub card_digest: String,
    /// `YYYYMM`.
    pub expiry: String,
    /// The buyer's alias.
    pub alias: Option<String>,
    /// The brand (given, or guessed from the first digit).
    pub brand: Option<String>,
}

/// A wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    /// When it was created, merchant's local time with offset.
    pub created: String,
    /// When it last changed.
    pub last_action: String,
    /// Payment means by rank.
    pub means: BTreeMap<u32, PaymentMean>,
    /// The next rank to give.
    pub next_id: u32,
}

/// Every wallet of every merchant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallets {
    /// Keyed by `merchantId`, then `merchantWalletId`.
    pub merchants: BTreeMap<String, BTreeMap<String, Wallet>>,
}

/// Why a wallet function did not succeed: a response code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 25: wallet or payment mean unknown.
    Unknown,
    /// 94: the card is already in the wallet.
    Duplicate,
}

impl Refusal {
    /// The response code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unknown => "25",
            Refusal::Duplicate => "94",
        }
    }
}

/// The current time at the merchant's (here: the machine's) offset, as the platform writes it.
pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl Wallets {
    /// Reads a state file; a missing file is an empty state.
    pub fn load(path: &Path) -> std::io::Result<Wallets> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Wallets::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes the state atomically: a temporary file, flushed to disk, renamed over the old one. A crash
    /// leaves either the old state or the new one, never half of one.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut temporary = PathBuf::from(path);
        temporary.set_extension("tmp");
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself must reach the disk too.
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }

    fn wallet_mut(&mut self, merchant: &str, wallet: &str) -> Result<&mut Wallet, Refusal> {
        self.merchants
            .get_mut(merchant)
            .and_then(|w| w.get_mut(wallet))
            .ok_or(Refusal::Unknown)
    }

    /// Looks a wallet up.
    pub fn wallet(&self, merchant: &str, wallet: &str) -> Result<&Wallet, Refusal> {
        self.merchants
            .get(merchant)
            .and_then(|w| w.get(wallet))
            .ok_or(Refusal::Unknown)
    }

    /// addCard: creates the wallet if needed; 94 for a card already in it.
    pub fn add_card(
        &mut self,
        merchant: &str,
        wallet: &str,
        card_number: &str,
        expiry: &str,
        alias: Option<&str>,
        brand: Option<&str>,
    ) -> Result<PaymentMean, Refusal> {
        let now = now();
        let digest = hex::encode(Sha256::digest(card_number.as_bytes()));
        let entry = self
            .merchants
            .entry(merchant.to_string())
            .or_default()
            .entry(wallet.to_string())
            .or_insert_with(|| Wallet {
                created: now.clone(),
                last_action: now.clone(),
                means: BTreeMap::new(),
                next_id: 1,
            });
        if entry.means.values().any(|m| m.card_digest == digest) {
            return Err(Refusal::Duplicate);
        }
        let mean = PaymentMean {
            id: entry.next_id,
            masked_pan: mask_pan(card_number),
            card_digest: digest,
            expiry: expiry.to_string(),
            alias: alias.map(str::to_string),
            brand: brand
                .map(str::to_string)
                .or_else(|| guess_brand(card_number).map(str::to_string)),
        };
        entry.next_id += 1;
        entry.last_action = now;
        entry.means.insert(mean.id, mean.clone());
        Ok(mean)
    }

    /// updatePaymentMean: sets the alias.
    pub fn update(
        &mut self,
        merchant: &str,
        wallet: &str,
        id: &str,
        alias: Option<&str>,
    ) -> Result<(), Refusal> {
        let wallet = self.wallet_mut(merchant, wallet)?;
        let mean = id
            .parse::<u32>()
            .ok()
            .and_then(|id| wallet.means.get_mut(&id))
            .ok_or(Refusal::Unknown)?;
        mean.alias = alias.map(str::to_string);
        wallet.last_action = now();
        Ok(())
    }

    /// deletePaymentMean.
    pub fn delete(&mut self, merchant: &str, wallet: &str, id: &str) -> Result<(), Refusal> {
        let wallet = self.wallet_mut(merchant, wallet)?;
        let id = id.parse::<u32>().map_err(|_| Refusal::Unknown)?;
        wallet.means.remove(&id).ok_or(Refusal::Unknown)?;
        wallet.last_action = now();
        Ok(())
    }

    /// signOff: the wallet and its payment means go.
    pub fn sign_off(&mut self, merchant: &str, wallet: &str) -> Result<(), Refusal> {
        self.merchants
            .get_mut(merchant)
            .and_then(|w| w.remove(wallet))
            .map(|_| ())
            .ok_or(Refusal::Unknown)
    }

    /// getPaymentMeanData.
    pub fn payment_mean(
        &self,
        merchant: &str,
        wallet: &str,
        id: &str,
    ) -> Result<&PaymentMean, Refusal> {
        let wallet = self.wallet(merchant, wallet)?;
        id.parse::<u32>()
            .ok()
            .and_then(|id| wallet.means.get(&id))
            .ok_or(Refusal::Unknown)
    }
}

fn guess_brand(card_number: &str) -> Option<&'static str> {
    match card_number.as_bytes().first()? {
        b'4' => Some("VISA"),
        b'5' | b'2' => Some("MASTERCARD"),
        b'3' => Some("AMEX"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_lifecycle() {
        let mut w = Wallets::default();
        let first = w
            .add_card("m", "w", "4111111111111111", "202812", None, None)
            .unwrap();
        assert_eq!(
            (first.id, first.masked_pan.as_str(), first.brand.as_deref()),
            (1, "4111##########11", Some("VISA"))
        );
        assert_eq!(
            w.add_card("m", "w", "4111111111111111", "202812", None, None),
            Err(Refusal::Duplicate)
        );
        assert_eq!(
            w.add_card("m", "w", "5555555555554444", "202901", None, None)
                .unwrap()
                .id,
            2
        );
        w.update("m", "w", "2", Some("pro")).unwrap();
        assert_eq!(w.update("m", "w", "9", None), Err(Refusal::Unknown));
        w.delete("m", "w", "1").unwrap();
        assert_eq!(w.delete("m", "w", "1"), Err(Refusal::Unknown));
        assert_eq!(
            w.payment_mean("m", "w", "2").unwrap().alias.as_deref(),
            Some("pro")
        );
        w.sign_off("m", "w").unwrap();
        assert_eq!(w.sign_off("m", "w"), Err(Refusal::Unknown));
        assert!(!serde_json::to_string(&w)
            .unwrap()
            .contains("4111111111111111"));
    }

    #[test]
    fn state_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("sips-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut w = Wallets::default();
        w.add_card("m", "w", "4111111111111111", "202812", None, None)
            .unwrap();
        w.save(&path).unwrap();
        assert_eq!(Wallets::load(&path).unwrap(), w);
        assert_eq!(
            Wallets::load(&dir.join("absent.json")).unwrap(),
            Wallets::default()
        );
    }
}
