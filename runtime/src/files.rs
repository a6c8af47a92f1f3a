//! Files a user names (key files, certificates, a card number's file, a scenario, a message to
//! explain): read only when they are regular files, and only up to a stated size, so that a FIFO
//! cannot block a start forever nor `/dev/zero` fill the memory.

use std::io::Read;
use std::path::Path;

/// Why a named file was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// It could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A folder, a device, a FIFO, a socket.
    #[error("not a regular file")]
    NotRegular,
    /// Larger than the limit for its kind.
    #[error("larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
}

/// The whole of the regular file at `path` (a symlink to one is followed), at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    // Checked before opening (opening a FIFO waits for a writer), then the opened file itself, so
    // a path swapped in between cannot slip through.
    if !std::fs::metadata(path)?.is_file() {
        return Err(FileError::NotRegular);
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(FileError::NotRegular);
    }
    read_at_most(file, limit)
}

/// At most `limit` bytes of `reader` (standard input, say): more is an error, never read.
pub fn read_at_most(reader: impl Read, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_and_only_so_much() {
        assert!(matches!(
            read_regular(Path::new("/"), 10),
            Err(FileError::NotRegular)
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(FileError::NotRegular)
        ));
        assert!(matches!(
            read_at_most(std::io::repeat(0), 1000),
            Err(FileError::TooLarge { limit: 1000 })
        ));
        assert_eq!(read_at_most(&b"abc"[..], 3).unwrap(), b"abc");
    }
}
