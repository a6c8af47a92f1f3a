//! The store's write transaction.

use rusqlite::Connection;

/// One write transaction (every transaction of the store is one), begun and committed through the
/// statement cache (rusqlite's `Transaction` parses `BEGIN` and `COMMIT` anew every time); rolled
/// back when dropped before its commit, or when the commit failed.
pub(super) struct WriteTransaction<'c> {
    connection: &'c Connection,
    committed: bool,
}

impl<'c> WriteTransaction<'c> {
    pub(super) fn begin(connection: &'c Connection) -> rusqlite::Result<WriteTransaction<'c>> {
        connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(WriteTransaction {
            connection,
            committed: false,
        })
    }

    pub(super) fn commit(mut self) -> rusqlite::Result<()> {
        self.connection.prepare_cached("COMMIT")?.execute([])?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for WriteTransaction<'_> {
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
