//! Scratch storage for decompressed data: memory while small, an unnamed temporary file past
//! [`MEMORY_MAX`]. Streams that cannot be read out of order (tar.gz, 7z, a damaged zip) are
//! spooled once so their members can be yielded sorted, and large nested archives are spooled
//! so a deep chain of them does not pile up in memory.

use std::fs::{File, OpenOptions};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes kept in memory before moving to a temporary file.
pub(crate) const MEMORY_MAX: usize = 8 << 20;

/// What a frame reads an archive from.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

pub(crate) struct Spool {
    mem: Vec<u8>,
    file: Option<TempFile>,
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
                t.file.set_len(len)?;
                t.file.seek(SeekFrom::Start(len))?;
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
                t.file.seek(SeekFrom::Start(offset))?;
                let mut v = vec![0u8; len as usize];
                t.file.read_exact(&mut v)?;
                t.file.seek(SeekFrom::End(0))?;
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
                t.file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(t))
            }
            None => Ok(Box::new(Cursor::new(self.mem))),
        }
    }

    fn move_to_file(&mut self) -> io::Result<()> {
        let mut t = TempFile::create()?;
        t.file.write_all(&self.mem)?;
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
            Some(t) => t.file.write_all(buf)?,
            None => self.mem.extend_from_slice(buf),
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A temporary file that disappears with its handle: on Unix it is unlinked right after
/// creation; elsewhere it is removed on drop.
struct TempFile {
    file: File,
    path: Option<PathBuf>,
}

impl TempFile {
    fn create() -> io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir();
        let mut last_err = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let path = dir.join(format!(".nianbao-spool-{}-{n}-{nanos}", std::process::id()));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    let path = if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
                        None
                    } else {
                        Some(path)
                    };
                    return Ok(TempFile { file, path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("cannot create a temporary file in {}: {e}", dir.display()),
                    ))
                }
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Read for TempFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for TempFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
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
