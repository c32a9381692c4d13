//! What every archive reader yields, and the spooled variant used by formats that must be read
//! front to back (tar, gzip, 7z, damaged zips).

use crate::capped::{copy_capped, CapError, Compressed};
use crate::limits::{Budget, Limits};
use crate::spool::Spool;
use nianbao_core::{ErrorKind, ExtractError};
use std::io::Read;

/// One thing an archive yields: a member (normalised name) or, with `name: None`, a failure
/// of the archive itself (damage, a limit that stopped expansion).
pub(crate) struct Member {
    pub(crate) name: Option<String>,
    pub(crate) data: Result<Vec<u8>, ExtractError>,
}

/// An open archive being expanded, member by member, in sorted order.
pub(crate) trait Members: Send {
    fn next_member(&mut self, limits: &Limits, budget: &mut Budget) -> Option<Member>;
}

struct SpooledEntry {
    name: Option<String>,
    data: Result<(u64, u64), ExtractError>,
}

/// Collects the members of a front-to-back archive into a [`Spool`], then yields them sorted.
pub(crate) struct SpoolBuilder {
    spool: Spool,
    entries: Vec<SpooledEntry>,
}

/// Whether a front-to-back reader can go on after a member.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Continue,
    /// The stream is damaged or the archive's budget is spent; an archive-level item has been
    /// recorded.
    Stop,
}

impl SpoolBuilder {
    pub(crate) fn new() -> Self {
        SpoolBuilder {
            spool: Spool::new(),
            entries: Vec::new(),
        }
    }

    /// Copies one member into the spool through the caps. A member over the per-entry size is
    /// refused alone; a ratio or total-budget breach, or a read error, stops the archive (the
    /// rest of the stream is suspect or unreachable).
    pub(crate) fn add(
        &mut self,
        name: String,
        r: &mut dyn Read,
        compressed: Compressed,
        limits: &Limits,
        budget: &mut Budget,
    ) -> Next {
        let start = self.spool.len();
        match copy_capped(r, &mut self.spool, &compressed, limits, budget) {
            Ok(n) => {
                self.entries.push(SpooledEntry {
                    name: Some(name),
                    data: Ok((start, n)),
                });
                Next::Continue
            }
            Err(e) => {
                let _ = self.spool.truncate(start);
                let (stop, archive_msg) = match &e {
                    CapError::TooLarge { stop_stream, .. } => (
                        *stop_stream,
                        format!("stopped expanding at {name}: a limit was reached"),
                    ),
                    CapError::Io(err) => (true, format!("damaged at {name}: {err}")),
                };
                let kind = if matches!(e, CapError::Io(_)) {
                    ErrorKind::Corrupt
                } else {
                    ErrorKind::TooLarge
                };
                self.entries.push(SpooledEntry {
                    name: Some(name),
                    data: Err(e.into_extract(ErrorKind::Corrupt)),
                });
                if stop {
                    self.fail_archive(ExtractError::new(kind, archive_msg));
                    Next::Stop
                } else {
                    Next::Continue
                }
            }
        }
    }

    /// Records a member that is yielded as a failure without reading it.
    pub(crate) fn add_failed(&mut self, name: String, err: ExtractError) {
        self.entries.push(SpooledEntry {
            name: Some(name),
            data: Err(err),
        });
    }

    /// Records a failure of the archive itself; a second one is appended to the first, so an
    /// archive yields at most one item for itself.
    pub(crate) fn fail_archive(&mut self, err: ExtractError) {
        let existing = self
            .entries
            .iter_mut()
            .find_map(|e| match (&e.name, &mut e.data) {
                (None, Err(first)) => Some(first),
                _ => None,
            });
        match existing {
            Some(first) => {
                first.message.push_str("; ");
                first.message.push_str(&err.message);
            }
            None => self.entries.push(SpooledEntry {
                name: None,
                data: Err(err),
            }),
        }
    }

    /// Members whose data was read whole.
    pub(crate) fn recovered(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.name.is_some() && e.data.is_ok())
            .count()
    }

    /// The archive-level failures come first, then members sorted by name (stable, so
    /// duplicate names keep archive order).
    pub(crate) fn finish(mut self) -> Spooled {
        self.entries.sort_by(|a, b| a.name.cmp(&b.name));
        Spooled {
            spool: self.spool,
            entries: self.entries.into_iter(),
        }
    }
}

pub(crate) struct Spooled {
    spool: Spool,
    entries: std::vec::IntoIter<SpooledEntry>,
}

impl Members for Spooled {
    fn next_member(&mut self, _: &Limits, _: &mut Budget) -> Option<Member> {
        let e = self.entries.next()?;
        let data = match e.data {
            Ok((offset, len)) => self
                .spool
                .read_range(offset, len)
                .map_err(|err| ExtractError::new(ErrorKind::Io, format!("temporary file: {err}"))),
            Err(err) => Err(err),
        };
        Some(Member { name: e.name, data })
    }
}

/// Members already at hand (a single gzip member, a failure).
pub(crate) struct Ready(pub(crate) std::vec::IntoIter<Member>);

impl Members for Ready {
    fn next_member(&mut self, _: &Limits, _: &mut Budget) -> Option<Member> {
        self.0.next()
    }
}
