//! Scratch storage for decompressed data: memory while small, an unnamed temporary file past
//! [`MEMORY_MAX`]. Streams that cannot be read out of order (tar.gz, 7z, a damaged zip) are
//! spooled once so their members can be yielded sorted, and large nested archives are spooled
//! so a deep chain of them does not pile up in memory.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

/// Bytes kept in memory before moving to a temporary file.
pub(crate) const MEMORY_MAX: usize = 8 << 20;

/// What a frame reads an archive from.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

pub(crate) struct Spool {
    mem: Vec<u8>,
    file: Option<File>,
    len: u64,
}

impl Spool {
    pub(crate) fn new() -> Self {
        Spool {
            mem: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Bytes already in memory; moved to a temporary file if large.
    pub(crate) fn from_vec(v: Vec<u8>) -> io::Result<Self> {
        let mut s = Spool {
            len: v.len() as u64,
            mem: v,
            file: None,
        };
        if s.mem.len() > MEMORY_MAX {
            s.move_to_file()?;
        }
        Ok(s)
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Drops everything after `len` (a member refused half-way).
    pub(crate) fn truncate(&mut self, len: u64) -> io::Result<()> {
        if len >= self.len {
            return Ok(());
        }
        match &mut self.file {
            Some(t) => {
                t.set_len(len)?;
                t.seek(SeekFrom::Start(len))?;
            }
            None => self.mem.truncate(len as usize),
        }
        self.len = len;
        Ok(())
    }

    /// A copy of `len` bytes at `offset`.
    pub(crate) fn read_range(&mut self, offset: u64, len: u64) -> io::Result<Vec<u8>> {
        match &mut self.file {
            Some(t) => {
                t.seek(SeekFrom::Start(offset))?;
                let mut v = vec![0u8; len as usize];
                t.read_exact(&mut v)?;
                t.seek(SeekFrom::End(0))?;
                Ok(v)
            }
            None => {
                let (a, b) = (offset as usize, (offset + len) as usize);
                self.mem.get(a..b).map(<[u8]>::to_vec).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::UnexpectedEof, "spool range out of bounds")
                })
            }
        }
    }

    /// The whole spool as a seekable reader positioned at the start.
    pub(crate) fn into_reader(self) -> io::Result<Box<dyn ReadSeek>> {
        match self.file {
            Some(mut t) => {
                t.seek(SeekFrom::Start(0))?;
                Ok(Box::new(t))
            }
            None => Ok(Box::new(Cursor::new(self.mem))),
        }
    }

    fn move_to_file(&mut self) -> io::Result<()> {
        // Unlinked at once on Unix, removed on drop elsewhere: nothing is left behind.
        let mut t = tempfile::tempfile().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot create a temporary file in {}: {e}",
                    std::env::temp_dir().display()
                ),
            )
        })?;
        t.write_all(&self.mem)?;
        self.mem = Vec::new();
        self.file = Some(t);
        Ok(())
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.mem.len() + buf.len() > MEMORY_MAX {
            self.move_to_file()?;
        }
        match &mut self.file {
            Some(t) => t.write_all(buf)?,
            None => self.mem.extend_from_slice(buf),
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_to_file_and_reads_back() {
        let mut s = Spool::new();
        s.write_all(b"head").unwrap();
        let big = vec![7u8; MEMORY_MAX];
        s.write_all(&big).unwrap();
        assert!(s.file.is_some());
        assert_eq!(s.read_range(0, 4).unwrap(), b"head");
        s.truncate(4).unwrap();
        s.write_all(b"tail").unwrap();
        assert_eq!(s.read_range(4, 4).unwrap(), b"tail");
        assert_eq!(s.len(), 8);
    }
}
