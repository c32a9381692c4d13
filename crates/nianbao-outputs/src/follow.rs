//! The database written while a run goes on: records are read from `reports.jsonl` as the run
//! appends them, so that the database costs the run little more than the time its last
//! records and its index take, instead of a second pass over the whole log at the end.
//!
//! Only the `carry_over` checks are not known before the end (they compare the records of one
//! agency's consecutive years): the run hands them over when it finishes, and the database
//! amends those documents before it is put in place. The other outputs are written from the
//! finished log as before.
use crate::database::{self, CarryOver};
use crate::{record, Batch, Records, BATCH, DATABASE, JSONL, QUEUE};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the reader waits for the run to append more once it has read everything.
const POLL: Duration = Duration::from_millis(2);

/// What the run has said to the reader.
enum Control {
    Running,
    /// No line will be appended any more; the database then amends these documents.
    Finished(Vec<CarryOver>),
    /// The run failed or was stopped: no database is put in place.
    Abandoned,
}

/// The database of a run, written as the run appends to its log.
pub struct Following {
    control: Arc<Mutex<Control>>,
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Following {
    /// Starts reading `dir/reports.jsonl` from its first line (a resumed run's earlier records
    /// included) and writing `dir/reports.sqlite` beside it. Call it once the log is open.
    pub fn start(dir: &Path) -> io::Result<Following> {
        let log = File::open(dir.join(JSONL))?;
        let control = Arc::new(Mutex::new(Control::Running));
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let amends = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let (control, amends, path) = (control.clone(), amends.clone(), dir.join(JSONL));
            std::thread::spawn(move || follow(log, &path, &control, &amends, &tx))
        };
        let path = dir.join(DATABASE);
        let writer = std::thread::spawn(move || {
            let records = Records { rx, ended: false };
            database::write_then_amend(&path, records, || {
                std::mem::take(&mut *amends.lock().expect("amends"))
            })
        });
        Ok(Following {
            control,
            reader,
            writer,
        })
    }

    /// The run has appended its last record: reads the rest, amends the documents whose
    /// `carry_over` check the finishing pass set, and puts the database in place.
    pub fn finish(self, amends: Vec<CarryOver>) -> io::Result<()> {
        *self.control.lock().expect("control") = Control::Finished(amends);
        self.join()
    }

    /// The run did not finish: stops, and leaves no database of it.
    pub fn abandon(self) {
        *self.control.lock().expect("control") = Control::Abandoned;
        let _ = self.join();
    }

    fn join(self) -> io::Result<()> {
        let read = self.reader.join().expect("the log's reader panicked");
        let written = self.writer.join().expect("the database writer panicked");
        // The log's error first: the writer's then only says the records stopped (a writer
        // that failed on its own stops the reader without an error of the log).
        read.and(written)
    }
}

/// Reads the complete lines of `log` as they are appended, `BATCH` records at a time (fewer
/// when it has caught up with the run), until the run has finished and everything is read.
/// Returning without sending the end makes the writer stop without a database.
fn follow(
    mut log: File,
    path: &Path,
    control: &Mutex<Control>,
    amends: &Mutex<Vec<CarryOver>>,
    tx: &mpsc::SyncSender<Option<Batch>>,
) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    let mut batch = Vec::with_capacity(BATCH);
    let mut line_no = 0usize;
    let mut finished: Option<Vec<CarryOver>> = None;
    loop {
        if matches!(*control.lock().expect("control"), Control::Abandoned) {
            return Ok(());
        }
        let n = log.read(&mut chunk)?;
        if n > 0 {
            pending.extend_from_slice(&chunk[..n]);
            let complete = pending
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            for line in pending[..complete].split(|&b| b == b'\n') {
                if line.is_empty() {
                    continue;
                }
                line_no += 1;
                let doc = std::str::from_utf8(line)
                    .map_err(|e| e.to_string())
                    .and_then(|l| record::parse(l).map_err(|e| e.to_string()))
                    .map_err(|e| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{} line {line_no}: {e}", path.display()),
                        )
                    })?;
                batch.push(doc);
                if batch.len() == BATCH && send(tx, &mut batch).is_err() {
                    return Ok(());
                }
            }
            pending.drain(..complete);
            continue;
        }
        // Everything appended so far is read.
        if !batch.is_empty() && send(tx, &mut batch).is_err() {
            return Ok(());
        }
        if let Some(list) = finished.take() {
            // Read to the end once more after the run said it had finished: the read before
            // could have come just before its last line.
            if !pending.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} ends inside a line", path.display()),
                ));
            }
            *amends.lock().expect("amends") = list;
            let _ = tx.send(None);
            return Ok(());
        }
        let state = std::mem::replace(&mut *control.lock().expect("control"), Control::Running);
        match state {
            Control::Running => std::thread::sleep(POLL),
            Control::Finished(list) => finished = Some(list),
            Control::Abandoned => return Ok(()),
        }
    }
}

/// Hands a batch to the writer. A writer that stopped has its own error to tell: the reader
/// then just stops too.
fn send(tx: &mpsc::SyncSender<Option<Batch>>, batch: &mut Vec<crate::Doc>) -> Result<(), ()> {
    let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
    tx.send(Some(Arc::new(full))).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Check;
    use rusqlite::Connection;
    use std::fs;
    use std::io::Write;

    fn line(agency: &str, checks: serde_json::Value) -> String {
        let record = serde_json::json!({
            "source": {"path": format!("{agency}.txt"), "format": "txt"},
            "status": "partial",
            "report": {"agency": agency, "year": 2021, "template": "2021"},
            "applications": {"new": {"total": 7}},
            "checks": checks, "warnings": [], "provenance": {}
        });
        format!("{record}\n")
    }

    fn checks(db: &Connection, doc: i64) -> (Vec<(String, bool)>, i64) {
        let list = db
            .prepare("SELECT rule, ok FROM checks WHERE doc = ?1 ORDER BY rowid")
            .unwrap()
            .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let failed = db
            .query_row(
                "SELECT failed_checks FROM documents WHERE doc = ?1",
                [doc],
                |r| r.get(0),
            )
            .unwrap();
        (list, failed)
    }

    #[test]
    fn follows_the_log_and_amends_the_carry_over_checks_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = File::create(dir.path().join(JSONL)).unwrap();
        let balance = serde_json::json!([{"rule": "balance", "ok": true, "detail": "x"}]);
        log.write_all(line("甲", balance.clone()).as_bytes())
            .unwrap();
        let db = Following::start(dir.path()).unwrap();
        // Lines appended while it runs, one of them in two writes.
        std::thread::sleep(Duration::from_millis(20));
        let carried = serde_json::json!([{"rule": "carry_over", "ok": false, "detail": "y"}]);
        let second = line("乙", carried);
        let (a, b) = second.split_at(10);
        log.write_all(a.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        log.write_all(b.as_bytes()).unwrap();
        log.write_all(line("丙", balance).as_bytes()).unwrap();
        let failed = Check {
            rule: "carry_over".into(),
            ok: false,
            detail: "2020 carry_forward 3 vs 2021 carried_over 4".into(),
        };
        let amends = vec![
            CarryOver {
                doc: 1,
                check: Some(failed),
            },
            CarryOver {
                doc: 2,
                check: None,
            },
        ];
        db.finish(amends).unwrap();
        let db = Connection::open(dir.path().join(DATABASE)).unwrap();
        let n: i64 = db
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
        let both = vec![("balance".into(), true), ("carry_over".into(), false)];
        assert_eq!(checks(&db, 1), (both, 1));
        assert_eq!(checks(&db, 2), (vec![], 0));
        assert_eq!(checks(&db, 3), (vec![("balance".into(), true)], 0));
        let agency: String = db
            .query_row("SELECT agency FROM documents WHERE doc = 2", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(agency, "乙");
    }

    #[test]
    fn an_abandoned_run_leaves_no_database() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(JSONL), line("甲", serde_json::json!([]))).unwrap();
        let db = Following::start(dir.path()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        db.abandon();
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [JSONL]);
    }

    #[test]
    fn a_line_that_is_not_a_record_stops_it_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let text = line("甲", serde_json::json!([])) + "{not json}\n";
        fs::write(dir.path().join(JSONL), text).unwrap();
        let db = Following::start(dir.path()).unwrap();
        let e = db.finish(Vec::new()).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(!dir.path().join(DATABASE).exists());
    }
}
