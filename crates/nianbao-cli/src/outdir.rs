//! The output folder: a folder that already holds results is never emptied by accident. A
//! plain run refuses it; `--resume` continues its log in place; `--overwrite` writes the new
//! results in a hidden folder beside them and renames them over the old ones only once the
//! run has finished, so that a run that fails or is killed leaves the old results whole.
use crate::output::{CSV, JSONL};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// Where a replacing run writes, inside the output folder, until it has finished.
pub const STAGING: &str = ".nianbao-replacing";

/// The files a run writes beside the two outputs while it runs (see `output`).
pub const WORK_FILES: &[&str] = &[
    ".reports.csv.spool",
    ".reports.jsonl.partial",
    ".reports.csv.partial",
];

/// What to do with results already in the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse to run.
    Refuse,
    /// Replace them once the new run has finished.
    Overwrite,
    /// Keep them and convert only what they lack.
    Resume,
}

/// Why the output folder cannot be used.
#[derive(Debug)]
pub enum Refusal {
    /// The command line asks for something the folder does not allow (exit code 2).
    Usage(String),
    /// The folder could not be read or written (exit code 3).
    Io(String),
}

/// The output folder of a run, and where the run writes.
pub struct Target {
    out: PathBuf,
    /// The hidden folder of a replacing run; `None` when the run writes in `out` itself.
    staging: Option<PathBuf>,
    /// The old log, locked while a replacing run is writing its successor.
    _old_log: Option<File>,
}

impl Target {
    /// Checks `out` and prepares it for a run.
    pub fn prepare(out: &Path, existing: Existing) -> Result<Target, Refusal> {
        let io_err = |e: io::Error| Refusal::Io(format!("cannot write to {}: {e}", out.display()));
        match fs::metadata(out) {
            Ok(m) if !m.is_dir() => {
                return Err(Refusal::Usage(format!(
                    "--out {} is a file, not a directory: name a folder (it is created if missing)",
                    out.display()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        let has_results = holds_results(out);
        if has_results && existing == Existing::Refuse {
            return Err(Refusal::Usage(format!(
                "{} already holds results ({JSONL}, {CSV}); nothing was changed. Run again with \
                 --overwrite to replace them (the old ones stay until the new run has finished), \
                 with --resume to continue that run, or with another --out folder",
                out.display()
            )));
        }
        let staging = out.join(STAGING);
        clear_stale(&staging, out)?;
        if !has_results || existing == Existing::Resume {
            return Ok(Target {
                out: out.to_path_buf(),
                staging: None,
                _old_log: None,
            });
        }
        // A run in progress on the old results (a resumed one) holds the lock on their log.
        let old_log = match fs::OpenOptions::new().write(true).open(out.join(JSONL)) {
            Ok(f) => {
                if let Err(e) = f.try_lock() {
                    return Err(match e {
                        fs::TryLockError::WouldBlock => Refusal::Usage(busy(out)),
                        fs::TryLockError::Error(e) => io_err(e),
                    });
                }
                Some(f)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        fs::create_dir_all(&staging).map_err(io_err)?;
        Ok(Target {
            out: out.to_path_buf(),
            staging: Some(staging),
            _old_log: old_log,
        })
    }

    /// The folder the run writes its log and CSV in.
    pub fn dir(&self) -> &Path {
        self.staging.as_deref().unwrap_or(&self.out)
    }

    /// Whether the run replaces results already there.
    pub fn replaces(&self) -> bool {
        self.staging.is_some()
    }

    /// Puts a finished run's outputs in place: a replacing run's files are renamed over the
    /// old ones (the log first, then the files made from it), and its hidden folder removed.
    pub fn commit(self) -> io::Result<()> {
        let Some(staging) = &self.staging else {
            return Ok(());
        };
        let derived = [
            nianbao_outputs::CODEBOOK,
            nianbao_outputs::DATABASE,
            nianbao_outputs::WORKBOOK,
            nianbao_outputs::AUDIT,
        ];
        let renamed = [JSONL, CSV]
            .iter()
            .chain(derived.iter().filter(|name| staging.join(name).exists()))
            .try_for_each(|name| fs::rename(staging.join(name), self.out.join(name)));
        let _ = fs::remove_dir_all(staging);
        renamed
    }

    /// Cleans up after a run that failed: a replacing run's hidden folder goes (the old
    /// results are untouched); otherwise the work files go and the log stays, a valid prefix
    /// that `--resume` continues.
    pub fn abandon(self) {
        match &self.staging {
            Some(staging) => {
                let _ = fs::remove_dir_all(staging);
            }
            None => {
                for name in WORK_FILES {
                    let _ = fs::remove_file(self.out.join(name));
                }
            }
        }
    }
}

/// Removes what a replacing run that was killed left behind. A replacing run still writing
/// there holds the lock on its log: the folder is then busy.
fn clear_stale(staging: &Path, out: &Path) -> Result<(), Refusal> {
    if let Ok(f) = fs::OpenOptions::new().write(true).open(staging.join(JSONL)) {
        if matches!(f.try_lock(), Err(fs::TryLockError::WouldBlock)) {
            return Err(Refusal::Usage(busy(out)));
        }
    }
    match fs::remove_dir_all(staging) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Refusal::Io(format!(
            "cannot write to {}: {e}",
            out.display()
        ))),
    }
}

fn busy(out: &Path) -> String {
    format!("another nianbao convert is writing to {}", out.display())
}

/// Whether `dir` holds the results of a run: a CSV, or a log with at least one record.
fn holds_results(dir: &Path) -> bool {
    let non_empty = |name| fs::metadata(dir.join(name)).is_ok_and(|m| m.len() > 0);
    non_empty(JSONL) || dir.join(CSV).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nianbao-outdir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_folder_with_results_is_refused_unless_asked() {
        let d = temp("refuse");
        assert!(
            Target::prepare(&d, Existing::Refuse).is_ok(),
            "empty folder"
        );
        fs::write(d.join(JSONL), "").unwrap();
        assert!(Target::prepare(&d, Existing::Refuse).is_ok(), "empty log");
        fs::write(d.join(JSONL), "{}\n").unwrap();
        let Err(Refusal::Usage(msg)) = Target::prepare(&d, Existing::Refuse) else {
            panic!("a folder with results was accepted");
        };
        assert!(
            msg.contains("--overwrite") && msg.contains("--resume"),
            "{msg}"
        );
        let t = Target::prepare(&d, Existing::Resume).unwrap();
        assert_eq!(t.dir(), d.as_path());
        let t = Target::prepare(&d, Existing::Overwrite).unwrap();
        assert_eq!(t.dir(), d.join(STAGING).as_path());
        // The old results stay until the new ones are in place.
        fs::write(t.dir().join(JSONL), "{\"new\":1}\n").unwrap();
        fs::write(t.dir().join(CSV), "new").unwrap();
        assert_eq!(fs::read_to_string(d.join(JSONL)).unwrap(), "{}\n");
        t.commit().unwrap();
        assert_eq!(fs::read_to_string(d.join(JSONL)).unwrap(), "{\"new\":1}\n");
        assert_eq!(fs::read_to_string(d.join(CSV)).unwrap(), "new");
        assert!(!d.join(STAGING).exists());
        // A replacing run that fails leaves the old results as they were.
        let t = Target::prepare(&d, Existing::Overwrite).unwrap();
        fs::write(t.dir().join(JSONL), "{\"newer\":1}\n").unwrap();
        t.abandon();
        assert_eq!(fs::read_to_string(d.join(JSONL)).unwrap(), "{\"new\":1}\n");
        assert!(!d.join(STAGING).exists());
        // What a killed replacing run left goes with the next run.
        fs::create_dir_all(d.join(STAGING)).unwrap();
        fs::write(d.join(STAGING).join(JSONL), "{}\n").unwrap();
        Target::prepare(&d, Existing::Resume).unwrap();
        assert!(!d.join(STAGING).exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let d = temp("file");
        let f = d.join("out.txt");
        fs::write(&f, "x").unwrap();
        let Err(Refusal::Usage(msg)) = Target::prepare(&f, Existing::Overwrite) else {
            panic!("a file was taken for the output folder");
        };
        assert!(msg.contains("not a directory"), "{msg}");
        let _ = fs::remove_dir_all(&d);
    }
}
