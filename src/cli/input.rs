//! What the command line reads from files and standard input: regular files only (a FIFO would
//! block, `/dev/zero` would never end), each kind at most a stated size.

use std::path::Path;

use sips_wallet::files::{read_at_most, read_regular, FileError};

use super::CliError;

/// A certificate or a private key (PEM or DER).
pub(super) const CERTIFICATE_BYTES: u64 = 1 << 20;
/// A card number or an IBAN.
pub(super) const CARD_DATA_BYTES: u64 = 4096;
/// A message to explain (`seal`): as large as a request may be.
pub(super) const MESSAGE_BYTES: u64 = sips_wallet::simulator::MAX_REQUEST_BYTES as u64;
/// A WSDL or XSD document, as the generator's limit has it.
pub(super) const CONTRACT_BYTES: u64 = 4 << 20;

/// The file `flag` names, at most `limit` bytes.
pub(super) fn file(flag: &str, path: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    read_regular(path, limit).map_err(|e| {
        CliError::Input(match e {
            FileError::Io(e) => format!("{flag}: cannot read {}: {e}", path.display()),
            other => format!("{flag} {}: {other}", path.display()),
        })
    })
}

/// The same, as UTF-8 text.
pub(super) fn file_text(flag: &str, path: &Path, limit: u64) -> Result<String, CliError> {
    String::from_utf8(file(flag, path, limit)?)
        .map_err(|_| CliError::Input(format!("{flag} {}: not UTF-8 text", path.display())))
}

/// Standard input as UTF-8 text, at most `limit` bytes (`what` says who wanted it).
pub(super) fn stdin_text(what: &str, limit: u64) -> Result<String, CliError> {
    let bytes = read_at_most(std::io::stdin().lock(), limit)
        .map_err(|e| CliError::Input(format!("{what}: standard input: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::Input(format!("{what}: standard input is not UTF-8 text")))
}
