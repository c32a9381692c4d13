//! A small reader of OLE2 compound files (CFB, [MS-CFB]): the header, the FAT with its DIFAT,
//! the directory and the mini stream, enough to read the streams at the root of a file. Legacy
//! Word (.doc), Excel (.xls) and password-protected Office files are all compound files; their
//! adapters tell them apart by the root's stream names ([`root_names`]).
//!
//! Every chain is followed with a visited set and every size is checked against the input, so
//! a damaged or hostile file gives an error, never a loop, a huge allocation or a panic.

use crate::ExtractError;

const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Sector ids at or above this are special markers (FATSECT, DIFSECT, ENDOFCHAIN, FREESECT).
const MAXREGSECT: u32 = 0xFFFF_FFFA;
/// Directory entry ids at or above this mean "none" (NOSTREAM).
const MAXREGSID: u32 = 0xFFFF_FFFA;

const TYPE_STREAM: u8 = 2;
const TYPE_ROOT: u8 = 5;

/// One directory entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub kind: u8,
    left: u32,
    right: u32,
    child: u32,
    start: u32,
    pub size: u64,
}

impl Entry {
    pub fn is_stream(&self) -> bool {
        self.kind == TYPE_STREAM
    }
}

pub struct Cfb<'a> {
    bytes: &'a [u8],
    sector_shift: u32,
    mini_shift: u32,
    mini_cutoff: u64,
    first_minifat: u32,
    fat: Vec<u32>,
    entries: Vec<Entry>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

/// A stream read in full, or the error for one whose chain ended before its size (`hint`
/// follows the numbers).
fn whole(entry: &Entry, out: Vec<u8>, size: usize, hint: &str) -> Result<Vec<u8>, ExtractError> {
    if out.len() < size {
        return Err(corrupt(format!(
            "stream {} is cut short: {} of {} bytes{hint}",
            entry.name,
            out.len(),
            size
        )));
    }
    Ok(out)
}

fn corrupt(what: impl std::fmt::Display) -> ExtractError {
    ExtractError::corrupt(format!("damaged compound file: {what}"))
}

impl<'a> Cfb<'a> {
    /// Reads the header, the FAT and the directory.
    pub fn open(bytes: &'a [u8]) -> Result<Cfb<'a>, ExtractError> {
        if !crate::sniff::is_cfb(bytes) {
            return Err(corrupt("no compound file signature"));
        }
        if bytes.len() < 512 {
            return Err(corrupt(format!(
                "the file is truncated: {} bytes, shorter than the 512-byte header",
                bytes.len()
            )));
        }
        let sector_shift = u32::from(u16_at(bytes, 0x1E));
        let mini_shift = u32::from(u16_at(bytes, 0x20));
        if !(sector_shift == 9 || sector_shift == 12) {
            return Err(corrupt(format!(
                "sector size 2^{sector_shift} is not 512 or 4096"
            )));
        }
        if mini_shift == 0 || mini_shift >= sector_shift {
            return Err(corrupt(format!(
                "mini sector size 2^{mini_shift} is invalid"
            )));
        }
        let mut cfb = Cfb {
            bytes,
            sector_shift,
            mini_shift,
            mini_cutoff: u64::from(u32_at(bytes, 0x38)),
            first_minifat: u32_at(bytes, 0x3C),
            fat: Vec::new(),
            entries: Vec::new(),
        };
        cfb.fat = cfb.read_fat()?;
        cfb.entries = cfb.read_directory()?;
        match cfb.entries.first() {
            Some(root) if root.kind == TYPE_ROOT => Ok(cfb),
            _ => Err(corrupt("the directory has no root entry")),
        }
    }

    fn sector_size(&self) -> usize {
        1usize << self.sector_shift
    }

    /// Sectors the file can hold at all: no valid chain is longer.
    fn max_sectors(&self) -> usize {
        self.bytes.len() >> self.sector_shift
    }

    /// The bytes of sector `id`, or an error if it lies beyond the end of the file. A last
    /// sector cut short at the end of the file is returned as far as it goes.
    fn sector(&self, id: u32) -> Result<&'a [u8], ExtractError> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector_size()))
            .filter(|&s| s < self.bytes.len())
            .ok_or_else(|| {
                corrupt(format!(
                    "the file is truncated: sector {id} lies beyond its end ({} bytes)",
                    self.bytes.len()
                ))
            })?;
        let end = (start + self.sector_size()).min(self.bytes.len());
        Ok(&self.bytes[start..end])
    }

    /// Sector `id`, which must be whole (FAT, DIFAT and directory sectors).
    fn full_sector(&self, id: u32) -> Result<&'a [u8], ExtractError> {
        let s = self.sector(id)?;
        if s.len() < self.sector_size() {
            return Err(corrupt(format!(
                "the file is truncated: sector {id} is cut short at byte {}",
                self.bytes.len()
            )));
        }
        Ok(s)
    }

    fn read_fat(&self) -> Result<Vec<u32>, ExtractError> {
        let n_fat = u32_at(self.bytes, 0x2C) as usize;
        if n_fat > self.max_sectors() {
            return Err(corrupt(format!(
                "{n_fat} FAT sectors declared in a file of {} bytes (truncated?)",
                self.bytes.len()
            )));
        }
        // The DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
        let mut fat_sectors: Vec<u32> = (0..109)
            .map(|i| u32_at(self.bytes, 0x4C + 4 * i))
            .filter(|&s| s <= MAXREGSECT)
            .collect();
        let mut next = u32_at(self.bytes, 0x44);
        let per = self.sector_size() / 4 - 1;
        let mut seen = std::collections::HashSet::new();
        while next <= MAXREGSECT && fat_sectors.len() < n_fat {
            if !seen.insert(next) || seen.len() > self.max_sectors() {
                return Err(corrupt("the DIFAT chain loops"));
            }
            let s = self.full_sector(next)?;
            fat_sectors.extend(
                (0..per)
                    .map(|i| u32_at(s, 4 * i))
                    .filter(|&x| x <= MAXREGSECT),
            );
            next = u32_at(s, 4 * per);
        }
        fat_sectors.truncate(n_fat);
        let mut fat = Vec::with_capacity(fat_sectors.len() * self.sector_size() / 4);
        for id in fat_sectors {
            let s = self.full_sector(id)?;
            fat.extend(s.chunks_exact(4).map(|c| u32_at(c, 0)));
        }
        Ok(fat)
    }

    /// The sectors of a chain in `fat` starting at `start`, checked for loops and for ids
    /// outside the table.
    fn chain(fat: &[u32], start: u32, limit: usize) -> Result<Vec<u32>, ExtractError> {
        let mut out = Vec::new();
        let mut seen = vec![false; fat.len()];
        let mut id = start;
        while id != ENDOFCHAIN {
            if id == FREESECT || id > MAXREGSECT {
                // Some writers end a chain with FREESECT; accept it as an end.
                if id == FREESECT {
                    break;
                }
                return Err(corrupt(format!("a sector chain holds the marker {id:#x}")));
            }
            let i = id as usize;
            let Some(&next) = fat.get(i) else {
                return Err(corrupt(format!(
                    "a sector chain points to sector {id}, outside the allocation table \
                     (truncated?)"
                )));
            };
            if std::mem::replace(&mut seen[i], true) || out.len() >= limit {
                return Err(corrupt("a sector chain loops"));
            }
            out.push(id);
            id = next;
        }
        Ok(out)
    }

    fn read_directory(&self) -> Result<Vec<Entry>, ExtractError> {
        let first = u32_at(self.bytes, 0x30);
        let sectors = Self::chain(&self.fat, first, self.max_sectors())?;
        let mut entries = Vec::new();
        for id in sectors {
            let s = self.full_sector(id)?;
            for e in s.chunks_exact(128) {
                let name_len = (u16_at(e, 0x40) as usize).min(64);
                let units: Vec<u16> = (0..name_len.saturating_sub(2) / 2)
                    .map(|i| u16_at(e, 2 * i))
                    .collect();
                let size = if self.sector_shift == 9 {
                    // Version 3 files may leave garbage in the high half.
                    u64::from(u32_at(e, 0x78))
                } else {
                    u64_at(e, 0x78)
                };
                entries.push(Entry {
                    name: String::from_utf16_lossy(&units),
                    kind: e[0x42],
                    left: u32_at(e, 0x44),
                    right: u32_at(e, 0x48),
                    child: u32_at(e, 0x4C),
                    start: u32_at(e, 0x74),
                    size,
                });
            }
        }
        if entries.is_empty() {
            return Err(corrupt("the directory is empty"));
        }
        Ok(entries)
    }

    /// The entries directly under the root storage (walking its red-black tree of children).
    pub fn root_children(&self) -> Vec<&Entry> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut stack = vec![self.entries[0].child];
        while let Some(id) = stack.pop() {
            if id >= MAXREGSID {
                continue;
            }
            let i = id as usize;
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            let e = &self.entries[i];
            out.push(e);
            stack.push(e.left);
            stack.push(e.right);
        }
        out
    }

    /// The stream named `name` (case-insensitively, as CFB compares names) at the root.
    pub fn root_stream(&self, name: &str) -> Option<&Entry> {
        self.root_children()
            .into_iter()
            .find(|e| e.is_stream() && e.name.eq_ignore_ascii_case(name))
    }

    /// Whether the root holds an entry (stream or storage) of this name.
    pub fn root_has(&self, name: &str) -> bool {
        self.root_children()
            .iter()
            .any(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// The whole content of a stream entry.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, ExtractError> {
        if entry.size > self.bytes.len() as u64 {
            return Err(corrupt(format!(
                "stream {} claims {} bytes in a file of {} bytes (truncated?)",
                entry.name,
                entry.size,
                self.bytes.len()
            )));
        }
        let size = entry.size as usize;
        if entry.size < self.mini_cutoff && entry.kind != TYPE_ROOT {
            return self.read_mini(entry, size);
        }
        let sectors = Self::chain(&self.fat, entry.start, self.max_sectors())?;
        let mut out = Vec::with_capacity(size);
        for id in sectors {
            if out.len() >= size {
                break;
            }
            let s = self.sector(id)?;
            let take = s.len().min(size - out.len());
            out.extend_from_slice(&s[..take]);
        }
        whole(entry, out, size, " (truncated?)")
    }

    fn read_mini(&self, entry: &Entry, size: usize) -> Result<Vec<u8>, ExtractError> {
        let root = &self.entries[0];
        let mini_stream = self.read(root)?;
        let mut minifat = Vec::new();
        for id in Self::chain(&self.fat, self.first_minifat, self.max_sectors())? {
            minifat.extend(self.full_sector(id)?.chunks_exact(4).map(|c| u32_at(c, 0)));
        }
        let mini = 1usize << self.mini_shift;
        let limit = mini_stream.len() / mini + 1;
        let mut out = Vec::with_capacity(size);
        for id in Self::chain(&minifat, entry.start, limit)? {
            if out.len() >= size {
                break;
            }
            let start = id as usize * mini;
            let Some(s) = mini_stream.get(start..(start + mini).min(mini_stream.len())) else {
                return Err(corrupt(format!(
                    "stream {} points outside the mini stream",
                    entry.name
                )));
            };
            let take = s.len().min(size - out.len());
            out.extend_from_slice(&s[..take]);
        }
        whole(entry, out, size, "")
    }
}

/// The names at the root of a compound file's directory, or `None` when the bytes are not a
/// compound file or its directory cannot be read (a truncated file).
pub fn root_names(bytes: &[u8]) -> Option<Vec<String>> {
    let c = Cfb::open(bytes).ok()?;
    Some(c.root_children().iter().map(|e| e.name.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_after_the_signature_is_an_error_not_a_panic() {
        let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        assert!(Cfb::open(&b).is_err());
        let mut x: u32 = 12345;
        for _ in 0..4096 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            b.push((x >> 16) as u8);
        }
        assert!(Cfb::open(&b).is_err());
        // A plausible header (512-byte sectors, one FAT sector) over garbage.
        b[0x1E] = 9;
        b[0x1F] = 0;
        b[0x20] = 6;
        b[0x21] = 0;
        b[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
        b[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes());
        b[0x30..0x34].copy_from_slice(&3u32.to_le_bytes());
        let _ = Cfb::open(&b);
        // A FAT whose chains loop.
        let mut fat = b.clone();
        for i in 0..128u32 {
            fat[512 + 4 * i as usize..516 + 4 * i as usize].copy_from_slice(&(i ^ 1).to_le_bytes());
        }
        assert!(Cfb::open(&fat).is_err());
    }
}
