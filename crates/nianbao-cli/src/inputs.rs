//! The documents named on the command line: files, and folders walked in sorted order.
use nianbao_core::{ErrorKind, ExtractError};
use std::path::{Path, PathBuf};

/// One input document: its display path and its bytes (or why they could not be read).
pub struct Item {
    pub path: String,
    pub data: Result<Vec<u8>, ExtractError>,
}

/// Lazily yields every file under `inputs`, in the given order, folders sorted by path.
pub fn walk(inputs: Vec<PathBuf>) -> impl Iterator<Item = Item> {
    let mut stack: Vec<PathBuf> = inputs.into_iter().rev().collect();
    std::iter::from_fn(move || {
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                match std::fs::read_dir(&p) {
                    Ok(rd) => {
                        let mut kids: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                        kids.sort();
                        stack.extend(kids.into_iter().rev());
                    }
                    Err(e) => return Some(io_item(&p, e)),
                }
                continue;
            }
            return Some(match std::fs::read(&p) {
                Ok(bytes) => Item { path: display(&p), data: Ok(bytes) },
                Err(e) => io_item(&p, e),
            });
        }
        None
    })
}

fn io_item(p: &Path, e: std::io::Error) -> Item {
    Item { path: display(p), data: Err(ExtractError::new(ErrorKind::Io, format!("cannot read: {e}"))) }
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
