//! Archives read front to back: tar (plain or gzip-compressed), single-file gzip, and 7z.
//! Each is spooled once (see [`SpoolBuilder`]) and then yielded sorted.

use crate::capped::{read_capped, read_head, CapError, Compressed, Counted};
use crate::detect::{is_tar, HEAD_LEN};
use crate::limits::{Budget, Limits};
use crate::members::{Member, Members, Next, Ready, SpoolBuilder};
use crate::names::{decode_name, normalize};
use crate::spool::ReadSeek;
use nianbao_core::{ErrorKind, ExtractError};
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Bytes of tar headers (long names, PAX records) accepted between two members. The tar crate
/// reads these into memory, so they are capped well below any real need.
const TAR_HEADER_ALLOWANCE: u64 = 4 << 20;

/// Decoder memory allowed to a 7z archive (LZMA dictionaries), in KiB.
const SEVENZ_MEMORY_KB: usize = 256 << 10;

/// Spools a tar stream. `counter`, when the stream is decompressed, counts compressed bytes.
pub(crate) fn open_tar(
    r: &mut dyn Read,
    counter: Option<&Arc<AtomicU64>>,
    limits: &Limits,
    budget: &mut Budget,
) -> Box<dyn Members> {
    let mut b = SpoolBuilder::new();
    let allowance = Rc::new(Cell::new(TAR_HEADER_ALLOWANCE));
    let mut archive = tar::Archive::new(Guard {
        inner: r,
        allowance: allowance.clone(),
    });
    let mut entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            b.fail_archive(ExtractError::corrupt(format!("damaged tar: {e}")));
            return Box::new(b.finish());
        }
    };
    // Unread data of the previous entry, which the tar reader skips by reading through it.
    let mut unread: u64 = 0;
    loop {
        if unread > budget.remaining {
            b.fail_archive(total_spent(limits));
            break;
        }
        budget.remaining -= unread;
        allowance.set(unread + 1024 + TAR_HEADER_ALLOWANCE);
        let mut entry = match entries.next() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                b.fail_archive(ExtractError::corrupt(format!("damaged tar: {e}")));
                break;
            }
        };
        let size = entry.size();
        allowance.set(size);
        unread = size;
        let kind = entry.header().entry_type();
        let name = normalize(&decode_name(&entry.path_bytes()));
        if name.is_empty() || kind.is_dir() {
            continue;
        }
        if kind.is_gnu_sparse() {
            b.add_failed(
                name,
                ExtractError::new(ErrorKind::UnsupportedFormat, "sparse file in tar"),
            );
            continue;
        }
        // Links, devices and FIFOs carry no document.
        if !(kind.is_file() || kind.is_contiguous()) {
            continue;
        }
        // Measured against all the compressed bytes read so far, not those read during this
        // member: the decoder reads ahead, so a member can come out of bytes read before it
        // began (a bomb's member then looked like "0 bytes compressed", refused whatever the
        // ratio allowed).
        let compressed = match counter {
            Some(c) => Compressed::Counter(c.clone(), 0),
            None => Compressed::Unknown,
        };
        let mut counting = CountRead {
            inner: &mut entry,
            n: 0,
        };
        let next = b.add(name, &mut counting, compressed, limits, budget);
        unread = size.saturating_sub(counting.n);
        if next == Next::Stop {
            break;
        }
    }
    Box::new(b.finish())
}

/// Opens a gzip stream: a tar inside is expanded; anything else is one member, named from the
/// gzip header or from the archive's own name without `.gz`.
pub(crate) fn open_gzip(
    src: Box<dyn Read + Send>,
    archive_name: &str,
    limits: &Limits,
    budget: &mut Budget,
) -> Box<dyn Members> {
    let (counted, counter) = Counted::new(src);
    let mut gz = flate2::read::MultiGzDecoder::new(counted);
    let mut head = vec![0u8; HEAD_LEN];
    let n = match read_head(&mut gz, &mut head) {
        Ok(n) => n,
        Err(e) => return failed(ExtractError::corrupt(format!("damaged gzip: {e}"))),
    };
    head.truncate(n);
    if is_tar(&head) {
        let mut whole = io::Cursor::new(head).chain(gz);
        return open_tar(&mut whole, Some(&counter), limits, budget);
    }
    let name = gz
        .header()
        .and_then(|h| h.filename())
        .map(|raw| normalize(&decode_name(raw)))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| gunzipped_name(archive_name));
    let mut whole = io::Cursor::new(head).chain(gz);
    let data = read_capped(&mut whole, &Compressed::Counter(counter, 0), limits, budget)
        .map_err(|e| e.into_extract(ErrorKind::Corrupt));
    Box::new(Ready(
        vec![Member {
            name: Some(name),
            data,
        }]
        .into_iter(),
    ))
}

fn gunzipped_name(archive_name: &str) -> String {
    let base = archive_name
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(archive_name);
    let lower = base.to_ascii_lowercase();
    for ext in [".gz", ".gzip"] {
        if lower.ends_with(ext) && base.len() > ext.len() {
            return base[..base.len() - ext.len()].to_string();
        }
    }
    "data".to_string()
}

/// Spools a 7z archive, solid or not.
pub(crate) fn open_7z(
    src: Box<dyn ReadSeek>,
    limits: &Limits,
    budget: &mut Budget,
) -> Box<dyn Members> {
    use sevenz_rust2::{ArchiveReader, EntryDecision, Password};
    let (counted, counter) = Counted::new(src);
    let mut reader =
        match ArchiveReader::new_with_memory_limit(counted, Password::empty(), SEVENZ_MEMORY_KB) {
            Ok(r) => r,
            Err(e) => return failed(sevenz_error(e)),
        };
    reader.set_thread_count(1);
    let files = reader.archive().files.clone();
    let mut seen = vec![false; files.len()];
    let base = reader.archive().files.as_ptr() as usize;
    let stride = std::mem::size_of::<sevenz_rust2::ArchiveEntry>().max(1);
    let mut b = SpoolBuilder::new();
    let result = reader.for_each_entries_with_decision(|entry, r| {
        let idx = (entry as *const _ as usize).wrapping_sub(base) / stride;
        if let Some(s) = seen.get_mut(idx) {
            *s = true;
        }
        let name = normalize(&entry.name);
        if entry.is_directory || entry.is_anti_item || name.is_empty() {
            return Ok(EntryDecision::Continue);
        }
        // Against all the compressed bytes read so far: a solid block is decoded ahead.
        let compressed = Compressed::Counter(counter.clone(), 0);
        Ok(match b.add(name, r, compressed, limits, budget) {
            Next::Continue => EntryDecision::Continue,
            Next::Stop => EntryDecision::Stop,
        })
    });
    let stopped = match result {
        Ok(()) => false,
        Err(e) => {
            b.fail_archive(sevenz_error(e));
            true
        }
    };
    for (file, seen) in files.iter().zip(&seen) {
        let name = normalize(&file.name);
        if !seen && !file.is_directory && !file.is_anti_item && !name.is_empty() {
            let why = if stopped {
                "not read: the archive is damaged before it"
            } else {
                "not read: expansion stopped at a limit before it"
            };
            let kind = if stopped {
                ErrorKind::Corrupt
            } else {
                ErrorKind::TooLarge
            };
            b.add_failed(name, ExtractError::new(kind, why));
        }
    }
    Box::new(b.finish())
}

fn sevenz_error(e: sevenz_rust2::Error) -> ExtractError {
    use sevenz_rust2::Error as E;
    match e {
        E::PasswordRequired | E::MaybeBadPassword(_) => ExtractError::encrypted("password-protected 7z archive"),
        E::MaxMemLimited { .. } => ExtractError::new(
            ErrorKind::TooLarge,
            format!("7z archive needs more than {} MiB of decoder memory", SEVENZ_MEMORY_KB >> 10),
        ),
        E::UnsupportedCompressionMethod(m) => ExtractError::new(
            ErrorKind::UnsupportedFormat,
            format!("7z compression method {m} is not supported (LZMA/LZMA2 only); re-pack it or unpack with 7-Zip"),
        ),
        other => ExtractError::corrupt(format!("damaged 7z archive: {other}")),
    }
}

fn total_spent(limits: &Limits) -> ExtractError {
    CapError::TooLarge {
        message: format!(
            "stopped expanding: the archive expands past {} bytes in total (max_total_bytes)",
            limits.max_total_bytes
        ),
        stop_stream: true,
    }
    .into_extract(ErrorKind::TooLarge)
}

fn failed(err: ExtractError) -> Box<dyn Members> {
    Box::new(Ready(
        vec![Member {
            name: None,
            data: Err(err),
        }]
        .into_iter(),
    ))
}

/// Passes at most `allowance` bytes, so the tar reader cannot pull a giant "long name" into
/// memory; the allowance is reset before every header and every member.
struct Guard<'a> {
    inner: &'a mut dyn Read,
    allowance: Rc<Cell<u64>>,
}

impl Read for Guard<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.allowance.get();
        if left == 0 {
            return Err(io::Error::other(
                "tar headers larger than 4 MiB (long names or PAX records)",
            ));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.allowance.set(left - n as u64);
        Ok(n)
    }
}

struct CountRead<'a> {
    inner: &'a mut dyn Read,
    n: u64,
}

impl Read for CountRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}
