//! A document file on disk whose bytes are read later, by whoever converts it: the walk then
//! reads only its first bytes (to see it is not an archive), and a worker process reads the
//! rest, so that the bytes are not copied through the parent and a pipe.
use crate::capped::read_file_capped;
use crate::limits::Limits;
use nianbao_core::{ErrorKind, ExtractError};
use std::fs::File;
use std::path::{Path, PathBuf};

/// A file the walk found to be a document (not an archive), not read yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskFile {
    path: PathBuf,
    /// Its length when the walk saw it (a file that grew is still cut at `max_bytes`).
    len: u64,
    /// `Limits::max_entry_bytes` of the walk.
    max_bytes: u64,
}

impl DiskFile {
    pub fn new(path: PathBuf, len: u64, max_bytes: u64) -> Self {
        DiskFile {
            path,
            len,
            max_bytes,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The length seen by the walk (for accounting; [`read`](Self::read) gives the bytes).
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The file's bytes, or the error the walk would have given had it read them itself.
    pub fn read(&self) -> Result<Vec<u8>, ExtractError> {
        let mut file = File::open(&self.path)
            .map_err(|e| ExtractError::new(ErrorKind::Io, format!("cannot open: {e}")))?;
        let limits = Limits {
            max_entry_bytes: self.max_bytes,
            ..Limits::default()
        };
        read_file_capped(&mut file, self.len, &limits).map_err(|e| e.into_extract(ErrorKind::Io))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_gives_the_bytes_or_the_walks_error() {
        let dir = std::env::temp_dir().join(format!("nianbao-disk-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("报告.txt");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(
            DiskFile::new(path.clone(), 10, 10).read().unwrap(),
            b"0123456789"
        );
        // Grown past the limit since the walk saw it: cut, as the walk's own read is.
        let grown = DiskFile::new(path.clone(), 4, 9).read().unwrap_err();
        assert_eq!(grown.kind, ErrorKind::TooLarge);
        assert!(grown.message.contains("larger than 9 bytes"), "{grown}");
        std::fs::remove_dir_all(&dir).unwrap();
        let gone = DiskFile::new(path, 10, 10).read().unwrap_err();
        assert_eq!(gone.kind, ErrorKind::Io);
        assert!(gone.message.starts_with("cannot open: "), "{gone}");
    }
}
