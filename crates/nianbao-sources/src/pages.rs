//! Page images of one report joined into one document: sibling JPEG, PNG or TIFF files whose
//! names differ only by a page number (`报告-1.jpg`, `报告-2.jpg`; `scan_01.png`; `p1.tif`;
//! `第1页.jpg`; `报告(1).jpg`) and whose numbers run 1, 2, … n without a gap become one item,
//! a [`nianbao_core::pages`] container, at the path `目录/报告-{1..3}.jpg`. A lone page, a gap,
//! a number given twice, or a file that is not an image keeps a record per file: every file
//! is in exactly one item.
//!
//! The walk yields names sorted, and all names that begin with one prefix come together in
//! that order (in a folder, in an archive's listing, in a folder walked in place), so a
//! group's pages are held only until a path arrives that does not begin with their prefix.
use crate::walk::Found;
use crate::Item;
use nianbao_core::pages;
use std::collections::VecDeque;

/// Most bytes of page images held back while their group is incomplete; past it, what is held
/// goes out a record per file (a folder on disk holds only paths, not bytes).
const MAX_HELD_BYTES: u64 = 256 << 20;
/// Most pages joined into one document (as many as OCR reads of one scanned PDF).
const MAX_PAGES: u32 = 100;

/// A file name read as page `number` of the document at `prefix{N}rest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageName {
    /// The display path up to the page number (`目录/报告-`).
    prefix: String,
    /// The page number as written (`1`, `01`).
    digits: String,
    number: u32,
    /// After the page number, extension included (`.jpg`, `页.png`, `).tif`).
    rest: String,
}

/// Reads `path` (a display path) as a page image's name: a JPEG, PNG or TIFF extension, and a
/// page number as the last digits of the name, followed by nothing, 页 or a closing bracket.
pub(crate) fn page_name(path: &str) -> Option<PageName> {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let name = &path[name_start..];
    let dot = name.rfind('.')?;
    let ext = name[dot + 1..].to_ascii_lowercase();
    if !matches!(ext.as_str(), "jpg" | "jpeg" | "png" | "tif" | "tiff") {
        return None;
    }
    let stem = &name[..dot];
    let end = stem.rfind(|c: char| c.is_ascii_digit())? + 1;
    if !matches!(&stem[end..], "" | "页" | ")" | "）") {
        return None;
    }
    let start = stem[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| {
            i + stem[i..].chars().next().map_or(1, char::len_utf8)
        });
    let digits = &stem[start..end];
    let number: u32 = digits
        .parse()
        .ok()
        .filter(|n| (1..=MAX_PAGES).contains(n))?;
    Some(PageName {
        prefix: path[..name_start + start].to_string(),
        digits: digits.to_string(),
        number,
        rest: name[end..].to_string(),
    })
}

impl Found {
    /// The display path.
    pub fn path(&self) -> &str {
        match self {
            Found::Item(item) => &item.path,
            Found::File { path, .. } => path,
        }
    }

    /// Bytes held in memory.
    fn held_bytes(&self) -> u64 {
        match self {
            Found::Item(Item { data: Ok(b), .. }) => b.len() as u64,
            _ => 0,
        }
    }
}

/// Holds the page images of a possible group until it is complete, and lets everything else
/// through in walk order.
#[derive(Default)]
pub(crate) struct Pager {
    held: Vec<(PageName, Found)>,
    held_bytes: u64,
    out: VecDeque<Found>,
}

impl Pager {
    pub(crate) fn pop(&mut self) -> Option<Found> {
        self.out.pop_front()
    }

    /// The walk's next find.
    pub(crate) fn offer(&mut self, found: Found) {
        self.release_unrelated(found.path());
        // (A page that could not be read is held too: its group then goes out a record per
        // file, in order.)
        match page_name(found.path()) {
            Some(name) => {
                self.held_bytes += found.held_bytes();
                self.held.push((name, found));
                if self.held_bytes > MAX_HELD_BYTES {
                    self.held_bytes = 0;
                    self.out.extend(self.held.drain(..).map(|(_, f)| f));
                }
            }
            None => self.out.push_back(found),
        }
    }

    /// The walk has ended: every group held is complete.
    pub(crate) fn finish(&mut self) {
        self.release_unrelated("");
    }

    /// Sends out the groups whose prefix `path` does not begin with: no later path can.
    fn release_unrelated(&mut self, path: &str) {
        if self.held.iter().all(|(n, _)| path.starts_with(&n.prefix)) {
            return;
        }
        let (done, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(n, _)| !path.starts_with(&n.prefix));
        self.held = kept;
        self.held_bytes = self.held.iter().map(|(_, f)| f.held_bytes()).sum();
        release(done, &mut self.out);
    }
}

/// Joins each complete group of `found` (in walk order) and sends everything out.
fn release(mut found: Vec<(PageName, Found)>, out: &mut VecDeque<Found>) {
    while !found.is_empty() {
        let first = found[0].0.clone();
        let (group, rest): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|(n, _)| n.prefix == first.prefix && n.rest == first.rest);
        found = rest;
        match join(&group) {
            Some(item) => out.push_back(Found::Item(item)),
            None => out.extend(group.into_iter().map(|(_, f)| f)),
        }
    }
}

/// The group as one document, when its numbers run 1..n (n ≥ 2) and every file is a page
/// image that could be read; otherwise `None` (a record per file).
fn join(group: &[(PageName, Found)]) -> Option<Item> {
    if group.len() < 2 {
        return None;
    }
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| group[i].0.number);
    if order
        .iter()
        .enumerate()
        .any(|(at, &i)| group[i].0.number != at as u32 + 1)
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(group.len());
    for &i in &order {
        let b = match &group[i].1 {
            Found::Item(Item { data: Ok(b), .. }) => b.clone(),
            Found::Item(Item { data: Err(_), .. }) => return None,
            Found::File { file, .. } => file.read().ok()?,
        };
        if !pages::is_page_image(&b) {
            return None;
        }
        bytes.push(b);
    }
    let (first, last) = (&group[order[0]].0, &group[order[order.len() - 1]].0);
    Some(Item {
        path: format!(
            "{}{{{}..{}}}{}",
            first.prefix, first.digits, last.digits, first.rest
        ),
        data: Ok(pages::pack(&bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_core::{ErrorKind, ExtractError};

    fn name(path: &str) -> Option<(String, u32, String)> {
        page_name(path).map(|n| (n.prefix, n.number, n.rest))
    }

    #[test]
    fn page_numbers_in_names() {
        let some = |p: &str, n: u32, r: &str| Some((p.to_string(), n, r.to_string()));
        assert_eq!(name("年报/报告-1.jpg"), some("年报/报告-", 1, ".jpg"));
        assert_eq!(
            name("a.zip!/扫描/scan_02.PNG"),
            some("a.zip!/扫描/scan_", 2, ".PNG")
        );
        assert_eq!(name("p3.tif"), some("p", 3, ".tif"));
        assert_eq!(name("d/page 12.tiff"), some("d/page ", 12, ".tiff"));
        assert_eq!(name("d/第2页.jpeg"), some("d/第", 2, "页.jpeg"));
        assert_eq!(name("d/报告（3）.jpg"), some("d/报告（", 3, "）.jpg"));
        assert_eq!(name("d/7.png"), some("d/", 7, ".png"));
        // Not a page number: a year, a number with words after it, not an image, no number.
        assert_eq!(name("d/2021年报告.jpg"), None);
        assert_eq!(name("d/报告2021.jpg"), None);
        assert_eq!(name("d/1号文件.jpg"), None);
        assert_eq!(name("d/报告-1.pdf"), None);
        assert_eq!(name("d/报告.jpg"), None);
        assert_eq!(name("d/报告-0.jpg"), None);
        assert_eq!(name("d2/报告.jpg"), None);
    }

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 page";

    fn item(path: &str, bytes: &[u8]) -> Found {
        Found::Item(Item {
            path: path.into(),
            data: Ok(bytes.to_vec()),
        })
    }

    fn run(found: Vec<Found>) -> Vec<Found> {
        let mut pager = Pager::default();
        let mut out = Vec::new();
        for f in found {
            pager.offer(f);
            while let Some(f) = pager.pop() {
                out.push(f);
            }
        }
        pager.finish();
        while let Some(f) = pager.pop() {
            out.push(f);
        }
        out
    }

    fn paths(found: &[Found]) -> Vec<&str> {
        found.iter().map(Found::path).collect()
    }

    #[test]
    fn pages_one_to_n_are_one_document_in_page_order() {
        let out = run(vec![
            item("d/a.txt", b"text"),
            item("d/报告-1.jpg", b"\xFF\xD8\xFF1"),
            item("d/报告-10.jpg", b"\xFF\xD8\xFF10"),
            item("d/报告-1附件.txt", b"other"),
            item("d/报告-2.jpg", b"\xFF\xD8\xFF2"),
            item("d/报告-3.jpg", b"\xFF\xD8\xFF3"),
            item("d/报告-4.jpg", b"\xFF\xD8\xFF4"),
            item("d/报告-5.jpg", b"\xFF\xD8\xFF5"),
            item("d/报告-6.jpg", b"\xFF\xD8\xFF6"),
            item("d/报告-7.jpg", b"\xFF\xD8\xFF7"),
            item("d/报告-8.jpg", b"\xFF\xD8\xFF8"),
            item("d/报告-9.jpg", b"\xFF\xD8\xFF9"),
            item("d/z.txt", b"last"),
        ]);
        assert_eq!(
            paths(&out),
            [
                "d/a.txt",
                "d/报告-1附件.txt",
                "d/报告-{1..10}.jpg",
                "d/z.txt"
            ]
        );
        let Found::Item(Item { data: Ok(b), .. }) = &out[2] else {
            panic!("joined")
        };
        let pages = pages::unpack(b).unwrap();
        let want: Vec<Vec<u8>> = (1..=10)
            .map(|n: u32| [b"\xFF\xD8\xFF".as_slice(), n.to_string().as_bytes()].concat())
            .collect();
        assert_eq!(pages, want.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }

    #[test]
    fn a_gap_a_lone_page_or_a_non_image_keeps_a_record_per_file() {
        let gap = run(vec![
            item("d/a-1.jpg", JPEG),
            item("d/a-3.jpg", JPEG),
            item("d/b-2.png", JPEG),
            item("d/c-1.jpg", JPEG),
            item("d/c-2.jpg", b"%PDF-1.4 not an image"),
            item("d/e-1.jpg", JPEG),
            Found::Item(Item {
                path: "d/e-2.jpg".into(),
                data: Err(ExtractError::new(ErrorKind::Io, "cannot read")),
            }),
            item("d/f-1.jpg", JPEG),
            item("d/f-01.jpg", JPEG),
            item("d/p1.jpg", JPEG),
            item("d/p2.png", JPEG),
        ]);
        assert_eq!(
            paths(&gap),
            [
                "d/a-1.jpg",
                "d/a-3.jpg",
                "d/b-2.png",
                "d/c-1.jpg",
                "d/c-2.jpg",
                "d/e-1.jpg",
                "d/e-2.jpg",
                "d/f-1.jpg",
                "d/f-01.jpg",
                "d/p1.jpg",
                "d/p2.png"
            ]
        );
    }

    #[test]
    fn groups_of_two_folders_and_an_archive_stay_apart() {
        let out = run(vec![
            item("d/x/p1.jpg", JPEG),
            item("d/x/p2.jpg", JPEG),
            item("d/y/p1.jpg", JPEG),
            item("d/y/p2.jpg", JPEG),
            item("d/y/p3.jpg", JPEG),
            item("d/z.zip!/p1.jpg", JPEG),
            item("d/z.zip!/p2.jpg", JPEG),
        ]);
        assert_eq!(
            paths(&out),
            ["d/x/p{1..2}.jpg", "d/y/p{1..3}.jpg", "d/z.zip!/p{1..2}.jpg"]
        );
    }
}
