//! The simulator's wallets, in SQLite: what each wallet function does to them.
//!
//! One row per wallet and one per payment mean; each call is one transaction. In memory by default;
//! in a file (WAL mode) with [`Store::open`], which one simulator at a time may hold: the database
//! itself is locked (SQLite's exclusive locking mode), so no other path to the same file (a hard
//! link, a symlink, another relative path) gets around it. Card numbers are
//! never stored: a payment mean keeps the masked PAN and a keyed digest of the card number (HMAC with
//! a random salt drawn when the database is created) to answer 94 for a card already in the wallet;
//! an IBAN is kept masked, and so is a card number or IBAN typed into an alias. A wallet id is
//! kept as sent, since it is the key the merchant finds the wallet by: one holding a card number
//! is card data in the state file (everything the simulator prints masks it).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::Sha256;

use crate::mask::mask_iban;

/// The schema; `PRAGMA user_version` says which one a file holds. Version 2 added
/// `payment_means.mandate_id` (addDirectDebit); a version 1 file is brought up to it on open.
const SCHEMA_VERSION: i64 = 2;
const SCHEMA: &str = "
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE wallets (
    merchant_id TEXT NOT NULL,
    wallet_id   TEXT NOT NULL,
    created     TEXT NOT NULL,
    last_action TEXT NOT NULL,
    next_mean   INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, wallet_id)
) WITHOUT ROWID;
CREATE TABLE payment_means (
    merchant_id TEXT NOT NULL,
    wallet_id   TEXT NOT NULL,
    mean_id     INTEGER NOT NULL,
    masked_pan  TEXT NOT NULL,
    card_digest TEXT NOT NULL,
    expiry      TEXT NOT NULL,
    alias       TEXT,
    brand       TEXT,
    mandate_id  TEXT,
    PRIMARY KEY (merchant_id, wallet_id, mean_id),
    FOREIGN KEY (merchant_id, wallet_id) REFERENCES wallets ON DELETE CASCADE
) WITHOUT ROWID;
";

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

/// Why the wallets could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another simulator holds the file.
    #[error("{path}: the state is in use by another simulator (only one may hold a state file; stop it or give another --state)")]
    InUse {
        /// The state file.
        path: PathBuf,
    },
    /// The file is not a simulator database (or one from a newer version).
    #[error("{path}: not a simulator state database ({reason})")]
    NotAState {
        /// The state file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The file or its lock could not be opened.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The state file was removed or replaced while the simulator ran: nothing more is
    /// acknowledged into a file nobody can open again.
    #[error("{path}: the state file was {what} while the simulator ran; changes are refused (restart the simulator to start from the file now there)")]
    Gone {
        /// The state file.
        path: PathBuf,
        /// `removed` or `replaced by another file`.
        what: &'static str,
    },
    /// SQLite refused a read or a write (disk full, read-only file, a row missing…).
    #[error("{path}: state database: {source}")]
    Sqlite {
        /// The state file (`:memory:` for a state in memory).
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    /// The error, its file named where it crosses out of the store ([`StoreError::naming`]).
    fn from(source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: PathBuf::new(),
            source,
        }
    }
}

impl StoreError {
    /// The same error, naming `path` if it names no file yet.
    fn naming(self, path: &Path) -> StoreError {
        match self {
            StoreError::Sqlite {
                path: unnamed,
                source,
            } if unnamed.as_os_str().is_empty() => StoreError::Sqlite {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        }
    }
}

/// Every wallet of every merchant.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
    /// The time answers carry, when a test fixed it (`POST /_simulator/clock`); else the clock.
    clock: Mutex<Option<String>>,
    salt: Vec<u8>,
    /// The state file and the identity (device, inode) it had when opened.
    file: Option<(PathBuf, FileId)>,
    /// Whether payment means are shown numbered by rank rather than by their stored number.
    ranks: bool,
}

/// A file's identity: the same for every path that reaches it, new for a file put in its place.
type FileId = (u64, u64);

fn file_id(path: &Path) -> std::io::Result<FileId> {
    let metadata = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        Ok((0, 0))
    }
}

impl Store {
    /// An empty store in memory, gone when the simulator stops.
    pub fn in_memory() -> Result<Store, StoreError> {
        let connection = Connection::open_in_memory()
            .map_err(|e| StoreError::from(e).naming(Path::new(":memory:")))?;
        Store::prepare(connection, None)
    }

    /// The store in `path`, created if missing. Refused if another simulator holds it, by
    /// whatever path: the lock is SQLite's own on the database file, held until the store is
    /// dropped (the OS releases it if the process dies, even by `kill -9`).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // An operator's slip caught before SQLite: a folder, a device or a FIFO is no state file,
        // and an empty file is more likely a mistake than a wish for a new state.
        if let Ok(metadata) = std::fs::metadata(path) {
            let reason = if !metadata.is_file() {
                Some("not a regular file")
            } else if metadata.len() == 0 {
                Some("an empty file (remove it, or give a path that does not exist, to start a new state)")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(StoreError::NotAState {
                    path: path.to_path_buf(),
                    reason: reason.into(),
                });
            }
        }
        let io = |e: rusqlite::Error| StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        };
        let refused = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::InUse {
                    path: path.to_path_buf(),
                }
            }
            _ => StoreError::NotAState {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        };
        let connection = Connection::open(path).map_err(io)?;
        // Another holder answers at once, not after rusqlite's default wait.
        connection
            .busy_timeout(std::time::Duration::ZERO)
            .map_err(io)?;
        // Exclusive: the first write takes the database file's lock and keeps it. WAL: a commit is
        // one append; `synchronous = NORMAL` keeps every commit through a crash of the process
        // (only a power loss may lose the last ones).
        connection
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(refused)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(refused)?;
        connection
            .execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(refused)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(io)?;
        // Up to 64 MiB of pages kept in memory (SQLite's default is 2 MiB): a load test's 100,000
        // wallets are read from here, not from the disk through a system call each.
        connection
            .pragma_update(None, "cache_size", -65_536)
            .map_err(io)?;
        let id = file_id(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Store::prepare(connection, Some((path.to_path_buf(), id)))
    }

    fn prepare(
        connection: Connection,
        file: Option<(PathBuf, FileId)>,
    ) -> Result<Store, StoreError> {
        let path = file
            .as_ref()
            .map_or(PathBuf::from(":memory:"), |(path, _)| path.clone());
        Store::prepare_unnamed(connection, file).map_err(|e| e.naming(&path))
    }

    fn prepare_unnamed(
        connection: Connection,
        file: Option<(PathBuf, FileId)>,
    ) -> Result<Store, StoreError> {
        let path = file.as_ref().map(|(path, _)| path.clone());
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // One plan per statement, kept for its life: without this, SQLite re-prepares a cached
        // statement whenever a bound value differs from the last one (a third of the simulator's
        // CPU per getWalletData, measured with perf).
        connection.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let shown = || path.clone().unwrap_or_else(|| ":memory:".into());
        match version {
            0 => {
                let tables: i64 =
                    connection.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
                if tables != 0 {
                    return Err(StoreError::NotAState {
                        path: shown(),
                        reason: "it holds other tables".into(),
                    });
                }
                let mut salt = vec![0u8; 32];
                getrandom::getrandom(&mut salt).map_err(|e| StoreError::Io {
                    path: shown(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                let setup = Open::begin(&connection)?;
                connection.execute_batch(SCHEMA)?;
                connection.execute(
                    "INSERT INTO meta (name, value) VALUES ('card_digest_salt', ?1)",
                    [&salt],
                )?;
                connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                setup.commit()?;
            }
            1 => {
                let upgrade = Open::begin(&connection)?;
                connection
                    .execute_batch("ALTER TABLE payment_means ADD COLUMN mandate_id TEXT;")?;
                connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                upgrade.commit()?;
            }
            SCHEMA_VERSION => {}
            other => {
                return Err(StoreError::NotAState {
                    path: shown(),
                    reason: format!(
                        "schema version {other}, this simulator knows {SCHEMA_VERSION}"
                    ),
                })
            }
        }
        if let Some(reason) = schema_mismatch(&connection)? {
            return Err(StoreError::NotAState {
                path: shown(),
                reason,
            });
        }
        let salt: Option<Vec<u8>> = connection
            .query_row(
                "SELECT value FROM meta WHERE name = 'card_digest_salt'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(salt) = salt else {
            return Err(StoreError::NotAState {
                path: shown(),
                reason: "its card digest salt is missing from the meta table".into(),
            });
        };
        Ok(Store {
            connection: Mutex::new(connection),
            salt,
            file,
            clock: Mutex::new(None),
            ranks: false,
        })
    }

    /// Shows payment means numbered by their rank in the wallet (1, 2, 3… whatever was deleted
    /// before them), as some banks do, instead of the number each keeps for its life.
    pub fn number_by_rank(mut self, ranks: bool) -> Store {
        self.ranks = ranks;
        self
    }

    /// Fixes the time answers carry (`walletActionDateTime`, the wallets' dates), or with `None`
    /// goes back to the machine's clock.
    pub fn set_clock(&self, time: Option<String>) {
        *self.clock.lock().unwrap_or_else(|p| p.into_inner()) = time;
    }

    /// Empties every wallet (the merchants' keys and the digest salt stay).
    pub fn reset(&self) -> Result<(), StoreError> {
        self.check_file()?;
        let connection = self.connection();
        let wiped = Open::begin(&connection).and_then(|transaction| {
            connection.execute_batch("DELETE FROM payment_means; DELETE FROM wallets;")?;
            transaction.commit()
        });
        wiped.map_err(|e| StoreError::from(e).naming(&self.path()))
    }

    /// The state file, or `:memory:`.
    fn path(&self) -> PathBuf {
        self.file
            .as_ref()
            .map_or(PathBuf::from(":memory:"), |(path, _)| path.clone())
    }

    /// Refuses to go on when the state file is no longer the one opened: a commit into a removed
    /// file would be acknowledged and lost.
    fn check_file(&self) -> Result<(), StoreError> {
        let Some((path, opened)) = &self.file else {
            return Ok(());
        };
        let what = match file_id(path) {
            Ok(id) if id == *opened => return Ok(()),
            Ok(_) => "replaced by another file",
            Err(_) => "removed",
        };
        Err(StoreError::Gone {
            path: path.clone(),
            what,
        })
    }

    /// Runs `f` in one transaction: committed when `f` returns, rolled back if SQLite failed.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Wallets<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        self.transaction_unnamed(f)
            .map_err(|e| e.naming(&self.path()))
    }

    fn transaction_unnamed<T>(
        &self,
        f: impl FnOnce(&Wallets<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let connection = self.connection();
        let transaction = Open::begin(&connection)?;
        let now = self
            .clock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
            .unwrap_or_else(now);
        let outcome = f(&Wallets {
            transaction: &connection,
            salt: &self.salt,
            now,
            ranks: self.ranks,
        })?;
        // Dropping the transaction rolls it back.
        self.check_file()?;
        transaction.commit()?;
        Ok(outcome)
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding it left no transaction open (rusqlite rolls back on drop).
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One write transaction (every transaction of the store is one), begun and committed through the
/// statement cache (rusqlite's `Transaction` parses `BEGIN` and `COMMIT` anew every time); rolled
/// back when dropped before its commit, or when the commit failed.
struct Open<'c> {
    connection: &'c Connection,
    committed: bool,
}

impl<'c> Open<'c> {
    fn begin(connection: &'c Connection) -> rusqlite::Result<Open<'c>> {
        connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(Open {
            connection,
            committed: false,
        })
    }

    fn commit(mut self) -> rusqlite::Result<()> {
        self.connection.prepare_cached("COMMIT")?.execute([])?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing to do if it fails: the connection then has no transaction open.
            let _ = self
                .connection
                .prepare_cached("ROLLBACK")
                .and_then(|mut rollback| rollback.execute([]));
        }
    }
}

/// What the schema lacks, if anything: every table and column this version uses must be there
/// (a file whose `user_version` is right but whose tables were altered would answer 99 to every
/// call instead of failing at start).
fn schema_mismatch(connection: &Connection) -> Result<Option<String>, rusqlite::Error> {
    const TABLES: &[(&str, &[&str])] = &[
        ("meta", &["name", "value"]),
        (
            "wallets",
            &[
                "merchant_id",
                "wallet_id",
                "created",
                "last_action",
                "next_mean",
            ],
        ),
        (
            "payment_means",
            &[
                "merchant_id",
                "wallet_id",
                "mean_id",
                "masked_pan",
                "card_digest",
                "expiry",
                "alias",
                "brand",
                "mandate_id",
            ],
        ),
    ];
    for (table, columns) in TABLES {
        let mut statement = connection.prepare(&format!("PRAGMA table_info({table})"))?;
        let present: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(1))?
            .collect::<Result<_, _>>()?;
        if present.is_empty() {
            return Ok(Some(format!("the table {table} is missing")));
        }
        if let Some(missing) = columns.iter().find(|c| !present.iter().any(|p| p == *c)) {
            return Ok(Some(format!("the table {table} has no column {missing}")));
        }
    }
    Ok(None)
}

/// The wallets, inside one transaction. Every statement goes through the connection's statement
/// cache: parsed once, not on every call.
pub struct Wallets<'t> {
    /// The connection, inside the transaction `Store::transaction` opened.
    transaction: &'t Connection,
    salt: &'t [u8],
    /// The transaction's time, as answers write it.
    now: String,
    /// Means are shown numbered by rank.
    ranks: bool,
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
    use super::{Refusal, Store};

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
