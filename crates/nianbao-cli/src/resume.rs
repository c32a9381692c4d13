//! What the run has already written: documents done (for `--resume`) and the first record of
//! each content hash (so that a second copy of a document becomes a copy of that record).
//! Kept as 16-byte digests, not paths or records, so memory stays small on large batches.
use crate::csv_row;
use crate::output::{CsvSpool, Facts, Log, Tally};
use nianbao_template::Record;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader};

type Digest = [u8; 16];

#[derive(Default)]
pub struct Seen {
    /// (sha256, path) of every record in the log.
    done: HashSet<Digest>,
    /// Offset in the log of the first record of each sha256.
    first: HashMap<Digest, u64>,
}

impl Seen {
    /// Reads the records already in the log (a resumed run): marks them done, counts them,
    /// and writes their CSV rows.
    pub fn load(log: &Log, tally: &mut Tally, csv: &mut CsvSpool) -> io::Result<Seen> {
        let mut seen = Seen::default();
        let mut reader = BufReader::new(File::open(log.path())?);
        let mut offset = 0u64;
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            let record = Record::from_json_line(line.trim_end()).map_err(|e| {
                io::Error::other(format!(
                    "{} record {}: {e}; remove the file or run without --resume",
                    log.path().display(),
                    tally.records + 1
                ))
            })?;
            let facts = Facts::of(&record);
            seen.done.insert(done_key(&facts.sha256, &facts.path));
            seen.written(&facts.sha256, offset);
            tally.add(&facts, offset);
            csv.push(&csv_row::encode_record(&record))?;
            offset += n as u64;
        }
        Ok(seen)
    }

    pub fn is_done(&self, sha: &str, path: &str) -> bool {
        self.done.contains(&done_key(sha, path))
    }

    /// Notes the record of `sha` written at `offset`, unless an earlier one is (a document
    /// whose bytes could not be read has no sha256, and is nobody's copy).
    pub fn written(&mut self, sha: &str, offset: u64) {
        if !sha.is_empty() {
            self.first.entry(sha_key(sha)).or_insert(offset);
        }
    }

    /// Where the first record with these bytes is in the log.
    pub fn first_offset(&self, sha: &str) -> Option<u64> {
        if sha.is_empty() {
            return None;
        }
        self.first.get(&sha_key(sha)).copied()
    }
}

fn done_key(sha: &str, path: &str) -> Digest {
    let mut buf = Vec::with_capacity(sha.len() + 1 + path.len());
    buf.extend_from_slice(sha.as_bytes());
    buf.push(0);
    buf.extend_from_slice(path.as_bytes());
    sha_key(&nianbao_sources::sha256_hex(&buf))
}

fn sha_key(sha_hex: &str) -> Digest {
    let mut d = [0u8; 16];
    for (i, b) in d.iter_mut().enumerate() {
        *b = sha_hex
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
    }
    d
}
