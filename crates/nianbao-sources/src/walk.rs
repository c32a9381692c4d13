//! The lazy walk over inputs: folders in sorted order, archives expanded in place.

use crate::capped::{read_file_capped, read_head};
use crate::detect::{kind_of, Kind, HEAD_LEN};
use crate::disk_file::DiskFile;
use crate::limits::{Budget, Limits};
use crate::members::{Member, Members};
use crate::names::{display_path, member_path};
use crate::pages::Pager;
use crate::spool::{ReadSeek, Spool};
use crate::stream_source::{open_7z, open_gzip, open_tar};
use crate::zip_source::{has_document_marker, is_document_zip, open_zip, ZipOpen};
use crate::Item;
use nianbao_core::{ErrorKind, ExtractError};
use std::collections::{HashSet, VecDeque};
use std::fs::{self, File};
use std::io::{BufReader, Cursor, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Zips on disk up to this size are read into memory to see whether they are documents.
const SMALL_ZIP_BYTES: u64 = 16 << 20;

/// The iterator returned by [`walk`](crate::walk). Holds at most one document in memory at a
/// time, plus the archives being expanded (small ones in memory, large ones spooled to a
/// temporary file).
pub struct Walk {
    limits: Limits,
    inputs: std::vec::IntoIter<PathBuf>,
    stack: Vec<Frame>,
    ready: VecDeque<Found>,
    budget: Budget,
    /// Folders already walked, so symlink loops (and two links to one folder) end.
    visited: HashSet<DirKey>,
    /// Documents on disk are yielded unread, as [`Found::File`] ([`Walk::defer_files`]).
    defer: bool,
    /// Joins the page images of one report into one document.
    pager: Pager,
}

/// What [`Walk::defer_files`] yields: an item, or a document file on disk left unread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Item(Item),
    File {
        /// Display path, as [`Item::path`].
        path: String,
        file: DiskFile,
    },
}

impl Found {
    /// The item, reading a file left unread.
    pub fn load(self) -> Item {
        match self {
            Found::Item(item) => item,
            Found::File { path, file } => Item {
                path,
                data: file.read(),
            },
        }
    }
}

enum Frame {
    Dir(std::vec::IntoIter<PathBuf>),
    Archive {
        display: String,
        depth: u32,
        members: Box<dyn Members>,
        /// Items this archive produced; an archive that produced none is yielded as `empty`.
        yielded: u64,
        /// The last member name, and how many members in a row had it (members come sorted,
        /// so members with one name come together).
        last_name: Option<(String, u32)>,
    },
}

#[derive(Hash, PartialEq, Eq)]
enum DirKey {
    #[cfg(unix)]
    Inode(u64, u64),
    #[allow(dead_code)]
    Path(PathBuf),
}

impl Walk {
    pub(crate) fn new(inputs: Vec<PathBuf>, limits: &Limits) -> Self {
        Walk {
            limits: limits.clone(),
            inputs: inputs.into_iter(),
            stack: Vec::new(),
            ready: VecDeque::new(),
            budget: Budget::new(limits),
            visited: HashSet::new(),
            defer: false,
            pager: Pager::default(),
        }
    }

    /// The walk, with each document file on disk that is not a zip (a PDF, a text, an old
    /// Word file…) yielded as [`Found::File`] after only its first bytes were read: the
    /// process that converts it reads it. Zip-based documents are still read here (their
    /// directory tells a DOCX from an archive), and so is everything inside archives.
    pub fn defer_files(mut self) -> impl Iterator<Item = Found> {
        self.defer = true;
        std::iter::from_fn(move || self.next_found())
    }

    fn push_item(&mut self, path: String, data: Result<Vec<u8>, ExtractError>) {
        self.ready.push_back(Found::Item(Item { path, data }));
    }

    /// A path from the command line or a folder.
    fn visit_path(&mut self, path: PathBuf) {
        let display = display_path(&path);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => return self.push_item(display, Err(io_error("cannot read", &e))),
        };
        if meta.is_dir() {
            self.visit_dir(path, display, &meta);
        } else if meta.is_file() {
            self.visit_file(&path, display, meta.len());
        } else {
            // FIFOs and devices would block or never end.
            self.push_item(
                display,
                Err(ExtractError::new(
                    ErrorKind::Io,
                    "not a regular file or folder",
                )),
            );
        }
    }

    fn visit_dir(&mut self, path: PathBuf, display: String, meta: &fs::Metadata) {
        if !self.visited.insert(dir_key(&path, meta)) {
            return;
        }
        let reader = match fs::read_dir(&path) {
            Ok(r) => r,
            Err(e) => return self.push_item(display, Err(io_error("cannot list folder", &e))),
        };
        let mut entries = Vec::new();
        for entry in reader {
            match entry {
                Ok(e) => entries.push((e.file_name(), e.path())),
                Err(e) => return self.push_item(display, Err(io_error("cannot list folder", &e))),
            }
        }
        // By the names taken once (a path's file name is parsed anew at every comparison).
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let paths: Vec<PathBuf> = entries.into_iter().map(|(_, path)| path).collect();
        self.stack.push(Frame::Dir(paths.into_iter()));
    }

    /// A file on disk: archives are read through the open file, documents into memory.
    fn visit_file(&mut self, path: &Path, display: String, len: u64) {
        self.budget = Budget::new(&self.limits);
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.push_item(display, Err(io_error("cannot open", &e))),
        };
        let mut head = [0u8; HEAD_LEN];
        let n = match read_head(&mut file, &mut head) {
            Ok(n) => n,
            Err(e) => return self.push_item(display, Err(io_error("cannot read", &e))),
        };
        let kind = kind_of(&head[..n]);
        if n == 0 {
            return self.push_item(display, Err(empty_file()));
        }
        if matches!(kind, Kind::Zip | Kind::Gzip | Kind::Tar | Kind::SevenZ)
            && self.limits.max_depth == 0
        {
            return self.push_item(display, Err(too_deep(&self.limits)));
        }
        match kind {
            Kind::Document => return self.read_whole_file(file, path, display, len),
            // A DOCX or XLSX is read whole anyway: its directory is checked in memory, not
            // through a buffered file that every seek of the zip reader refills (which was
            // a fifth of the main thread's time on a folder of DOCX).
            Kind::Zip if len <= SMALL_ZIP_BYTES.min(self.limits.max_entry_bytes) => {
                let bytes = file
                    .seek(SeekFrom::Start(0))
                    .ok()
                    .and_then(|_| read_file_capped(&mut file, len, &self.limits).ok());
                if let Some(bytes) = bytes.filter(|b| is_document_zip(b)) {
                    return self.push_item(display, Ok(bytes));
                }
            }
            Kind::Rar => return self.push_item(display, Err(rar_error())),
            Kind::OtherCompressed(what) => {
                return self.push_item(display, Err(compressed_error(what)))
            }
            _ => {}
        }
        if let Err(e) = file.seek(SeekFrom::Start(0)) {
            return self.push_item(display, Err(io_error("cannot read", &e)));
        }
        let members: Box<dyn Members> = match kind {
            // Buffered: the zip crate reads the directory a header at a time.
            Kind::Zip => match open_zip(
                Box::new(BufReader::with_capacity(64 << 10, file)),
                &self.limits,
                &mut self.budget,
            ) {
                ZipOpen::Archive(m) => m,
                ZipOpen::Document => match File::open(path) {
                    Ok(f) => return self.read_whole_file(f, path, display, len),
                    Err(e) => return self.push_item(display, Err(io_error("cannot open", &e))),
                },
            },
            Kind::Gzip => open_gzip(
                Box::new(BufReader::new(file)),
                &display,
                &self.limits,
                &mut self.budget,
            ),
            Kind::Tar => open_tar(
                &mut BufReader::new(file),
                None,
                &self.limits,
                &mut self.budget,
            ),
            Kind::SevenZ => open_7z(Box::new(file), &self.limits, &mut self.budget),
            Kind::Document | Kind::Rar | Kind::OtherCompressed(_) => unreachable!("handled above"),
        };
        self.stack.push(Frame::Archive {
            display,
            depth: 1,
            members,
            yielded: 0,
            last_name: None,
        });
    }

    fn read_whole_file(&mut self, mut file: File, path: &Path, display: String, len: u64) {
        if len > self.limits.max_entry_bytes {
            return self.push_item(display, Err(entry_too_large(&self.limits)));
        }
        if self.defer {
            let file = DiskFile::new(path.to_path_buf(), len, self.limits.max_entry_bytes);
            return self.ready.push_back(Found::File {
                path: display,
                file,
            });
        }
        let data = file
            .seek(SeekFrom::Start(0))
            .map_err(|e| io_error("cannot read", &e))
            .and_then(|_| {
                read_file_capped(&mut file, len, &self.limits)
                    .map_err(|e| e.into_extract(ErrorKind::Io))
            });
        self.push_item(display, data);
    }

    /// A member of the archive on top of the stack (at `depth`).
    fn visit_member(&mut self, archive: String, depth: u32, m: Member) {
        let path = match m.name {
            Some(name) => member_path(&archive, &name),
            None => archive,
        };
        let bytes = match m.data {
            Ok(b) => b,
            Err(e) => return self.push_item(path, Err(e)),
        };
        if bytes.is_empty() {
            return self.push_item(path, Err(empty_file()));
        }
        let kind = kind_of(&bytes[..bytes.len().min(HEAD_LEN)]);
        let depth = depth + 1;
        let is_archive = match kind {
            Kind::Document => false,
            Kind::Zip => !zip_is_document(&bytes),
            Kind::Rar => return self.push_item(path, Err(rar_error())),
            Kind::OtherCompressed(what) => {
                return self.push_item(path, Err(compressed_error(what)))
            }
            Kind::Gzip | Kind::Tar | Kind::SevenZ => true,
        };
        if !is_archive {
            return self.push_item(path, Ok(bytes));
        }
        if depth > self.limits.max_depth {
            return self.push_item(path, Err(too_deep(&self.limits)));
        }
        let (limits, budget) = (&self.limits, &mut self.budget);
        let members: Box<dyn Members> =
            match kind {
                Kind::Gzip => open_gzip(Box::new(Cursor::new(bytes)), &path, limits, budget),
                Kind::Tar => open_tar(&mut Cursor::new(bytes), None, limits, budget),
                _ => {
                    let src = match spooled(bytes) {
                        Ok(s) => s,
                        Err(e) => return self.push_item(path, Err(e)),
                    };
                    if kind == Kind::SevenZ {
                        open_7z(src, limits, budget)
                    } else {
                        match open_zip(src, limits, budget) {
                            ZipOpen::Archive(m) => m,
                            // Damaged, but its local headers show a document: the adapter decides.
                            ZipOpen::Document => return self.push_item(
                                path,
                                Err(ExtractError::corrupt(
                                    "damaged document (zip-based, central directory unreadable)",
                                )),
                            ),
                        }
                    }
                }
            };
        self.stack.push(Frame::Archive {
            display: path,
            depth,
            members,
            yielded: 0,
            last_name: None,
        });
    }
}

impl Iterator for Walk {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.next_found().map(Found::load)
    }
}

impl Walk {
    /// The next find, page images of one report joined ([`crate::pages`]).
    fn next_found(&mut self) -> Option<Found> {
        loop {
            if let Some(found) = self.pager.pop() {
                return Some(found);
            }
            match self.next_file() {
                Some(found) => self.pager.offer(found),
                None => {
                    self.pager.finish();
                    return self.pager.pop();
                }
            }
        }
    }

    /// The next file, member or failure, in walk order.
    fn next_file(&mut self) -> Option<Found> {
        loop {
            if let Some(found) = self.ready.pop_front() {
                return Some(found);
            }
            let Some(top) = self.stack.last_mut() else {
                let path = self.inputs.next()?;
                self.visit_path(path);
                continue;
            };
            match top {
                Frame::Dir(entries) => match entries.next() {
                    Some(p) => self.visit_path(p),
                    None => {
                        self.stack.pop();
                    }
                },
                Frame::Archive {
                    display,
                    depth,
                    members,
                    yielded,
                    last_name,
                } => {
                    match members.next_member(&self.limits, &mut self.budget) {
                        Some(mut m) => {
                            // A nested archive always yields at least one item itself.
                            *yielded += 1;
                            if let Some(name) = &mut m.name {
                                number_repeat(name, last_name);
                            }
                            let (display, depth) = (display.clone(), *depth);
                            self.visit_member(display, depth, m);
                        }
                        None => {
                            if let Some(Frame::Archive {
                                display,
                                yielded: 0,
                                ..
                            }) = self.stack.pop()
                            {
                                self.push_item(
                                    display,
                                    Err(ExtractError::new(
                                        ErrorKind::Empty,
                                        "archive contains no files",
                                    )),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Gives the second and later members named `name` in a row their ordinal, `name#2`, `name#3`
/// …, so that each has a path of its own (an archive may hold two entries with one name).
fn number_repeat(name: &mut String, last: &mut Option<(String, u32)>) {
    match last {
        Some((prev, n)) if prev == name => {
            *n += 1;
            name.push_str(&format!("#{n}"));
        }
        _ => *last = Some((name.clone(), 1)),
    }
}

/// Whether an in-memory zip is a document (DOCX, XLSX, ODF, EPUB, OFD), judged from its
/// central directory without inflating anything.
fn zip_is_document(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => has_document_marker(&a),
        // Damaged: the raw scan of central-directory records still finds the markers.
        Err(_) => ["[Content_Types].xml", "mimetype", "OFD.xml"]
            .iter()
            .any(|m| nianbao_core::sniff::zip_has_entry(bytes, m)),
    }
}

fn spooled(bytes: Vec<u8>) -> Result<Box<dyn ReadSeek>, ExtractError> {
    Spool::from_vec(bytes)
        .and_then(Spool::into_reader)
        .map_err(|e| ExtractError::new(ErrorKind::Io, e.to_string()))
}

#[cfg(unix)]
fn dir_key(_: &Path, meta: &fs::Metadata) -> DirKey {
    use std::os::unix::fs::MetadataExt;
    DirKey::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dir_key(path: &Path, _: &fs::Metadata) -> DirKey {
    DirKey::Path(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

fn io_error(what: &str, e: &std::io::Error) -> ExtractError {
    ExtractError::new(ErrorKind::Io, format!("{what}: {e}"))
}

fn empty_file() -> ExtractError {
    ExtractError::new(ErrorKind::Empty, "file is empty (0 bytes)")
}

fn entry_too_large(limits: &Limits) -> ExtractError {
    ExtractError::new(
        ErrorKind::TooLarge,
        format!(
            "larger than {} bytes (max_entry_bytes); not read",
            limits.max_entry_bytes
        ),
    )
}

fn too_deep(limits: &Limits) -> ExtractError {
    ExtractError::new(
        ErrorKind::TooLarge,
        format!(
            "archive nested deeper than {} levels (max_depth); not expanded",
            limits.max_depth
        ),
    )
}

fn rar_error() -> ExtractError {
    ExtractError::new(
        ErrorKind::UnsupportedFormat,
        "RAR archive: nianbao cannot read RAR. Unpack it first (`unrar x FILE.rar DIR/` or 7-Zip: \
         `7z x FILE.rar -oDIR`), then pass the folder",
    )
}

fn compressed_error(what: &str) -> ExtractError {
    ExtractError::new(
        ErrorKind::UnsupportedFormat,
        format!("{what}-compressed file: nianbao reads zip, tar, tar.gz, gzip and 7z; decompress it first (e.g. `tar xf`), then pass the folder"),
    )
}
