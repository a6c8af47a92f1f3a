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
//! is card data in the state file (everything the simulator prints masks it). `wallets` holds the
//! rows each function reads and writes, `transaction` the write transaction every call is.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};

mod transaction;
mod wallets;

use transaction::WriteTransaction;

pub(super) use wallets::{now, MeanView, Outcome, PaymentMean, Refusal, Wallets};

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
    /// The error, its file named where it crosses out of the store (`StoreError::naming`).
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
                let setup = WriteTransaction::begin(&connection)?;
                connection.execute_batch(SCHEMA)?;
                connection.execute(
                    "INSERT INTO meta (name, value) VALUES ('card_digest_salt', ?1)",
                    [&salt],
                )?;
                connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                setup.commit()?;
            }
            1 => {
                let upgrade = WriteTransaction::begin(&connection)?;
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

    /// Removes the wallets (and their means) of `merchant`, or of every merchant when `None`;
    /// only `wallet` when it is given (the merchants' keys and the digest salt stay). How many
    /// wallets were removed.
    pub fn reset_where(
        &self,
        merchant: Option<&str>,
        wallet: Option<&str>,
    ) -> Result<usize, StoreError> {
        self.check_file()?;
        let connection = self.connection();
        // NULL matches every merchant, or every wallet.
        const WHERE: &str = "(?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR wallet_id = ?2)";
        let wiped = WriteTransaction::begin(&connection).and_then(|transaction| {
            connection.execute(
                &format!("DELETE FROM payment_means WHERE {WHERE}"),
                (merchant, wallet),
            )?;
            let wallets = connection.execute(
                &format!("DELETE FROM wallets WHERE {WHERE}"),
                (merchant, wallet),
            )?;
            transaction.commit()?;
            Ok(wallets)
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
        let transaction = WriteTransaction::begin(&connection)?;
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
