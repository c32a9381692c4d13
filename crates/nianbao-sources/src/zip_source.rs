//! Zip archives: random access through the central directory when it is intact, a front-to-back
//! salvage of local headers when it is not.
//!
//! Every entry of the central directory is a member, two entries with one name included (the
//! zip crate's index keeps only the last of them, so the entries are listed with its iterable
//! reader). Entries whose bytes overlap another's, the construction of the "overlapping" zip
//! bomb (thousands of entries pointing at one compressed stream), are refused unread.

use crate::capped::{copy_capped, read_capped, CapError, Compressed, Counted};
use crate::detect::{in_office_folder, is_document_marker};
use crate::limits::{Budget, Limits, RATIO_GRACE_BYTES};
use crate::members::{Member, Members, Next, SpoolBuilder};
use crate::names::{decode_name, is_dir_name, normalize};
use crate::spool::ReadSeek;
use nianbao_core::{ErrorKind, ExtractError};
use std::io::{BufReader, Read, Seek, SeekFrom};
use zip::read::{ZipFileEntry, ZipReadOptions};
use zip::result::ZipError;
use zip::unstable::read::ZipIterable;
use zip::ZipArchive;

/// What a zip turned out to be.
pub(crate) enum ZipOpen {
    /// An archive to expand.
    Archive(Box<dyn Members>),
    /// A DOCX/XLSX/ODF/EPUB/OFD: the caller yields the bytes as one item.
    Document,
}

/// Opens a zip. Never fails: a damaged zip becomes a salvage whose first item is the failure.
pub(crate) fn open_zip(
    mut src: Box<dyn ReadSeek>,
    limits: &Limits,
    budget: &mut Budget,
) -> ZipOpen {
    // The listing is taken from a borrowed reader so the source is still ours if it fails.
    let listing = ZipArchive::new(&mut src).map(|a| has_document_marker(&a));
    match listing {
        Ok(true) => ZipOpen::Document,
        Ok(false) => {
            let reopened = src
                .seek(SeekFrom::Start(0))
                .map_err(ZipError::Io)
                .and_then(|_| ZipIterable::try_new(src, zip::read::Config::default()));
            match reopened {
                Ok(mut iterable) => {
                    let (order, damage) = list(&mut iterable);
                    ZipOpen::Archive(Box::new(ZipMembers {
                        iterable,
                        order: order.into_iter(),
                        damage,
                    }))
                }
                Err(e) => ZipOpen::Archive(Box::new(crate::members::Ready(
                    vec![Member {
                        name: None,
                        data: Err(zip_error(e)),
                    }]
                    .into_iter(),
                ))),
            }
        }
        Err(e) => salvage(src, e, limits, budget),
    }
}

/// Whether these bytes are a zip that [`open_zip`] takes for a document from its directory.
/// `false` means "not known to be one": the caller then opens it as usual, which also
/// handles damaged zips.
pub(crate) fn is_document_zip(bytes: &[u8]) -> bool {
    ZipArchive::new(std::io::Cursor::new(bytes)).is_ok_and(|a| has_document_marker(&a))
}

/// Whether a readable entry of the directory names a document marker (see
/// [`is_document_marker`]): such a zip is one document, not an archive.
pub(crate) fn has_document_marker<R: std::io::Read + Seek>(archive: &ZipArchive<R>) -> bool {
    (0..archive.len())
        .filter_map(|i| archive.by_index_data(i).ok())
        .any(|e| is_document_marker(&decode_name(e.name_raw())))
}

/// One file entry of the central directory.
struct Listed {
    name: String,
    entry: ZipFileEntry<'static>,
    /// Its bytes overlap another entry's.
    overlaps: bool,
}

/// Every file entry of the central directory, sorted by name (stably: entries with one name
/// keep their order), and the error that stopped the listing early, if any.
fn list<R: std::io::Read + Seek>(
    iterable: &mut ZipIterable<R>,
) -> (Vec<Listed>, Option<ExtractError>) {
    let mut order = Vec::with_capacity(iterable.len().min(1 << 16));
    let files = match iterable.files() {
        Ok(files) => files,
        Err(e) => return (order, Some(zip_error(e))),
    };
    let mut damage = None;
    for entry in files {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                damage = Some(ExtractError::corrupt(format!(
                    "damaged zip directory: {e}; {} member(s) listed before the damage",
                    order.len()
                )));
                break;
            }
        };
        let raw = decode_name(entry.name_raw());
        if entry.is_dir() || is_dir_name(&raw) {
            continue;
        }
        let name = normalize(&raw);
        if !name.is_empty() {
            order.push(Listed {
                name,
                entry,
                overlaps: false,
            });
        }
    }
    mark_overlaps(&mut order);
    order.sort_by(|a, b| a.name.cmp(&b.name));
    (order, damage)
}

/// Marks the entries whose bytes overlap another entry's. An entry holds at least its local
/// header (30 bytes before the name) and its compressed data, so `[header, header + 30 +
/// compressed)` is a lower bound of its extent: entries found to overlap on it do overlap.
fn mark_overlaps(order: &mut [Listed]) {
    const LOCAL_HEADER: u64 = 30;
    let mut spans: Vec<(u64, u64, usize)> = order
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let start = l.entry.header_start();
            let len = LOCAL_HEADER.saturating_add(l.entry.compressed_size());
            (start, start.saturating_add(len), i)
        })
        .collect();
    spans.sort_unstable();
    // The entry reaching furthest so far: any entry starting before its end overlaps it.
    let mut reach: Option<(u64, usize)> = None;
    for (start, end, i) in spans {
        if let Some((far, j)) = reach {
            if start < far {
                order[i].overlaps = true;
                order[j].overlaps = true;
            }
        }
        if reach.is_none_or(|(far, _)| end > far) {
            reach = Some((end, i));
        }
    }
}

struct ZipMembers {
    iterable: ZipIterable<Box<dyn ReadSeek>>,
    order: std::vec::IntoIter<Listed>,
    /// Why the listing stopped early: yielded as the archive's own item, last.
    damage: Option<ExtractError>,
}

impl Members for ZipMembers {
    fn next_member(&mut self, limits: &Limits, budget: &mut Budget) -> Option<Member> {
        let Some(listed) = self.order.next() else {
            return self.damage.take().map(|e| Member {
                name: None,
                data: Err(e),
            });
        };
        let data = if listed.overlaps {
            Err(ExtractError::new(
                ErrorKind::TooLarge,
                "its data overlaps another member's, the construction of an overlapping zip \
                 bomb; not extracted",
            ))
        } else {
            self.read(listed.entry, limits, budget)
        };
        Some(Member {
            name: Some(listed.name),
            data,
        })
    }
}

impl ZipMembers {
    fn read(
        &mut self,
        entry: ZipFileEntry<'static>,
        limits: &Limits,
        budget: &mut Budget,
    ) -> Result<Vec<u8>, ExtractError> {
        let (encrypted, compressed, declared) =
            (entry.encrypted(), entry.compressed_size(), entry.size());
        if encrypted {
            return Err(ExtractError::encrypted("password-protected zip member"));
        }
        // Refused from the central directory when it already says so, before anything is
        // inflated; a member that lies about its size is stopped while inflating (below).
        if declared > limits.max_entry_bytes {
            return Err(ExtractError::new(
                ErrorKind::TooLarge,
                format!(
                    "declares {declared} bytes uncompressed, more than {} (max_entry_bytes); not extracted",
                    limits.max_entry_bytes
                ),
            ));
        }
        if declared > RATIO_GRACE_BYTES
            && declared > compressed.max(1).saturating_mul(limits.max_ratio)
        {
            return Err(ExtractError::new(
                ErrorKind::TooLarge,
                format!(
                    "compression ratio above {}:1 ({compressed} bytes declared to inflate to {declared}), a likely zip bomb (max_ratio); not extracted",
                    limits.max_ratio
                ),
            ));
        }
        let reader = self.iterable.files().map_err(zip_error)?.reader_mut();
        let mut file = entry
            .with_reader(reader, ZipReadOptions::default())
            .map_err(zip_error)?;
        let (data_start, deflated) = (
            file.data_start(),
            file.compression() == zip::CompressionMethod::Deflated,
        );
        let read = read_capped(&mut file, &Compressed::Known(compressed), limits, budget);
        drop(file);
        read.map_err(|e| match e {
            // The zip reader stops a member that inflates past its declared size: a bomb that
            // lies about its size, or damaged data. Inflating it again under the caps tells.
            CapError::Io(io) if io.to_string().contains("declared uncompressed size") => {
                // Damaged data comes out near its declared size; twice that, or a limit, is
                // a bomb's (and the bound keeps the second reading short).
                let bound = Limits {
                    max_entry_bytes: limits
                        .max_entry_bytes
                        .min(declared.saturating_mul(2).saturating_add(RATIO_GRACE_BYTES)),
                    ..limits.clone()
                };
                let past_caps = match (data_start, deflated) {
                    (Some(at), true) => self.inflates_past_caps(at, compressed, &bound, budget),
                    _ => false,
                };
                if past_caps {
                    ExtractError::new(
                        ErrorKind::TooLarge,
                        format!("inflates far past its declared size of {declared} bytes, a likely zip bomb; not extracted"),
                    )
                } else {
                    ExtractError::corrupt(format!(
                        "damaged zip member: its data inflates to more than its declared {declared} bytes"
                    ))
                }
            }
            other => other.into_extract(ErrorKind::Corrupt),
        })
    }

    /// Whether the deflated data at `at` inflates past a limit (a ratio, the entry size or the
    /// archive's budget), read again without the declared size as a bound.
    fn inflates_past_caps(
        &mut self,
        at: u64,
        compressed: u64,
        limits: &Limits,
        budget: &mut Budget,
    ) -> bool {
        let Ok(files) = self.iterable.files() else {
            return false;
        };
        let reader = files.reader_mut();
        if reader.seek(SeekFrom::Start(at)).is_err() {
            return false;
        }
        let mut inflate = flate2::read::DeflateDecoder::new(reader.take(compressed));
        let mut sink = std::io::sink();
        matches!(
            copy_capped(
                &mut inflate,
                &mut sink,
                &Compressed::Known(compressed),
                limits,
                budget
            ),
            Err(CapError::TooLarge { .. })
        )
    }
}

/// Reads local headers front to back after the central directory could not be read (a
/// truncated download, a damaged disk): every member before the damage is recovered.
fn salvage(
    mut src: Box<dyn ReadSeek>,
    open_err: ZipError,
    limits: &Limits,
    budget: &mut Budget,
) -> ZipOpen {
    let mut b = SpoolBuilder::new();
    if let Err(e) = src.seek(SeekFrom::Start(0)) {
        b.fail_archive(ExtractError::new(ErrorKind::Io, e.to_string()));
        return ZipOpen::Archive(Box::new(b.finish()));
    }
    let (counted, counter) = Counted::new(src);
    let mut r = BufReader::new(counted);
    let mut damage = None;
    loop {
        match zip::read::read_zipfile_from_stream(&mut r) {
            Ok(Some(mut file)) => {
                let raw = decode_name(file.name_raw());
                if is_document_marker(&raw) || in_office_folder(&raw) {
                    return ZipOpen::Document;
                }
                let name = normalize(&raw);
                if file.is_dir() || is_dir_name(&raw) || name.is_empty() {
                    continue;
                }
                if file.encrypted() {
                    b.add_failed(
                        name,
                        ExtractError::encrypted("password-protected zip member"),
                    );
                    continue;
                }
                let start = counter.load(std::sync::atomic::Ordering::Relaxed);
                let compressed = Compressed::Counter(counter.clone(), start);
                if b.add(name, &mut file, compressed, limits, budget) == Next::Stop {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                damage = Some(e);
                break;
            }
        }
    }
    let recovered = b.recovered();
    let mut msg = format!("damaged zip: {open_err}");
    if let Some(d) = damage {
        msg.push_str(&format!("; reading members in order stopped at: {d}"));
    }
    msg.push_str(&format!(
        "; {recovered} member(s) recovered before the damage"
    ));
    b.fail_archive(ExtractError::corrupt(msg));
    ZipOpen::Archive(Box::new(b.finish()))
}

fn zip_error(e: ZipError) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(m) if m == ZipError::PASSWORD_REQUIRED => {
            ExtractError::encrypted("password-protected zip member")
        }
        ZipError::InvalidPassword => ExtractError::encrypted("password-protected zip member"),
        ZipError::CompressionMethodNotSupported(m) => ExtractError::new(
            ErrorKind::UnsupportedFormat,
            format!("zip member compressed with method {m}; only stored and deflate are read (re-zip it)"),
        ),
        ZipError::UnsupportedArchive(m) => ExtractError::new(ErrorKind::UnsupportedFormat, m),
        other => ExtractError::corrupt(format!("damaged zip member: {other}")),
    }
}
