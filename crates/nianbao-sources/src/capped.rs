//! Reading decompressed data with hard caps. Declared sizes in archive headers are lies until
//! proven otherwise, so every byte is counted as it comes out of the decoder.

use crate::limits::{Budget, Limits, RATIO_GRACE_BYTES};
use nianbao_core::{ErrorKind, ExtractError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many compressed bytes produced the output so far, for the ratio check.
pub(crate) enum Compressed {
    /// Not compressed, or unknown: no ratio check.
    Unknown,
    /// The member's compressed size (a zip entry's; the decoder cannot read past it).
    Known(u64),
    /// A counter of raw bytes pulled from the archive, and its value when the member began.
    Counter(Arc<AtomicU64>, u64),
}

impl Compressed {
    fn so_far(&self) -> Option<u64> {
        match self {
            Compressed::Unknown => None,
            Compressed::Known(n) => Some(*n),
            Compressed::Counter(c, start) => Some(c.load(Ordering::Relaxed).saturating_sub(*start)),
        }
    }
}

/// Why a capped read stopped.
pub(crate) enum CapError {
    /// Over a limit: the message names it. `stop_stream` is set for a ratio or total-budget
    /// breach, after which a front-to-back archive should not be read further.
    TooLarge { message: String, stop_stream: bool },
    /// The decoder or the disk failed.
    Io(io::Error),
}

impl CapError {
    /// The error for the member, given what kind an I/O failure of this source means.
    pub(crate) fn into_extract(self, io_kind: ErrorKind) -> ExtractError {
        match self {
            CapError::TooLarge { message, .. } => ExtractError::new(ErrorKind::TooLarge, message),
            CapError::Io(e) => ExtractError::new(io_kind, e.to_string()),
        }
    }
}

/// Copies `r` into `w` until EOF, failing as soon as the output passes the per-entry cap, the
/// archive's remaining budget or the ratio.
pub(crate) fn copy_capped(
    r: &mut dyn Read,
    w: &mut dyn Write,
    compressed: &Compressed,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<u64, CapError> {
    let mut buf = vec![0u8; 64 << 10];
    let mut out: u64 = 0;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CapError::Io(e)),
        };
        out += n as u64;
        // Every chunk read is charged, even for a member that is then refused: the work was done.
        if n as u64 > budget.remaining {
            budget.remaining = 0;
            return Err(too_large(
                format!(
                    "the archive expands past {} bytes in total (max_total_bytes); not extracted",
                    limits.max_total_bytes
                ),
                true,
            ));
        }
        budget.remaining -= n as u64;
        if out > limits.max_entry_bytes {
            return Err(over_entry_cap(limits));
        }
        if out > RATIO_GRACE_BYTES {
            if let Some(c) = compressed.so_far() {
                if out > c.max(1).saturating_mul(limits.max_ratio) {
                    return Err(too_large(
                        format!(
                            "compression ratio above {}:1 ({} bytes compressed, more than {} \
                             decompressed), a likely zip bomb (max_ratio); not extracted",
                            limits.max_ratio, c, out
                        ),
                        true,
                    ));
                }
            }
        }
        w.write_all(&buf[..n]).map_err(CapError::Io)?;
    }
}

/// One entry came out larger than `max_entry_bytes`.
fn over_entry_cap(limits: &Limits) -> CapError {
    too_large(
        format!(
            "larger than {} bytes uncompressed (max_entry_bytes); not extracted",
            limits.max_entry_bytes
        ),
        false,
    )
}

fn too_large(message: String, stop_stream: bool) -> CapError {
    CapError::TooLarge {
        message,
        stop_stream,
    }
}

/// A file on disk into memory: sized from its length up front and read straight into the
/// vector (no bounce buffer, no regrowth copies); the per-entry cap still holds if the file
/// grew since its length was taken.
pub(crate) fn read_file_capped(
    file: &mut dyn Read,
    len: u64,
    limits: &Limits,
) -> Result<Vec<u8>, CapError> {
    let cap = limits.max_entry_bytes;
    let mut v = Vec::with_capacity(usize::try_from(len.min(cap)).unwrap_or(0).saturating_add(1));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut v)
        .map_err(CapError::Io)?;
    if v.len() as u64 > cap {
        return Err(over_entry_cap(limits));
    }
    Ok(v)
}

/// [`copy_capped`] into memory.
pub(crate) fn read_capped(
    r: &mut dyn Read,
    compressed: &Compressed,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Vec<u8>, CapError> {
    let mut v = Vec::new();
    copy_capped(r, &mut v, compressed, limits, budget)?;
    Ok(v)
}

/// A reader that counts the raw bytes pulled through it into a shared counter, so the ratio
/// of a decoder stacked on top can be checked.
pub(crate) struct Counted<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<AtomicU64>,
}

impl<R> Counted<R> {
    pub(crate) fn new(inner: R) -> (Self, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (
            Counted {
                inner,
                count: count.clone(),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counted<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Fills `buf` as far as the reader allows; returns how many bytes were read.
pub(crate) fn read_head(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
