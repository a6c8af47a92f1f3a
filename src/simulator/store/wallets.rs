//! The wallet functions' storage, inside one transaction: the rows each function reads and writes.

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::Sha256;

use crate::mask::mask_iban;

/// One payment mean in a wallet: a card, or a SEPA mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMean {
    /// Its rank in the wallet.
    pub id: u32,
    /// First 4 and last 2 digits (a card) or characters (an IBAN) in clear.
    pub masked_pan: String,
    /// `YYYYMM`.
    pub expiry: String,
    /// The buyer's alias.
    pub alias: Option<String>,
    /// The brand (given, or guessed from the first digit).
    pub brand: Option<String>,
    /// The SEPA mandate, for a mean added by addDirectDebit.
    pub mandate_id: Option<String>,
}

impl PaymentMean {
    /// A view of it, as [`Wallets::wallet`] hands out the means it reads.
    pub fn view(&self) -> MeanView<'_> {
        MeanView {
            id: self.id,
            masked_pan: &self.masked_pan,
            expiry: &self.expiry,
            alias: self.alias.as_deref(),
            brand: self.brand.as_deref(),
            mandate_id: self.mandate_id.as_deref(),
        }
    }
}

/// A payment mean borrowed from where it is stored: [`PaymentMean`]'s fields, not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeanView<'a> {
    /// Its rank in the wallet.
    pub id: u32,
    /// First 4 and last 2 digits (a card) or characters (an IBAN) in clear.
    pub masked_pan: &'a str,
    /// `YYYYMM`.
    pub expiry: &'a str,
    /// The buyer's alias.
    pub alias: Option<&'a str>,
    /// The brand.
    pub brand: Option<&'a str>,
    /// The SEPA mandate.
    pub mandate_id: Option<&'a str>,
}

impl MeanView<'_> {
    /// The same mean, copied.
    pub fn owned(&self) -> PaymentMean {
        PaymentMean {
            id: self.id,
            masked_pan: self.masked_pan.to_string(),
            expiry: self.expiry.to_string(),
            alias: self.alias.map(str::to_string),
            brand: self.brand.map(str::to_string),
            mandate_id: self.mandate_id.map(str::to_string),
        }
    }
}

/// A wallet's dates, as getWalletData shows them (its means go to the caller one by one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletDates {
    /// When it was created, merchant's local time with offset.
    pub created: String,
    /// When it last changed.
    pub last_action: String,
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

/// The wallets, inside one transaction. Every statement goes through the connection's statement
/// cache: parsed once, not on every call.
pub struct Wallets<'t> {
    /// The connection, inside the transaction `Store::transaction` opened.
    pub(super) transaction: &'t Connection,
    pub(super) salt: &'t [u8],
    /// The transaction's time, as answers write it.
    pub(super) now: String,
    /// Means are shown numbered by rank.
    pub(super) ranks: bool,
}

/// The current time at the merchant's (here: the machine's) offset, as the platform writes it.
pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A wallet function's answer: done, or refused with a response code.
pub type Outcome<T> = Result<T, Refusal>;

impl Wallets<'_> {
    /// The time of this transaction, merchant's local time with offset (or the fixed clock).
    pub fn now(&self) -> &str {
        &self.now
    }

    fn card_digest(&self, card_number: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.salt)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(card_number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// addCard: creates the wallet if needed; 94 for a card already in it. The card is kept as
    /// `masked_pan` (the bank's mask of it) and a keyed digest.
    #[allow(clippy::too_many_arguments)]
    pub fn add_card(
        &self,
        merchant: &str,
        wallet: &str,
        card_number: &str,
        masked_pan: String,
        expiry: &str,
        alias: Option<&str>,
        brand: Option<&str>,
    ) -> Result<Outcome<PaymentMean>, rusqlite::Error> {
        let digest = self.card_digest(card_number);
        self.add_mean(merchant, wallet, &digest, |id| PaymentMean {
            id,
            masked_pan,
            expiry: expiry.to_string(),
            alias: alias.map(stored_alias),
            brand: brand
                .map(str::to_string)
                .or_else(|| guess_brand(card_number).map(str::to_string)),
            mandate_id: None,
        })
    }

    /// addDirectDebit: creates the wallet if needed; 94 for a mandate already in it. The IBAN is
    /// never stored: the mean keeps it masked, and the mandate is recognised by its keyed digest.
    pub fn add_mandate(
        &self,
        merchant: &str,
        wallet: &str,
        iban: &str,
        mandate_id: &str,
        alias: Option<&str>,
        brand: Option<&str>,
    ) -> Result<Outcome<PaymentMean>, rusqlite::Error> {
        let digest = self.card_digest(&format!("mandate:{mandate_id}"));
        self.add_mean(merchant, wallet, &digest, |id| PaymentMean {
            id,
            masked_pan: mask_iban(iban),
            expiry: String::new(),
            alias: alias.map(stored_alias),
            brand: Some(brand.unwrap_or("SEPA_DIRECT_DEBIT").to_string()),
            mandate_id: Some(mandate_id.to_string()),
        })
    }

    /// Adds the mean `make` builds for its rank, recognised by `digest`: 94 when the wallet
    /// (created if needed) already holds one with the same digest.
    fn add_mean(
        &self,
        merchant: &str,
        wallet: &str,
        digest: &str,
        make: impl FnOnce(u32) -> PaymentMean,
    ) -> Result<Outcome<PaymentMean>, rusqlite::Error> {
        let Some(id) = self.next_mean(merchant, wallet, digest)? else {
            return Ok(Err(Refusal::Duplicate));
        };
        let mut mean = make(id);
        self.insert(merchant, wallet, &mean, digest)?;
        if self.ranks {
            // The newest mean is the last: its rank is how many the wallet holds.
            mean.id = self
                .transaction
                .prepare_cached(
                    "SELECT count(*) FROM payment_means WHERE merchant_id = ?1 AND wallet_id = ?2",
                )?
                .query_row(params![merchant, wallet], |r| r.get(0))?;
        }
        Ok(Ok(mean))
    }

    /// The stored number of the mean a request names by `shown` (its rank, when means are
    /// numbered so), or `None` when there is no such mean.
    fn stored_id(
        &self,
        merchant: &str,
        wallet: &str,
        shown: &str,
    ) -> rusqlite::Result<Option<u32>> {
        let Ok(shown) = shown.parse::<u32>() else {
            return Ok(None);
        };
        if !self.ranks {
            return Ok(Some(shown));
        }
        let Some(offset) = shown.checked_sub(1) else {
            return Ok(None);
        };
        self.transaction
            .prepare_cached(
                "SELECT mean_id FROM payment_means WHERE merchant_id = ?1 AND wallet_id = ?2
                 ORDER BY mean_id LIMIT 1 OFFSET ?3",
            )?
            .query_row(params![merchant, wallet, offset], |r| r.get(0))
            .optional()
    }

    /// The rank of a new mean in the wallet (created if needed), or `None` when a mean with the
    /// same digest is already there.
    fn next_mean(
        &self,
        merchant: &str,
        wallet: &str,
        digest: &str,
    ) -> Result<Option<u32>, rusqlite::Error> {
        let now = self.now.as_str();
        let tx = self.transaction;
        tx.prepare_cached("INSERT OR IGNORE INTO wallets VALUES (?1, ?2, ?3, ?3, 1)")?
            .execute(params![merchant, wallet, now])?;
        let duplicate: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM payment_means
                 WHERE merchant_id = ?1 AND wallet_id = ?2 AND card_digest = ?3)",
            )?
            .query_row(params![merchant, wallet, digest], |r| r.get(0))?;
        if duplicate {
            return Ok(None);
        }
        tx.prepare_cached(
            "UPDATE wallets SET next_mean = next_mean + 1, last_action = ?3
                 WHERE merchant_id = ?1 AND wallet_id = ?2 RETURNING next_mean - 1",
        )?
        .query_row(params![merchant, wallet, now], |r| r.get(0))
        .map(Some)
    }

    fn insert(
        &self,
        merchant: &str,
        wallet: &str,
        mean: &PaymentMean,
        digest: &str,
    ) -> Result<(), rusqlite::Error> {
        self.transaction
            .prepare_cached(
                "INSERT INTO payment_means VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                merchant,
                wallet,
                mean.id,
                mean.masked_pan,
                digest,
                mean.expiry,
                mean.alias,
                mean.brand,
                mean.mandate_id
            ])?;
        Ok(())
    }

    /// updatePaymentMean: sets the alias.
    pub fn update(
        &self,
        merchant: &str,
        wallet: &str,
        id: &str,
        alias: Option<&str>,
    ) -> Result<Outcome<()>, rusqlite::Error> {
        let Some(id) = self.stored_id(merchant, wallet, id)? else {
            return Ok(Err(Refusal::Unknown));
        };
        let changed = self
            .transaction
            .prepare_cached(
                "UPDATE payment_means SET alias = ?4
                 WHERE merchant_id = ?1 AND wallet_id = ?2 AND mean_id = ?3",
            )?
            .execute(params![merchant, wallet, id, alias.map(stored_alias)])?;
        self.touched(merchant, wallet, changed)
    }

    /// deletePaymentMean.
    pub fn delete(
        &self,
        merchant: &str,
        wallet: &str,
        id: &str,
    ) -> Result<Outcome<()>, rusqlite::Error> {
        let Some(id) = self.stored_id(merchant, wallet, id)? else {
            return Ok(Err(Refusal::Unknown));
        };
        let deleted = self.transaction.prepare_cached("DELETE FROM payment_means WHERE merchant_id = ?1 AND wallet_id = ?2 AND mean_id = ?3")?.execute(
            params![merchant, wallet, id],
        )?;
        self.touched(merchant, wallet, deleted)
    }

    fn touched(
        &self,
        merchant: &str,
        wallet: &str,
        rows: usize,
    ) -> Result<Outcome<()>, rusqlite::Error> {
        if rows == 0 {
            return Ok(Err(Refusal::Unknown));
        }
        self.transaction
            .prepare_cached(
                "UPDATE wallets SET last_action = ?3 WHERE merchant_id = ?1 AND wallet_id = ?2",
            )?
            .execute(params![merchant, wallet, self.now])?;
        Ok(Ok(()))
    }

    /// signOff: the wallet and its payment means go.
    pub fn sign_off(&self, merchant: &str, wallet: &str) -> Result<Outcome<()>, rusqlite::Error> {
        let deleted = self
            .transaction
            .prepare_cached("DELETE FROM wallets WHERE merchant_id = ?1 AND wallet_id = ?2")?
            .execute(params![merchant, wallet])?;
        Ok(if deleted == 0 {
            Err(Refusal::Unknown)
        } else {
            Ok(())
        })
    }

    /// getWalletData: its dates, and each of its means handed to `each_mean` in rank order as it
    /// is read (borrowed from the row, not copied), in one statement.
    pub fn wallet(
        &self,
        merchant: &str,
        wallet: &str,
        mut each_mean: impl FnMut(MeanView<'_>),
    ) -> Result<Outcome<WalletDates>, rusqlite::Error> {
        let mut statement = self.transaction.prepare_cached(
            "SELECT w.created, w.last_action,
                    m.mean_id, m.masked_pan, m.expiry, m.alias, m.brand, m.mandate_id
               FROM wallets w LEFT JOIN payment_means m
                 ON m.merchant_id = w.merchant_id AND m.wallet_id = w.wallet_id
              WHERE w.merchant_id = ?1 AND w.wallet_id = ?2
              ORDER BY m.mean_id",
        )?;
        let mut rows = statement.query(params![merchant, wallet])?;
        let Some(first) = rows.next()? else {
            return Ok(Err(Refusal::Unknown));
        };
        let dates = WalletDates {
            created: first.get(0)?,
            last_action: first.get(1)?,
        };
        let mut row = Some(first);
        let mut rank = 0;
        // A wallet without means is one row whose mean columns are NULL.
        while let Some(current) = row {
            if current.get_ref(2)? != rusqlite::types::ValueRef::Null {
                rank += 1;
                let mut mean = mean_view_at(current, 2)?;
                if self.ranks {
                    mean.id = rank;
                }
                each_mean(mean);
            }
            row = rows.next()?;
        }
        Ok(Ok(dates))
    }

    /// getPaymentMeanData.
    pub fn payment_mean(
        &self,
        merchant: &str,
        wallet: &str,
        id: &str,
    ) -> Result<Outcome<PaymentMean>, rusqlite::Error> {
        let Some(stored) = self.stored_id(merchant, wallet, id)? else {
            return Ok(Err(Refusal::Unknown));
        };
        let found = self
            .transaction
            .prepare_cached(
                "SELECT mean_id, masked_pan, expiry, alias, brand, mandate_id FROM payment_means
                     WHERE merchant_id = ?1 AND wallet_id = ?2 AND mean_id = ?3",
            )?
            .query_row(params![merchant, wallet, stored], |row| {
                Ok(mean_view_at(row, 0)?.owned())
            })
            .optional()?;
        Ok(found
            .map(|mean| PaymentMean {
                // Shown under the number it was asked by (its rank, when means are numbered so).
                id: id.parse().unwrap_or(mean.id),
                ..mean
            })
            .ok_or(Refusal::Unknown))
    }
}

/// The payment mean in a row's columns from `at` on (id, masked_pan, expiry, alias, brand,
/// mandate_id), borrowed from the row.
fn mean_view_at<'r>(row: &'r rusqlite::Row<'_>, at: usize) -> rusqlite::Result<MeanView<'r>> {
    let text =
        |i: usize| -> rusqlite::Result<Option<&'r str>> { Ok(row.get_ref(i)?.as_str_or_null()?) };
    let required = |i: usize| -> rusqlite::Result<&'r str> { Ok(row.get_ref(i)?.as_str()?) };
    Ok(MeanView {
        id: row.get(at)?,
        masked_pan: required(at + 1)?,
        expiry: required(at + 2)?,
        alias: text(at + 3)?,
        brand: text(at + 4)?,
        mandate_id: text(at + 5)?,
    })
}

/// An alias as stored: free text a buyer may fill with a card number or an IBAN, which the state
/// never keeps in clear (masked as everywhere else). A wallet id is stored as sent: it is the key
/// the merchant finds the wallet by.
fn stored_alias(alias: &str) -> String {
    crate::mask::mask_text(alias).into_owned()
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
    use super::super::Store;
    use super::Refusal;

    /// The one-statement reading of a wallet: unknown, known without means, means in rank order.
    #[test]
    fn a_wallet_reads_as_it_was_left() {
        let store = Store::in_memory().expect("store");
        let read = |wallet: &str| {
            let mut ids = Vec::new();
            store
                .transaction(|w| w.wallet("M", wallet, |mean| ids.push(mean.id)))
                .expect("read")
                .map(|_| ids)
        };
        assert_eq!(read("W"), Err(Refusal::Unknown));
        for card in ["4111111111111111", "5555555555554444", "378282246310005"] {
            let added = store
                .transaction(|w| w.add_card("M", "W", card, card.into(), "203001", None, None))
                .expect("add");
            assert!(added.is_ok(), "{card}");
        }
        assert_eq!(read("W"), Ok(vec![1, 2, 3]));
        assert_eq!(read("OTHER"), Err(Refusal::Unknown));
        for id in ["2", "1", "3"] {
            let deleted = store
                .transaction(|w| w.delete("M", "W", id))
                .expect("delete");
            assert!(deleted.is_ok(), "mean {id}");
        }
        assert_eq!(
            read("W"),
            Ok(vec![]),
            "a wallet without means is still known"
        );
        let signed_off = store
            .transaction(|w| w.sign_off("M", "W"))
            .expect("sign off");
        assert!(signed_off.is_ok());
        assert_eq!(read("W"), Err(Refusal::Unknown));
    }
}
